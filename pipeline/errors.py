"""Coded errors. Every failure that reaches the dataset carries a stage, a code and the file."""

from __future__ import annotations

# seconds a document may take before it becomes a failed row with a TIMEOUT error (``extract``'s
# default; here, in a module without dependencies, so that the CLI shows it without importing the batch)
DEFAULT_TIMEOUT_S = 300.0
# seconds each page after the first adds to that limit: a scanned page's OCR takes a few seconds
# (bench/bench_ocr.py), so a long scan is given time in proportion and a hung file is still stopped
PAGE_ALLOWANCE_S = 10.0


class BaocaoError(Exception):
    """Base class: a problem with one input file, recorded in the ``errors`` table."""

    stage = "pipeline"

    def __init__(self, code: str, message: str, path: str | None = None) -> None:
        self.code = code
        self.message = message
        self.path = path
        super().__init__(f"{path}: {message} [{code}]" if path else f"{message} [{code}]")


class IngestError(BaocaoError):
    """The file could not be read as a document (empty, corrupt, encrypted, unknown format)."""

    stage = "ingest"


class NlpError(BaocaoError):
    """The normalised text could not be processed by the NLP pipeline."""

    stage = "nlp"


class UsageError(Exception):
    """What was asked cannot be done at all (a missing input, nothing to read, an unusable output
    folder): the run stops before reading anything, and the CLI exits with status 2."""


class OutputBusy(UsageError):
    """Another ``extract`` holds the lock of the output folder: this run stops before reading
    anything, and the CLI exits with status 3."""


class OutputUnwritable(Exception):
    """The store could not be written during a run (disk full, file-size limit, I/O error, a
    file system turned read-only): the run stops, what was written stays whole (one transaction
    per document), and the CLI exits with status 4."""
