"""One document from file to rows, and a batch of documents into the store."""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from spacy.language import Language

from pipeline.document import DocumentText, assemble
from pipeline.errors import BaocaoError, IngestError
from pipeline.extract.metadata import extract_metadata
from pipeline.ingest import SourceDocument, load_document
from pipeline.nlp import annotate, build_nlp
from pipeline.store import (
    DATABASE_NAME,
    BlockRow,
    DocumentRow,
    ErrorRow,
    PageRow,
    connect,
    export_parquet,
    regroup_difficulties,
    rows_from_doc,
    table_counts,
    write_document,
)

NOT_A_DOCUMENT_CODES = frozenset({"UNSUPPORTED_FORMAT", "NOT_A_FILE"})


def pipeline_version() -> str:
    """The version recorded with every document (package version)."""
    from pipeline import __version__

    return __version__


@dataclass
class DocumentResult:
    """Everything one input file produced: its document row, its errors and its fact rows."""

    source_path: str
    document: DocumentRow | None
    errors: list[ErrorRow] = field(default_factory=list)
    tables: dict[str, list[object]] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """ok / partial / failed, or ``unsupported`` for files that are not documents."""
        if self.document is not None:
            return self.document.status
        if any(e.code in NOT_A_DOCUMENT_CODES for e in self.errors):
            return "unsupported"
        return "failed"


def _doc_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _failed_row(doc_id: str, source_path: str, suffix: str, size: int) -> DocumentRow:
    return DocumentRow(
        doc_id=doc_id, source_path=source_path, file_format=suffix.lstrip(".") or "unknown", pages=None, ocr_pages=0,
        status="failed", doc_type=None, doc_number=None, issuer=None, place=None, issued_date=None, year=None,
        title=None, signer=None, province=None, text="", pipeline_version=pipeline_version(), file_size=size, encoding=None,
    )


def process_file(path: Path, source_path: str, nlp: Language) -> DocumentResult:
    """Read, normalise, tokenise and extract one file. Never raises for bad input."""
    try:
        data = path.read_bytes()
    except OSError as e:
        error = ErrorRow(source_path, None, "read", "UNREADABLE", f"{source_path}: cannot read the file ({e.strerror or e})")
        return DocumentResult(source_path, None, [error])
    doc_id = _doc_id(data)
    try:
        source = load_document(path, source_path)
        text = assemble(source)
        nlp_doc = annotate(nlp, text)
        if nlp_doc.text != text.text:
            raise BaocaoError("TOKENIZER_MISMATCH", "tokenised text differs from the normalised text", source_path)
        facts = rows_from_doc(nlp_doc, doc_id, text)
    except IngestError as e:
        error = ErrorRow(source_path, doc_id, e.stage, e.code, str(e))
        if e.code in NOT_A_DOCUMENT_CODES:
            return DocumentResult(source_path, None, [error])
        return DocumentResult(source_path, _failed_row(doc_id, source_path, path.suffix, len(data)), [error])
    except BaocaoError as e:
        error = ErrorRow(source_path, doc_id, e.stage, e.code, str(e))
        return DocumentResult(source_path, _failed_row(doc_id, source_path, path.suffix, len(data)), [error])
    except Exception as e:  # noqa: BLE001 - a bug on one file must not stop the batch
        error = ErrorRow(source_path, doc_id, "internal", "INTERNAL_ERROR", f"{source_path}: {type(e).__name__}: {e}")
        return DocumentResult(source_path, _failed_row(doc_id, source_path, path.suffix, len(data)), [error])
    return _rows(doc_id, source_path, len(data), source, text, facts)


def _rows(
    doc_id: str, source_path: str, size: int, source: SourceDocument, text: DocumentText, facts: dict[str, list[object]]
) -> DocumentResult:
    errors: list[ErrorRow] = []
    needing_ocr = source.pages_needing_ocr
    if needing_ocr:
        pages = _page_ranges(needing_ocr)
        errors.append(
            ErrorRow(source_path, doc_id, "ingest", "OCR_NEEDED",
                     f"{source_path}: page(s) {pages} have no usable text layer; OCR is not available yet")
        )
    for code, message in source.warnings:
        errors.append(ErrorRow(source_path, doc_id, "ingest", code, f"{source_path}: {message}"))
    meta = extract_metadata(text.blocks)
    document = DocumentRow(
        doc_id=doc_id,
        source_path=source_path,
        file_format=source.file_format,
        pages=source.page_count,
        ocr_pages=len(needing_ocr),
        status="partial" if errors else "ok",
        **asdict(meta),
        text=text.text,
        pipeline_version=pipeline_version(),
        file_size=size,
        encoding=source.provenance.get("encoding"),
    )
    blocks = [
        BlockRow(doc_id, b.index, b.kind, b.start, b.end, b.page, b.source, b.column, b.style) for b in text.blocks
    ]
    pages = [PageRow(doc_id, p.page, p.method, p.chars) for p in source.pages]
    return DocumentResult(source_path, document, errors, {"blocks": blocks, "pages": pages, **facts})


def _page_ranges(pages: Sequence[int]) -> str:
    ranges: list[str] = []
    start = previous = pages[0]
    for page in list(pages[1:]) + [None]:  # type: ignore[list-item]
        if page is not None and page == previous + 1:
            previous = page
            continue
        ranges.append(f"{start}" if start == previous else f"{start}-{previous}")
        if page is not None:
            start = previous = page
    return ", ".join(ranges)


def discover(inputs: Sequence[Path]) -> Iterator[tuple[Path, str]]:
    """Yield (file, path relative to its input root) for every file under the inputs, sorted.

    Hidden files and folders are skipped; symbolic links to folders are not followed.
    """
    for root in inputs:
        if root.is_file() or not root.exists():
            yield root, root.name
            continue
        for directory, subdirs, files in os.walk(root, followlinks=False):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
            for name in sorted(files):
                if not name.startswith("."):
                    path = Path(directory) / name
                    yield path, path.relative_to(root).as_posix()


@dataclass
class RunSummary:
    """What a batch did: documents by status, rows per table, seconds."""

    statuses: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    database: Path | None = None

    @property
    def failed(self) -> int:
        """Number of documents that could not be read."""
        return self.statuses.get("failed", 0)


ProgressCallback = Callable[[DocumentResult], None]


def extract(
    inputs: Sequence[Path | str],
    out_dir: Path | str,
    on_document: ProgressCallback | None = None,
    nlp: Language | None = None,
) -> RunSummary:
    """Process every file under ``inputs`` into ``out_dir/reports.sqlite`` and Parquet files."""
    started = time.perf_counter()
    out = Path(out_dir)
    nlp = nlp or build_nlp()
    connection = connect(out / DATABASE_NAME)
    summary = RunSummary(database=out / DATABASE_NAME)
    seen: set[str] = set()
    try:
        for path, source_path in discover([Path(p) for p in inputs]):
            result = process_file(path, source_path, nlp)
            if result.document is not None and result.document.doc_id in seen:
                # the same bytes under another name: one document, but each failing copy keeps its error row
                if result.status == "failed":
                    write_document(connection, source_path, None, result.errors, {})
                else:
                    summary.duplicates += 1
            else:
                write_document(connection, source_path, result.document, result.errors, result.tables)
                if result.document is not None:
                    seen.add(result.document.doc_id)
            summary.statuses[result.status] += 1
            if on_document is not None:
                on_document(result)
        regroup_difficulties(connection)
        export_parquet(connection, out)
        summary.rows = table_counts(connection)
    finally:
        connection.close()
    summary.seconds = time.perf_counter() - started
    return summary
