"""Thin spaCy components: each runs one pure finder and writes ``doc.spans[<key>]``.

Values go to namespaced span extensions (``span._.money_value``, ``span._.reference_code`` …),
never to a shared generic attribute. Span boundaries are the finder's offsets expanded to token
boundaries, so ``span.text`` is always a slice of ``doc.text``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import fields
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.extract.dates import DateMatch, find_dates
from pipeline.extract.money import MoneyMatch, find_money
from pipeline.extract.percent import PercentMatch, find_percentages
from pipeline.extract.references import ReferenceMatch, find_references

# span key, extension prefix, finder, match type
EXTRACTORS: dict[str, tuple[str, Callable[[str], Iterable[Any]], type]] = {
    "reference": ("reference", find_references, ReferenceMatch),
    "money": ("money", find_money, MoneyMatch),
    "percent": ("percent", find_percentages, PercentMatch),
    "date": ("date", find_dates, DateMatch),
}
_POSITION_FIELDS = {"start", "end", "text"}


def value_fields(match_type: type) -> list[str]:
    """The typed values a match carries besides its position."""
    return [f.name for f in fields(match_type) if f.name not in _POSITION_FIELDS]


def extension_name(prefix: str, field_name: str) -> str:
    """``money`` + ``value`` -> ``money_value``."""
    return f"{prefix}_{field_name}"


for _key, (_prefix, _finder, _match_type) in EXTRACTORS.items():
    for _field in value_fields(_match_type):
        if not Span.has_extension(extension_name(_prefix, _field)):
            Span.set_extension(extension_name(_prefix, _field), default=None)


class FinderComponent:
    """Runs a finder over ``doc.text`` and stores its matches as spans with values."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.prefix, self.finder, self.match_type = EXTRACTORS[key]
        self.value_fields = value_fields(self.match_type)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match in self.finder(doc.text):
            span = doc.char_span(match.start, match.end, label=self.key, alignment_mode="expand")
            if span is None:
                continue
            for name in self.value_fields:
                setattr(span._, extension_name(self.prefix, name), getattr(match, name))
            spans.append(span)
        doc.spans[self.key] = spans
        return doc


@Language.factory("baocao_references")
def make_references(nlp: Language, name: str) -> FinderComponent:
    """Citations of other documents -> ``doc.spans["reference"]``."""
    return FinderComponent("reference")


@Language.factory("baocao_money")
def make_money(nlp: Language, name: str) -> FinderComponent:
    """Amounts of money -> ``doc.spans["money"]``."""
    return FinderComponent("money")


@Language.factory("baocao_percent")
def make_percent(nlp: Language, name: str) -> FinderComponent:
    """Percentages -> ``doc.spans["percent"]``."""
    return FinderComponent("percent")


@Language.factory("baocao_dates")
def make_dates(nlp: Language, name: str) -> FinderComponent:
    """Dates and periods -> ``doc.spans["date"]``."""
    return FinderComponent("date")


PIPE_NAMES = ("baocao_references", "baocao_money", "baocao_percent", "baocao_dates")
