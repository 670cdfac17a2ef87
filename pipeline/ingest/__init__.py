"""Ingestion: one backend per format, chosen by content sniffing first and by suffix second."""

from __future__ import annotations

import importlib
import zipfile
from collections.abc import Callable
from pathlib import Path

from pipeline.errors import IngestError
from pipeline.ingest.model import Block, PageInfo, SourceDocument
from pipeline.ingest.options import ReadOptions

Backend = Callable[[Path, str, ReadOptions], SourceDocument]


def _backend(module: str, function: str) -> Backend:
    """The loader ``pipeline.ingest.<module>.<function>``, imported at its first call: reading the
    options or planning an incremental run needs none of the PDF, Word or image libraries."""

    def load(path: Path, display_path: str, options: ReadOptions) -> SourceDocument:
        loader: Backend = getattr(importlib.import_module(f"pipeline.ingest.{module}"), function)
        return loader(path, display_path, options)

    load.__name__ = load.__qualname__ = function
    return load

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGIC = {
    b"\xff\xd8\xff": "jpg",
    b"\x89PNG\r\n\x1a\n": "png",
    b"II*\x00": "tif",
    b"MM\x00*": "tif",
}
SUFFIX_FORMATS = {
    ".txt": "txt",
    ".text": "txt",
    ".docx": "docx",
    ".doc": "doc",
    ".pdf": "pdf",
    ".jpg": "image",
    ".jpeg": "image",
    ".png": "image",
    ".tif": "image",
    ".tiff": "image",
}


BACKENDS: dict[str, Backend] = {
    "txt": _backend("txt", "load_txt"),
    "docx": _backend("docx", "load_docx"),
    "doc": _backend("doc", "load_doc"),
    "pdf": _backend("pdf", "load_pdf"),
    "image": _backend("image", "load_image"),
}


def sniff_format(path: Path, display_path: str) -> str:
    """Decide the format from the first bytes; the suffix only decides among text-like files."""
    with path.open("rb") as handle:
        head = handle.read(16)
    suffix_format = SUFFIX_FORMATS.get(path.suffix.lower())
    if not head:
        raise IngestError("EMPTY_FILE", "the file is empty (0 bytes)", display_path)
    if head.startswith(b"%PDF-") or (b"%PDF-" in _read_prefix(path, 1024)):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if suffix_format in ("docx", "doc") or _is_docx(path):
            return "docx"  # the DOCX backend says what is wrong with a broken archive
        raise IngestError("UNSUPPORTED_FORMAT", "a ZIP archive that is not a Word document", display_path)
    if head.startswith(_OLE_MAGIC):
        return "doc"
    for magic, _kind in _IMAGE_MAGIC.items():
        if head.startswith(magic):
            return "image"
    if suffix_format == "txt":
        return "txt"
    if suffix_format is None:
        raise IngestError("UNSUPPORTED_FORMAT", f"unknown file type '{path.suffix or '(no suffix)'}'", display_path)
    raise IngestError(
        "WRONG_CONTENT",
        f"named {path.suffix} but its content is not a {suffix_format.upper()} file",
        display_path,
    )


def page_count(path: Path) -> int:
    """How many pages ``path`` holds, by a quick look (a PDF's page tree, a TIFF's frames): 1 for
    other formats and for a file too broken to count, whose backend then says what is wrong.

    The batch gives a long document more time by it (``pipeline.runner.document_limit``).
    """
    try:
        kind = sniff_format(path, str(path))
        if kind == "pdf":
            import pypdfium2

            document = pypdfium2.PdfDocument(str(path))
            try:
                return max(1, len(document))
            finally:
                document.close()
        if kind == "image":
            from PIL import Image

            with Image.open(path) as image:
                return max(1, int(getattr(image, "n_frames", 1)))
    except Exception:  # noqa: BLE001 - any failure to count: the backend reports the file's problem
        return 1
    return 1


def _read_prefix(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def _is_docx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return True  # let the DOCX backend report what is broken


def load_document(path: Path, display_path: str | None = None, options: ReadOptions | None = None) -> SourceDocument:
    """Read any supported file into a ``SourceDocument`` (raises ``IngestError`` on bad input).

    ``options`` say how (OCR on or off, its threads); without them they come from the environment
    (``ReadOptions.from_environment``), read here once and passed to the backend.
    """
    shown = display_path or str(path)
    if not path.is_file():
        raise IngestError("NOT_A_FILE", "not a regular file", shown)
    options = options if options is not None else ReadOptions.from_environment()
    document = BACKENDS[sniff_format(path, shown)](path, shown, options)
    document.provenance.setdefault("suffix", path.suffix.lower())
    return document


__all__ = ["Block", "PageInfo", "ReadOptions", "SourceDocument", "load_document", "page_count", "sniff_format", "SUFFIX_FORMATS"]
