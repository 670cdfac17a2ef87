"""Extractors: pure finders over the normalised text, plus thin spaCy components."""
