"""Text that a PDF's annotations print is read with the page's own.

A digitally signed document (VNPT SmartCA and the like) stamps its number and day into the
appearance stream of a signature widget when it is signed: viewers print it where the widget's
rectangle places it, pdfminer and the pdfium plain-page reader read only the page content, which
holds a blank there ("Số:      /TTr-SNV", "ngày    tháng 8 năm 2025").
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pdfplumber
import pypdfium2
import pytest

from pipeline.ingest.pdf import load_pdf
from pipeline.ingest.pdfium_text import annotation_chars
from tests.conftest import pdf_from_objects

FILLER = b"Mot dong van ban de trang co du chu cai de doc nhu trang van ban."


def _form(content: bytes, width: float, height: float) -> bytes:
    """An appearance stream: a form XObject ``width`` × ``height`` in Helvetica (font object 4)."""
    return (b"<< /Type /XObject /Subtype /Form /BBox [0 0 %g %g] /Resources << /Font << /F1 4 0 R >> >> /Length %d >>\nstream\n"
            % (width, height, len(content)) + content + b"\nendstream")


def _signed_pdf(annotations: list[tuple[bytes, bytes]]) -> bytes:
    """One page whose content reads "So:" and a blank before "/TTr-SNV" (x 72-123, baseline 700),
    "Lam Dong, ngay" and a blank before "thang 8 nam 2025" (blank x 160.04-186.73, baseline 680) and
    three lines of text; ``annotations`` are (annotation dictionary without /AP, appearance form)."""
    lines = [b"BT /F1 12 Tf 72 700 Td (So:" + b" " * 12 + b"/TTr-SNV) Tj ET",
             b"BT /F1 12 Tf 72 680 Td (Lam Dong, ngay" + b" " * 8 + b"thang 8 nam 2025) Tj ET"]
    lines += [b"BT /F1 12 Tf 72 %d Td (" % y + FILLER + b") Tj ET" for y in (660, 640, 620)]
    content = b"\n".join(lines)
    first = 6  # objects 6, 7 are the first annotation and its appearance, and so on
    refs = b" ".join(b"%d 0 R" % (first + 2 * i) for i in range(len(annotations)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R /Annots [" + refs + b"] >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    for index, (annotation, appearance) in enumerate(annotations):
        objects.append(annotation[:-2] + b" /P 3 0 R /AP << /N %d 0 R >> >>" % (first + 2 * index + 1))
        objects.append(appearance)
    return pdf_from_objects(objects)


# the number stamped in the blank after "So:": "187" is 20 pt wide in Helvetica 12
NUMBER = (b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /F 4 /Rect [95 696 125 712] >>",
          _form(b"BT /F1 12 Tf 0 4 Td (187) Tj ET", 30, 16))

# the day stamped at the end of the blank after "ngay", touching "thang": "28" is 13.34 pt wide
DAY = (b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature2) /F 4 /Rect [173.39 676 190 692] >>",
       _form(b"BT /F1 12 Tf 0 4 Td (28) Tj ET", 16.61, 16))


def _load(tmp_path: Path, annotations: list[tuple[bytes, bytes]], fast: bool) -> list[str]:
    path = tmp_path / "signed.pdf"
    path.write_bytes(_signed_pdf(annotations))
    return [block.text for block in load_pdf(path, path.name, fast=fast).blocks]


@pytest.mark.parametrize("fast", [True, False])
def test_a_number_stamped_by_a_signature_widget_is_read_in_its_line(tmp_path: Path, fast: bool) -> None:
    assert _load(tmp_path, [], fast)[:2] == ["So: /TTr-SNV", "Lam Dong, ngay thang 8 nam 2025"]
    # the spaces of the blank under the stamp do not split it, those beside it still separate it
    assert _load(tmp_path, [NUMBER, DAY], fast)[:2] == ["So: 187 /TTr-SNV", "Lam Dong, ngay 28 thang 8 nam 2025"]
    # and the blocks say what was stamped, not printed
    path = tmp_path / "signed.pdf"
    blocks = load_pdf(path, path.name, fast=fast).blocks
    assert [block.stamps for block in blocks] == [("187",), ("28",), (), (), ()][: len(blocks)]


def test_both_readers_give_the_same_blocks_with_an_annotation(tmp_path: Path) -> None:
    path = tmp_path / "signed.pdf"
    path.write_bytes(_signed_pdf([NUMBER, DAY]))
    fast, slow = load_pdf(path, path.name, fast=True), load_pdf(path, path.name, fast=False)
    assert [asdict(b) for b in fast.blocks] == [asdict(b) for b in slow.blocks]


@pytest.mark.parametrize("fast", [True, False])
def test_hidden_image_only_and_repeated_appearances_add_nothing(tmp_path: Path, fast: bool) -> None:
    hidden = (b"<< /Type /Annot /Subtype /Widget /FT /Sig /F 2 /Rect [95 696 125 712] >>",  # Hidden flag
              _form(b"BT /F1 12 Tf 0 4 Td (999) Tj ET", 30, 16))
    no_view = (b"<< /Type /Annot /Subtype /Stamp /F 32 /Rect [300 696 330 712] >>",  # NoView flag
               _form(b"BT /F1 12 Tf 0 4 Td (555) Tj ET", 30, 16))
    drawing = (b"<< /Type /Annot /Subtype /Widget /FT /Sig /F 4 /Rect [400 600 480 680] >>",  # a seal drawn, no text
               _form(b"1 0 0 RG 40 40 m 80 40 l 40 80 l h S", 80, 80))
    # a stamp printing the same words at the same place as the page content
    repeated = (b"<< /Type /Annot /Subtype /Stamp /F 4 /Rect [72 656 200 672] >>",
                _form(b"BT /F1 12 Tf 0 4 Td (Mot dong van) Tj ET", 128, 16))
    texts = _load(tmp_path, [hidden, no_view, drawing, repeated], fast)
    assert texts == _load(tmp_path, [], fast)
    assert texts[0] == "So: /TTr-SNV"


def test_annotation_chars_are_placed_as_pdfminer_places_the_page(tmp_path: Path) -> None:
    path = tmp_path / "signed.pdf"
    path.write_bytes(_signed_pdf([NUMBER]))
    document = pypdfium2.PdfDocument(str(path))
    try:
        with pdfplumber.open(str(path)) as pdf:
            page = pdf.pages[0]
            chars = annotation_chars(document, 0, float(page.height))
            slash = next(c for c in page.chars if c["text"] == "/")
    finally:
        document.close()
    assert "".join(c["text"] for c in chars) == "187"
    assert chars[0]["x0"] == pytest.approx(95, abs=0.01)
    # same baseline, same font and size as the page's "/TTr-SNV": same top and bottom
    assert chars[0]["top"] == pytest.approx(slash["top"], abs=0.01)
    assert chars[0]["bottom"] == pytest.approx(slash["bottom"], abs=0.01)


@pytest.mark.parametrize("fast", [True, False])
def test_a_box_of_signature_details_is_not_mixed_into_the_lines(tmp_path: Path, fast: bool) -> None:
    # "Người ký: … Thời gian ký: …" in a box of its own in the margin beside the text: read into the
    # page's lines it would break them ("ov.vn BÁO CÁO …"); it is left out, the stamped number kept
    details = (b"<< /Type /Annot /Subtype /Widget /FT /Sig /F 4 /Rect [5 600 60 680] >>",
               _form(b"BT /F1 7 Tf 0 70 Td (Nguoi ky: So) Tj 0 -9 Td (Tai chinh) Tj 0 -9 Td (Email:) Tj "
                     b"0 -9 Td (stc@gov.vn) Tj 0 -9 Td (Thoi gian ky:) Tj 0 -9 Td (20.05.2019) Tj ET", 55, 80))
    texts = _load(tmp_path, [details, NUMBER], fast)
    assert texts[0] == "So: 187 /TTr-SNV"
    assert not any("Email" in text or "20.05.2019" in text for text in texts)


def test_pdfium_reads_a_page_whose_annotations_stamp_nothing_into_its_lines(tmp_path: Path) -> None:
    # a box of signature details in the margin is left out whichever reader reads the page: pdfium
    # reads the page; a number stamped into a blank needs pdfminer's spaces: pdfplumber reads it
    details = (b"<< /Type /Annot /Subtype /Widget /FT /Sig /F 4 /Rect [5 600 60 680] >>",
               _form(b"BT /F1 7 Tf 0 70 Td (Nguoi ky: So) Tj 0 -9 Td (Tai chinh) Tj 0 -9 Td (Email:) Tj "
                     b"0 -9 Td (stc@gov.vn) Tj 0 -9 Td (Thoi gian ky:) Tj 0 -9 Td (20.05.2019) Tj ET", 55, 80))
    path = tmp_path / "signed.pdf"
    for stamps, by_pdfium in (([], True), ([details], True), ([details, NUMBER], False)):
        path.write_bytes(_signed_pdf(stamps))
        fast, slow = load_pdf(path, path.name, fast=True), load_pdf(path, path.name, fast=False)
        assert [asdict(b) for b in fast.blocks] == [asdict(b) for b in slow.blocks]
        assert (fast.provenance.get("pdfium_pages") == "1") is by_pdfium, stamps
