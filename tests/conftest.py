"""Session fixtures shared by the test suite.

OCR is switched off for the suite (``BAOCAO_OCR=0``) unless a test turns it on: reading the
~400 scanned pages of ../shared/corpus takes 15-25 minutes on two cores. tests/test_ocr.py tests
OCR itself on synthetic scans and a few real scanned pages.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from spacy.language import Language

from pipeline.document import DocumentText, assemble
from pipeline.errors import IngestError
from pipeline.ingest import load_document
from pipeline.nlp import build_nlp
from pipeline.scan_check import cer  # noqa: F401 - shared by the OCR and legacy-encoding tests
from pipeline.batch import RunSummary, extract

os.environ.setdefault("BAOCAO_OCR", "0")

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CORPUS = REPO / "corpus"
SHARED = REPO.parent / "shared"
SHARED_CORPUS = SHARED / "corpus"
GOLD = SHARED / "gold"


def corpus_file(doc_id: str, suffix: str = "") -> Path:
    """The corpus file whose name starts with ``<doc_id>__`` (sample corpus first, then shared)."""
    for folder in (SAMPLE_CORPUS, SHARED_CORPUS):
        if folder.is_dir():
            matches = sorted(folder.glob(f"{doc_id}__*{suffix}"))
            if matches:
                return matches[0]
    pytest.skip(f"corpus file {doc_id}*{suffix} not found in {SAMPLE_CORPUS} or {SHARED_CORPUS}")




def pdf_from_objects(objects: list[bytes]) -> bytes:
    """A PDF file of ``objects`` (numbered from 1; object 1 is the catalog), with its xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def one_image_pdf(side_pt: float, image_pt: float, px: int, data: bytes | None = None) -> bytes:
    """A one-page PDF, ``side_pt`` square, with a ``px`` × ``px`` gray image drawn ``image_pt`` square
    (``data``: the image's Flate-compressed samples; else raw mid-gray)."""
    if data is None:
        stream, extra = b"\x80" * (px * px), b""
    else:
        stream, extra = data, b" /Filter /FlateDecode"
    content = b"q %g 0 0 %g 0 0 cm /Im1 Do Q" % (image_pt, image_pt)
    return pdf_from_objects([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>"
        % (side_pt, side_pt),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8%s /Length %d >>"
        b"\nstream\n" % (px, px, extra, len(stream)) + stream + b"\nendstream",
    ])


def blank_pdf(path: Path, pages: int) -> None:
    """A PDF of ``pages`` blank A4 pages."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument.new()
    for _ in range(pages):
        pdf.new_page(595, 842)
    pdf.save(str(path))


def blank_tiff(path: Path, frames: int, width: int, height: int, dpi: int = 300) -> None:
    """A TIFF of ``frames`` white bilevel pages of ``width`` × ``height`` pixels, written by hand in
    milliseconds: every page's IFD points at the same PackBits strip (Pillow takes ~0.7 s to encode
    each 100 Mpx frame)."""
    import struct

    whole, rest = divmod((width + 7) // 8, 128)
    # a row of 0xFF bytes (white under BlackIsZero) as PackBits runs: (1 - n) then the byte
    row = b"\x81\xff" * whole + (bytes([(1 - rest) & 0xFF, 0xFF]) if rest > 1 else b"\x00\xff" if rest else b"")
    strip = row * height
    strip_at, resolution_at = 8, 8 + len(strip)
    first_ifd = resolution_at + 8
    tags = 12

    def ifd(next_at: int) -> bytes:
        entries = [
            (256, 4, width), (257, 4, height), (258, 3, 1), (259, 3, 32773), (262, 3, 1), (273, 4, strip_at),
            (277, 3, 1), (278, 4, height), (279, 4, len(strip)), (282, 5, resolution_at), (283, 5, resolution_at),
            (296, 3, 2),
        ]
        packed = b"".join(
            struct.pack("<HHI", tag, kind, 1) + (struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value))
            for tag, kind, value in entries
        )
        return struct.pack("<H", tags) + packed + struct.pack("<I", next_at)

    size = 2 + 12 * tags + 4
    with path.open("wb") as out:
        out.write(b"II*\x00" + struct.pack("<I", first_ifd) + strip + struct.pack("<II", dpi, 1))
        for index in range(frames):
            out.write(ifd(first_ifd + (index + 1) * size if index + 1 < frames else 0))


def shared_file(prefix: str) -> Path:
    """The file of ../shared/corpus whose name starts with ``prefix`` (e.g. ``DN-001``)."""
    matches = sorted(SHARED_CORPUS.glob(f"{prefix}__*"))
    if not matches:
        pytest.fail(f"{prefix} is missing from {SHARED_CORPUS}")
    return matches[0]


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The project's NLP object, built once."""
    return build_nlp()


@pytest.fixture(scope="session")
def shared_texts() -> dict[str, DocumentText]:
    """Normalised text of every readable document in ../shared/corpus, by file name."""
    if not SHARED_CORPUS.is_dir():
        pytest.fail(f"{SHARED_CORPUS} not found: the tests need ../shared beside the repository")
    texts = {}
    for path in sorted(SHARED_CORPUS.iterdir()):
        try:
            texts[path.name] = assemble(load_document(path))
        except IngestError:
            continue
    return texts


@pytest.fixture(scope="session")
def shared_dataset(tmp_path_factory: pytest.TempPathFactory, nlp: Language) -> tuple[Path, RunSummary]:
    """``baocao extract ../shared/corpus`` into a scratch folder, run once per session."""
    out = tmp_path_factory.mktemp("shared_dataset")
    summary = extract([SHARED_CORPUS], out, nlp=nlp)
    return out, summary
