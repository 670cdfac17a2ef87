"""One document from file to rows, and a batch of documents into the store."""

from __future__ import annotations

import ctypes
import hashlib
import logging
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from spacy.language import Language

from pipeline.document import DocumentText, assemble
from pipeline.errors import PAGE_ALLOWANCE_S, BaocaoError, IngestError, UsageError
from pipeline.extract.components import metadata_of
from pipeline.extract.metadata import DocumentMetadata
from pipeline.ingest import ReadOptions, SourceDocument, load_document, page_count
# the readers load at their first call; here, before any document's time limit can interrupt an import
import pipeline.ingest.doc  # noqa: F401
import pipeline.ingest.docx  # noqa: F401
import pipeline.ingest.image  # noqa: F401
import pipeline.ingest.pdf  # noqa: F401
import pipeline.ingest.txt  # noqa: F401
from pipeline.nlp import annotate, doc_text
from pipeline.extract.rows import rows_from_doc
from pipeline.extract.tables import read_cells
from pipeline.store import BlockRow, DocumentRow, ErrorRow, PageRow, SignatureRow, TableCellRow, per_document_tables
# the version and doc_id functions live in a module light enough for an unchanged re-run
from pipeline.version import EXTRACTION_MODULES, SERVING_MODULES, file_doc_id, pipeline_version

logger = logging.getLogger("baocao")
NOT_A_DOCUMENT_CODES = frozenset({"UNSUPPORTED_FORMAT", "NOT_A_FILE"})


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


# After the limit, the alarm is raised again at this interval until the document stops.
_TIMEOUT_REPEAT_S = 0.1


class DocumentTimeout(BaseException):
    """One document took longer than the per-document time limit.

    A ``BaseException``, like ``KeyboardInterrupt``: it is raised asynchronously (by SIGALRM, or
    injected into a worker thread) at whatever line runs, and libraries wrap lines in ``except
    Exception`` (pdfminer's tokenizer does, around a log call made for every token), which would
    swallow an ``Exception``.
    """

    stage = "pipeline"
    code = "TIMEOUT"

    # defaults: an exception injected into a thread (PyThreadState_SetAsyncExc) is built without arguments
    def __init__(self, seconds: float = 0.0, path: str = "") -> None:
        self.path = path
        super().__init__(f"{path}: stopped after the per-document limit of {seconds:g} s [TIMEOUT]")


@dataclass
class Deadline:
    """Whether a document's time limit has passed (set by the alarm, whatever became of its exception)."""

    expired: bool = False


class _ThreadAlarm:
    """The alarm of a thread other than the main one (a Dask worker thread, a server thread), where
    SIGALRM cannot be used: a watchdog thread injects ``DocumentTimeout`` into the thread
    (``PyThreadState_SetAsyncExc``, raised at its next Python line) after ``seconds``, then every
    ``_TIMEOUT_REPEAT_S`` until stopped."""

    def __init__(self, seconds: float, deadline: Deadline) -> None:
        self.target = threading.get_ident()
        self.deadline = deadline
        self.seconds = seconds
        self.stopped = threading.Event()
        self.watchdog = threading.Thread(target=self._watch, name="baocao-time-limit", daemon=True)
        self.watchdog.start()

    def _inject(self, exception: type[BaseException] | None) -> None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(self.target), ctypes.py_object(exception) if exception else ctypes.c_void_p(0)
        )

    def _watch(self) -> None:
        delay = self.seconds
        while not self.stopped.wait(delay):
            self.deadline.expired = True
            self._inject(DocumentTimeout)
            delay = _TIMEOUT_REPEAT_S

    def stop(self) -> None:
        """Stop the watchdog and drop an injected exception not raised yet."""
        self.stopped.set()
        self.watchdog.join()
        self._inject(None)


