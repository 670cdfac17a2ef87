"""The pipeline version recorded with every document, and a file's doc_id.

Apart from the batch's planning (which files must be read again), nothing here reads documents:
an incremental run that finds every file unchanged imports neither spaCy nor the readers.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.ingest.options import ReadOptions

# What decides the rows a document gives: the fingerprint of pipeline_version covers exactly these
# (folders whole), so a change to any of them makes an incremental run redo the documents.
EXTRACTION_MODULES = (
    "data", "extract", "ingest", "document.py", "errors.py", "facts.py", "nlp.py", "normalize.py", "patterns.py",
    "runner.py", "scan_check.py", "segmenter.py", "store.py", "version.py",
)
# What reads, serves or schedules the dataset without changing what a document gives.
SERVING_MODULES = (
    "__init__.py", "batch.py", "cli.py", "dictionary.py", "evaluate.py", "extras.py", "filters.py", "notebook.py",
    "py.typed", "query.py", "search_index.py", "web",
)


@lru_cache(maxsize=1)
def pipeline_version(options: ReadOptions | None = None) -> str:
    """The version recorded with every document: package version + a fingerprint of its code.

    The fingerprint covers the modules and data files of ``EXTRACTION_MODULES``, so a change to
    what decides a document's rows makes an incremental run redo the documents, and a change to the
    CLI, web page, queries or notebooks does not. Read with OCR or the legacy-font conversion off
    (``options``), the version says so: a later run with them on reads those documents again.
    """
    from pipeline import __version__

    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        if relative.parts[0] not in EXTRACTION_MODULES or "__pycache__" in relative.parts:
            continue
        if path.suffix in (".py", ".txt", ".tsv"):
            digest.update(relative.as_posix().encode())
            digest.update(path.read_bytes())
    reading = "" if options is None or options.ocr else ".no-ocr"
    reading += "" if options is None or options.legacy else ".no-legacy"
    return f"{__version__}+{digest.hexdigest()[:10]}{reading}"


def file_doc_id(path: Path) -> str:
    """The doc_id of a file (first 16 hex of its SHA-256), read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:16]
