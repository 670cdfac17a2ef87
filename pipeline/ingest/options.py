"""How documents are read: one options object the Python API and the CLI pass down to the backends.

The backends never read the environment. ``ReadOptions.from_environment`` is the one place that
does, for callers that do not pass options (``load_document(path)``, ``baocao extract``):
``BAOCAO_OCR=0`` switches OCR off, ``BAOCAO_OCR_WORKERS=N`` sets the Tesseract threads,
``BAOCAO_LEGACY=0`` switches the TCVN3/VNI conversion off.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace

_OFF = ("0", "off", "false", "no")


@dataclass(frozen=True)
class ReadOptions:
    """Options of the ingestion stage.

    ``ocr``: read scanned pages and photos with Tesseract (off: they are only marked as needing
    OCR); ``ocr_workers``: Tesseract subprocesses run at once for one document; ``legacy``:
    convert text typed in the TCVN3 and VNI font encodings to Unicode (off: only to check that a
    Unicode document comes out the same without the step).
    """

    ocr: bool = True
    ocr_workers: int = 1
    legacy: bool = True

    def __post_init__(self) -> None:
        if self.ocr_workers < 1:
            raise ValueError(f"ocr_workers must be at least 1, not {self.ocr_workers}")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ReadOptions:
        """Options from ``BAOCAO_OCR``, ``BAOCAO_OCR_WORKERS`` and ``BAOCAO_LEGACY`` (defaults where unset)."""
        env = os.environ if environ is None else environ
        ocr = env.get("BAOCAO_OCR", "1").strip().lower() not in _OFF
        workers_text = (env.get("BAOCAO_OCR_WORKERS", "") or "1").strip()
        try:
            workers = int(workers_text)
        except ValueError:
            raise ValueError(f"BAOCAO_OCR_WORKERS must be a whole number, not {workers_text!r}") from None
        legacy = env.get("BAOCAO_LEGACY", "1").strip().lower() not in _OFF
        return cls(ocr=ocr, ocr_workers=workers, legacy=legacy)


def read_options(ocr: bool | None = None, environ: Mapping[str, str] | None = None) -> ReadOptions:
    """The environment's options with what the caller said explicitly (``ocr`` when not None)."""
    options = ReadOptions.from_environment(environ)
    return options if ocr is None else replace(options, ocr=ocr)
