"""The NLP stage's output: one typed row per fact span of a Doc, in one linear pass.

The store persists these rows and knows nothing of spaCy; the sentence of each span comes from one
index of the text and its page from a bisection of the blocks, so a long document costs time
linear in its length. Every registered fact type (:mod:`pipeline.facts`) gets its table the same
way: position columns from the span, the other columns from its ``span._`` values.
"""

from __future__ import annotations

from spacy.tokens import Doc

from pipeline import facts
from pipeline.document import DocumentText
from pipeline.extract.base import SentenceIndex
from pipeline.nlp import doc_text as text_of
# the components register the span extensions the rows are read from
import pipeline.extract.components  # noqa: F401


def rows_from_doc(doc: Doc, doc_id: str, text: DocumentText) -> dict[str, list[object]]:
    """Typed rows for every fact span of ``doc`` (whose text is ``text.text``), by table."""
    tables: dict[str, list[object]] = {}
    # Doc.text joins every token anew on each call: read it once
    doc_text = text_of(doc)
    sentences: SentenceIndex | None = None
    for fact_type in facts.registered():
        columns = set(fact_type.column_names)
        values = [(name, fact_type.extension(name), name in fact_type.list_columns) for name in fact_type.value_columns]
        span_text = fact_type.text_from_span and "text" in columns
        with_page = "page" in columns
        with_sentence = "sentence" in columns
        with_id = "fact_id" in columns
        seen: dict[tuple[int, int], int] = {}
        if with_sentence and sentences is None:
            sentences = SentenceIndex(doc_text)
        rows = []
        for span in doc.spans.get(fact_type.key, []):
            row: dict[str, object] = {"doc_id": doc_id, "start": span.start_char, "end": span.end_char}
            if with_id:
                repeat = seen[span.start_char, span.end_char] = seen.get((span.start_char, span.end_char), 0) + 1
                row["fact_id"] = facts.fact_id(doc_id, fact_type.key, span.start_char, span.end_char, repeat)
            if with_page:
                row["page"] = text.page_at(span.start_char)
            if span_text:
                row["text"] = doc_text[span.start_char : span.end_char] if len(span) else span.text
            if with_sentence:
                sentence_start, sentence_end = sentences.bounds(span.start_char, span.end_char)  # type: ignore[union-attr]
                row["sentence"] = doc_text[sentence_start:sentence_end]
            for name, extension, is_list in values:
                value = getattr(span._, extension)
                row[name] = list(value or []) if is_list else value
            rows.append(fact_type.row_type(**row))
        tables[fact_type.table] = rows
    return tables