@contextmanager
def time_limit(seconds: float | None, source_path: str) -> Iterator[Deadline]:
    """Raise ``DocumentTimeout`` in this thread after ``seconds`` (no limit when ``seconds`` is falsy).

    In the main thread the alarm is SIGALRM (unblocked here: a parent that started this process
    with SIGALRM blocked would otherwise silence it); in any other thread a watchdog injects the
    exception. The alarm repeats every ``_TIMEOUT_REPEAT_S`` until the block ends, and the block
    raises ``DocumentTimeout`` on leaving if the limit passed, whether the alarm was delivered or
    not (by the clock): an alarm that lands where Python cannot raise (a finaliser, a ctypes
    argument conversion that re-raises it as ``ArgumentError``, a long call into C) is not lost.
    ``Deadline.expired`` tells a caller that an error came after the limit.
    """
    deadline = Deadline()
    if not seconds:
        yield deadline
        return
    started = time.monotonic()
    try:
        if threading.current_thread() is threading.main_thread():

            def expire(_signum: int, _frame: object) -> None:
                deadline.expired = True
                raise DocumentTimeout(seconds, source_path)

            previous = signal.signal(signal.SIGALRM, expire)
            blocked = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})
            signal.setitimer(signal.ITIMER_REAL, seconds, _TIMEOUT_REPEAT_S)
            try:
                yield deadline
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
                if signal.SIGALRM in blocked:
                    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        else:
            alarm = _ThreadAlarm(seconds, deadline)
            try:
                yield deadline
            except DocumentTimeout:
                deadline.expired = True  # raised again below, with the document's name
            finally:
                alarm.stop()
    finally:
        if time.monotonic() - started >= seconds:
            deadline.expired = True
    if deadline.expired:
        raise DocumentTimeout(seconds, source_path)


def document_limit(timeout: float | None, pages: int) -> float | None:
    """The time limit of a document of ``pages`` pages: ``timeout`` for its first page and
    ``PAGE_ALLOWANCE_S`` more for each other one (``None``: no limit).

    A fixed limit lost every long scanned report: OCR takes seconds a page, so a 90-page scan
    cannot finish in what catches a hung one-page file.
    """
    if not timeout:
        return None
    return timeout + PAGE_ALLOWANCE_S * max(0, pages - 1)


def _failed_row(doc_id: str, source_path: str, suffix: str, size: int, version: str) -> DocumentRow:
    return DocumentRow(
        doc_id=doc_id, source_path=source_path, file_format=suffix.lstrip(".") or "unknown", pages=None, ocr_pages=0,
        status="failed", doc_type=None, doc_kind=None, agency=None, parent_agency=None, doc_number=None, issuer=None, place=None, issued_date=None, year=None,
        title=None, signer=None, province=None, draft=None, stamped_number=None, stamped_date=None, text="", pipeline_version=version, file_size=size, encoding=None,
    )


def _cause_of_type(error: BaseException, wanted: type[DocumentTimeout]) -> DocumentTimeout | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, wanted):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def process_file(
    path: Path, source_path: str, nlp: Language, timeout: float | None = None, options: ReadOptions | None = None
) -> DocumentResult:
    """Read, normalise, tokenise and extract one file. Never raises for bad input.

    ``timeout`` (seconds, for a one-page document: see ``document_limit``) turns a document that
    takes too long into a failed row with a ``TIMEOUT`` error instead of a hung batch. ``options`` say how to read it (default: from the
    environment, ``ReadOptions.from_environment``). Logs the outcome (status, seconds, error
    codes) at DEBUG level on the ``baocao`` logger.
    """
    started = time.perf_counter()
    result = _process_file(path, source_path, nlp, timeout, options)
    if logger.isEnabledFor(logging.DEBUG):
        codes = ", ".join(sorted({e.code for e in result.errors}))
        logger.debug("%s: %s in %.2f s%s", source_path, result.status, time.perf_counter() - started,
                     f" ({codes})" if codes else "")
    return result


