"""Thin spaCy components: each runs one pure finder and writes ``doc.spans[<key>]``.

One component per fact type of the registry (:mod:`pipeline.facts`): a fact type with a finder over
the text gets a generic :class:`FinderComponent` (``register_components``); sections and difficulty
items, which read the document's blocks and metadata, have components of their own below.

Values go to namespaced span extensions (``span._.money_value``, ``span._.reference_code`` …),
never to a shared generic attribute. Span boundaries are the finder's offsets expanded to token
boundaries, so ``span.text`` is always a slice of ``doc.text``.
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline import facts
from pipeline.document import DocumentText, text_as_document
from pipeline.extract.categories import classify
from pipeline.extract.difficulties import find_difficulties
from pipeline.extract.metadata import DocumentMetadata, extract_metadata
from pipeline.extract.sections import find_sections
from pipeline.facts import FactType
from pipeline.nlp import doc_text

METADATA_PIPE = "baocao_metadata"


class FinderComponent:
    """Runs a fact type's pure finder over ``doc.text`` and stores its matches as spans with values."""

    def __init__(self, key: str) -> None:
        fact_type = facts.fact(key)
        self.key = key
        self.finder = facts.resolve_finder(fact_type)
        self.values = [(name, fact_type.extension(name)) for name in fact_type.value_columns]

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match in self.finder(doc_text(doc)):
            span = doc.char_span(match.start, match.end, label=self.key, alignment_mode="expand")
            if span is None:
                continue
            for name, extension in self.values:
                setattr(span._, extension, getattr(match, name))
            spans.append(span)
        doc.spans[self.key] = spans
        return doc


def _finder_factory(fact_type: FactType) -> Callable[[Language, str], FinderComponent]:
    key = fact_type.key

    def make(nlp: Language, name: str) -> FinderComponent:
        return FinderComponent(key)

    make.__doc__ = f"{fact_type.summary.capitalize()} -> ``doc.spans[{key!r}]``."
    return make


def register_components() -> None:
    """Make every registered fact type runnable: its span extensions, and a spaCy factory for each
    fact type with a finder (idempotent; call it again after registering a new fact type)."""
    for fact_type in facts.registered():
        for name in fact_type.value_columns:
            if not Span.has_extension(fact_type.extension(name)):
                Span.set_extension(fact_type.extension(name), default=None)
        if fact_type.finder is not None and not Language.has_factory(fact_type.factory):
            Language.factory(fact_type.factory, func=_finder_factory(fact_type))


def pipe_names() -> tuple[str, ...]:
    """The components ``build_nlp`` adds, in order: metadata, then one per fact type."""
    return (METADATA_PIPE, *(fact_type.factory for fact_type in facts.registered()))





def document_text_of(doc: Doc) -> DocumentText:
    """The block structure a document was built from, or one paragraph block per line of a raw text.

    ``pipeline.nlp.annotate`` puts the ``DocumentText`` in ``doc.user_data``; a ``Doc`` made
    from a plain string (a notebook, a test) gets its lines as paragraphs.
    """
    document = doc.user_data.get(DOCUMENT_TEXT_KEY)
    if isinstance(document, DocumentText):
        return document
    return text_as_document(doc_text(doc))


DOCUMENT_TEXT_KEY = "baocao_document_text"

METADATA_EXTENSION = "baocao_metadata"
if not Doc.has_extension(METADATA_EXTENSION):
    Doc.set_extension(METADATA_EXTENSION, default=None)


def metadata_of(doc: Doc) -> DocumentMetadata:
    """The document's metadata from the metadata stage, or read now for a Doc built without it."""
    metadata = getattr(doc._, METADATA_EXTENSION)
    if isinstance(metadata, DocumentMetadata):
        return metadata
    text = document_text_of(doc)
    return extract_metadata(text.blocks, text.name, text.signed_on)


class MetadataComponent:
    """Header and signature blocks -> ``doc._.baocao_metadata`` (a ``DocumentMetadata``)."""

    def __call__(self, doc: Doc) -> Doc:
        text = document_text_of(doc)
        setattr(doc._, METADATA_EXTENSION, extract_metadata(text.blocks, text.name, text.signed_on))
        return doc


class SectionComponent:
    """The section tree -> ``doc.spans["section"]`` (each span covers its whole section)."""

    def __init__(self) -> None:
        self.values = [(name, facts.fact("section").extension(name)) for name in facts.fact("section").value_columns]

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for section in find_sections(document_text_of(doc)):
            span = doc.char_span(section.start, section.end, label="section", alignment_mode="expand")
            if span is None:
                continue
            for name, extension in self.values:
                setattr(span._, extension, getattr(section, name))
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


@Language.factory(METADATA_PIPE)
def make_metadata(nlp: Language, name: str) -> MetadataComponent:
    """Document metadata -> ``doc._.baocao_metadata``."""
    return MetadataComponent()


@Language.factory(facts.fact("section").factory)
def make_sections(nlp: Language, name: str) -> SectionComponent:
    """Section tree -> ``doc.spans["section"]``."""
    return SectionComponent()


@Language.factory(facts.fact("difficulty").factory)
def make_difficulties(nlp: Language, name: str) -> DifficultyComponent:
    """Difficulty, cause and recommendation items -> ``doc.spans["difficulty"]``."""
    return DifficultyComponent()


register_components()
