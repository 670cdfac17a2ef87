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

from pipeline.document import DocumentText, text_as_document
from pipeline.extract.categories import classify
from pipeline.extract.dates import DateMatch, find_dates
from pipeline.extract.difficulties import find_difficulties
from pipeline.extract.metadata import DocumentMetadata, extract_metadata
from pipeline.extract.money import MoneyMatch, find_money
from pipeline.extract.percent import PercentMatch, find_percentages
from pipeline.extract.references import ReferenceMatch, find_references
from pipeline.extract.sections import find_sections

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




def document_text_of(doc: Doc) -> DocumentText:
    """The block structure a document was built from, or one paragraph block per line of a raw text.

    ``pipeline.nlp.annotate`` puts the ``DocumentText`` in ``doc.user_data``; a ``Doc`` made
    from a plain string (a notebook, a test) gets its lines as paragraphs.
    """
    document = doc.user_data.get(DOCUMENT_TEXT_KEY)
    if isinstance(document, DocumentText):
        return document
    return text_as_document(doc.text)


DOCUMENT_TEXT_KEY = "baocao_document_text"
SECTION_FIELDS = ("section_id", "parent_id", "level", "number", "heading")
DIFFICULTY_FIELDS = ("kind", "text", "section", "categories")

METADATA_EXTENSION = "baocao_metadata"
if not Doc.has_extension(METADATA_EXTENSION):
    Doc.set_extension(METADATA_EXTENSION, default=None)

for _field in SECTION_FIELDS:
    if not Span.has_extension(f"section_{_field}"):
        Span.set_extension(f"section_{_field}", default=None)
for _field in DIFFICULTY_FIELDS:
    if not Span.has_extension(f"difficulty_{_field}"):
        Span.set_extension(f"difficulty_{_field}", default=None)


def metadata_of(doc: Doc) -> DocumentMetadata:
    """The document's metadata from the metadata stage, or read now for a Doc built without it."""
    metadata = getattr(doc._, METADATA_EXTENSION)
    return metadata if isinstance(metadata, DocumentMetadata) else extract_metadata(document_text_of(doc).blocks)


class MetadataComponent:
    """Header and signature blocks -> ``doc._.baocao_metadata`` (a ``DocumentMetadata``)."""

    def __call__(self, doc: Doc) -> Doc:
        setattr(doc._, METADATA_EXTENSION, extract_metadata(document_text_of(doc).blocks))
        return doc


class SectionComponent:
    """The section tree -> ``doc.spans["section"]`` (each span covers its whole section)."""

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for section in find_sections(document_text_of(doc)):
            span = doc.char_span(section.start, section.end, label="section", alignment_mode="expand")
            if span is None:
                continue
            for name in SECTION_FIELDS:
                setattr(span._, f"section_{name}", getattr(section, name))
            spans.append(span)
        doc.spans["section"] = spans
        return doc


class DifficultyComponent:
    """Listed difficulties, causes and recommendations -> ``doc.spans["difficulty"]``, classified."""

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for item in find_difficulties(document_text_of(doc), metadata=metadata_of(doc)):
            span = doc.char_span(item.start, item.end, label=item.kind, alignment_mode="expand")
            if span is None:
                continue
            span._.difficulty_kind = item.kind
            span._.difficulty_text = item.text
            span._.difficulty_section = item.section
            span._.difficulty_categories = classify(item.text, item.kind)
            spans.append(span)
        doc.spans["difficulty"] = spans
        return doc


@Language.factory("baocao_metadata")
def make_metadata(nlp: Language, name: str) -> MetadataComponent:
    """Document metadata -> ``doc._.baocao_metadata``."""
    return MetadataComponent()


@Language.factory("baocao_sections")
def make_sections(nlp: Language, name: str) -> SectionComponent:
    """Section tree -> ``doc.spans["section"]``."""
    return SectionComponent()


@Language.factory("baocao_difficulties")
def make_difficulties(nlp: Language, name: str) -> DifficultyComponent:
    """Difficulty, cause and recommendation items -> ``doc.spans["difficulty"]``."""
    return DifficultyComponent()


# The order build_nlp adds the components in.
PIPE_NAMES = (
    "baocao_metadata", "baocao_references", "baocao_money", "baocao_percent", "baocao_dates", "baocao_sections", "baocao_difficulties",
)