def _process_file(
    path: Path, source_path: str, nlp: Language, timeout: float | None, options: ReadOptions | None
) -> DocumentResult:
    options = options if options is not None else ReadOptions.from_environment()
    version = pipeline_version(options)
    try:
        if not path.is_file():  # a FIFO, device, folder or broken link: opening it could block forever
            raise IngestError("NOT_A_FILE", "not a regular file (a pipe, device, folder or broken link)", source_path)
        data = path.read_bytes()
    except IngestError as e:
        return DocumentResult(source_path, None, [ErrorRow(source_path, None, e.stage, e.code, str(e))])
    except OSError as e:
        error = ErrorRow(source_path, None, "read", "UNREADABLE", f"{source_path}: cannot read the file ({e.strerror or e})")
        return DocumentResult(source_path, None, [error])
    doc_id = _doc_id(data)
    deadline = Deadline()
    timeout = document_limit(timeout, page_count(path)) if timeout else None
    try:
        with time_limit(timeout, source_path) as deadline:
            source = load_document(path, source_path, options)
            text = assemble(source)
            nlp_doc = annotate(nlp, text)
            if doc_text(nlp_doc) != text.text:
                raise BaocaoError("TOKENIZER_MISMATCH", "tokenised text differs from the normalised text", source_path)
            facts = rows_from_doc(nlp_doc, doc_id, text)
            meta = metadata_of(nlp_doc)
    except DocumentTimeout:
        return _timeout_result(DocumentTimeout(timeout or 0, source_path), doc_id, source_path, path.suffix, len(data), version)
    except Exception as e:  # noqa: BLE001 - sorted below; a bug on one file must not stop the batch
        # an alarm that a library caught and turned into another error (pdfplumber wraps what it
        # did not raise itself) is still the time limit
        timeout_error = _cause_of_type(e, DocumentTimeout)
        if timeout_error is not None or deadline.expired:
            return _timeout_result(DocumentTimeout(timeout or 0, source_path), doc_id, source_path, path.suffix, len(data), version)
        return _error_result(e, doc_id, source_path, path.suffix, len(data), version)
    return _rows(doc_id, source_path, len(data), source, text, meta, facts, version)


def _timeout_result(
    error: DocumentTimeout, doc_id: str, source_path: str, suffix: str, size: int, version: str
) -> DocumentResult:
    row = ErrorRow(source_path, doc_id, error.stage, error.code, str(error))
    return DocumentResult(source_path, _failed_row(doc_id, source_path, suffix, size, version), [row])


def _error_result(e: Exception, doc_id: str, source_path: str, suffix: str, size: int, version: str) -> DocumentResult:
    """The result of a file whose reading or extraction raised ``e`` (coded, or a bug)."""
    if isinstance(e, BaocaoError):
        error = ErrorRow(source_path, doc_id, e.stage, e.code, str(e))
        if isinstance(e, IngestError) and e.code in NOT_A_DOCUMENT_CODES:
            return DocumentResult(source_path, None, [error])
    else:
        error = ErrorRow(source_path, doc_id, "internal", "INTERNAL_ERROR", f"{source_path}: {type(e).__name__}: {e}")
    return DocumentResult(source_path, _failed_row(doc_id, source_path, suffix, size, version), [error])


