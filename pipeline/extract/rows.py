"""The NLP stage's output: one typed row per fact span of a Doc, in one linear pass.

The store persists these rows and knows nothing of spaCy; the sentence of each span comes from one
index of the text and its page from a bisection of the blocks, so a long document costs time
linear in its length.
"""

from __future__ import annotations

from spacy.tokens import Doc

from pipeline.document import DocumentText
from pipeline.extract.base import SentenceIndex
from pipeline.extract.components import EXTRACTORS, SECTION_FIELDS, extension_name, value_fields
from pipeline.store import AmountRow, DateRow, DifficultyRow, PercentageRow, ReferenceRow, SectionRow

# span key in ``doc.spans`` -> (table, row type)
FACT_TABLES: dict[str, tuple[str, type]] = {
    "reference": ("references", ReferenceRow),
    "money": ("amounts", AmountRow),
    "percent": ("percentages", PercentageRow),
    "date": ("dates", DateRow),
}


def rows_from_doc(doc: Doc, doc_id: str, text: DocumentText) -> dict[str, list[object]]:
    """Typed rows for every fact span of ``doc`` (whose text is ``text.text``)."""
    tables: dict[str, list[object]] = {}
    # Doc.text joins every token anew on each call: read it once
    doc_text = doc.text
    sentences = SentenceIndex(doc_text)
    for key, (table, row_type) in FACT_TABLES.items():
        prefix, _, match_type = EXTRACTORS[key]
        names = value_fields(match_type)
        rows = []
        for span in doc.spans.get(key, []):
            sentence_start, sentence_end = sentences.bounds(span.start_char, span.end_char)
            values = {name: getattr(span._, extension_name(prefix, name)) for name in names}
            rows.append(
                row_type(
                    doc_id=doc_id,
                    text=span.text,
                    start=span.start_char,
                    end=span.end_char,
                    page=text.page_at(span.start_char),
                    sentence=doc_text[sentence_start:sentence_end],
                    **values,
                )
            )
        tables[table] = rows
    tables["sections"] = [
        SectionRow(
            doc_id=doc_id,
            **{name: getattr(span._, f"section_{name}") for name in SECTION_FIELDS},
            start=span.start_char,
            end=span.end_char,
            page=text.page_at(span.start_char),
        )
        for span in doc.spans.get("section", [])
    ]
    tables["difficulties"] = [
        DifficultyRow(
            doc_id=doc_id,
            kind=span._.difficulty_kind,
            text=span._.difficulty_text,
            section=span._.difficulty_section,
            categories=list(span._.difficulty_categories or []),
            group_id=None,
            start=span.start_char,
            end=span.end_char,
            page=text.page_at(span.start_char),
        )
        for span in doc.spans.get("difficulty", [])
    ]
    return tables