def _rows(
    doc_id: str, source_path: str, size: int, source: SourceDocument, text: DocumentText,
    meta: DocumentMetadata, facts: dict[str, list[object]], version: str,
) -> DocumentResult:
    errors: list[ErrorRow] = []
    needing_ocr = source.pages_needing_ocr
    if needing_ocr:
        pages = _page_ranges(needing_ocr)
        errors.append(
            ErrorRow(source_path, doc_id, "ingest", "OCR_NEEDED",
                     f"{source_path}: page(s) {pages} have no usable text layer and were not read by OCR "
                     "(tesseract -l vie is missing, or OCR is switched off: --no-ocr, BAOCAO_OCR=0)")
        )
    for code, message in source.warnings:
        errors.append(ErrorRow(source_path, doc_id, "ingest", code, f"{source_path}: {message}"))
    fields = asdict(meta)
    unreadable = fields.pop("unreadable")
    if unreadable:
        errors.append(
            ErrorRow(source_path, doc_id, "nlp", "HEADER_UNREADABLE",
                     f"{source_path}: {', '.join(unreadable)} printed in the scanned header but handwritten or "
                     "unreadable: left empty")
        )
    if fields.pop("numbered_by_file_name"):
        errors.append(
            ErrorRow(source_path, doc_id, "nlp", "NUMBER_FROM_FILE_NAME",
                     f"{source_path}: the number is handwritten or unreadable in the scanned header; "
                     f"{meta.doc_number} is read from the file's name")
        )
    if fields.pop("dated_by_signature"):
        errors.append(
            ErrorRow(source_path, doc_id, "nlp", "DATE_FROM_SIGNATURE",
                     f"{source_path}: the day is handwritten or unreadable in the scanned header; "
                     f"{meta.issued_date} is the day of the file's first digital signature")
        )
    document = DocumentRow(
        doc_id=doc_id,
        source_path=source_path,
        file_format=source.file_format,
        pages=source.page_count,
        ocr_pages=sum(1 for p in source.pages if p.method == "ocr" or p.needs_ocr),
        status="partial" if errors else "ok",
        **fields,
        text=text.text,
        pipeline_version=version,
        file_size=size,
        encoding=source.provenance.get("encoding"),
    )
    blocks = [
        BlockRow(doc_id, b.index, b.kind, b.start, b.end, b.page, b.source, b.column, b.style) for b in text.blocks
    ]
    pages = [PageRow(doc_id, p.page, p.method, p.chars, p.ocr_confidence, p.skew, p.coverage, p.unreadable) for p in source.pages]
    cells = [
        TableCellRow(doc_id, c.table, c.row, c.column, c.part, c.start, c.end, text.page_at(c.start), c.text, c.header, c.value, c.unit)
        for c in read_cells(text.text)
    ]
    signatures = [
        SignatureRow(doc_id, g.index, g.signed_at, g.signer, g.signer_kind, g.unit, g.organization, g.place, g.email, g.reason)
        for g in source.signatures
    ]
    return DocumentResult(
        source_path, document, errors,
        {"blocks": blocks, "pages": pages, "table_cells": cells, "signatures": signatures, **facts},
    )


# Version of the layout of parse_file's dictionary (README: "One file, no store"); raised when a
# key is renamed or removed, not when a table or column is added.
PARSE_FORMAT = 1


def check_file(path: Path) -> None:
    """Raise :class:`UsageError` when ``path`` cannot be a document to parse: it does not exist, or
    it is a folder (``extract`` reads folders)."""
    if not path.exists() and not path.is_symlink():
        raise UsageError(f"no such file: {path}")
    if path.is_dir():
        raise UsageError(f"{path} is a folder: parse reads one file (baocao extract reads folders)")


def parse_file(
    path: Path | str, options: ReadOptions | None = None, *, nlp: Language | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """One file's document, facts and errors as one JSON-ready dictionary, without a store.

    The rows are those ``extract`` writes for the file (the same :func:`process_file`), each as a
    dictionary of its table's columns (``extracted/README.md``)::

        {"format": 1, "source_path": "…", "status": "ok" | "partial" | "failed" | "unsupported",
         "document": {documents row, its text included} | None,
         "errors": [errors rows], "tables": {"blocks": [...], "pages": [...], "references": [...], …}}

    ``tables`` names every per-document table, empty lists included. Columns the store computes
    across documents stay empty here (``difficulties.group_id``, ``references.cited_doc_id``).
    Bad input never raises (its status and errors say what went wrong), except a path that is
    missing or a folder: :class:`~pipeline.errors.UsageError`. ``nlp`` (default: a new
    :func:`~pipeline.nlp.build_nlp`) is worth passing when parsing several files.
    """
    path = Path(path)
    check_file(path)
    if nlp is None:
        from pipeline.nlp import build_nlp

        nlp = build_nlp()
    source_path = path.as_posix()
    result = process_file(path, source_path, nlp, timeout=timeout, options=options)
    return {
        "format": PARSE_FORMAT,
        "source_path": source_path,
        "status": result.status,
        "document": asdict(result.document) if result.document is not None else None,
        "errors": [asdict(error) for error in result.errors],
        "tables": {name: [asdict(row) for row in result.tables.get(name, [])] for name in per_document_tables()},  # type: ignore[call-overload]
    }


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


__all__ = [
    "EXTRACTION_MODULES", "SERVING_MODULES", "DocumentResult", "check_file", "file_doc_id", "parse_file", "pipeline_version",
    "process_file",
]
