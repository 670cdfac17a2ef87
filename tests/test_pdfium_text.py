"""The pdfium reading of plain PDF pages gives the blocks pdfplumber gives, and each page goes to
the reader it needs.

``tests/data/dn001_pages_1_3_12.pdf`` holds pages 1, 3 and 12 of DN-001 (a real report, also in
``corpus/``): page 1 has a few rules (the line under the motto) but no table, page 2 (its page 3)
has no path at all, page 3 (its page 12) is a ruled table.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pdfplumber
import pypdfium2
import pytest
from pdfplumber.utils.text import extract_words

from pipeline.ingest.pdf import _tables, load_pdf
from tests.conftest import pdf_from_objects
from pipeline.ingest.pdfium_text import has_ruled_table, may_rule_table, plain_page_reason, read_plain_page

PAGES = Path(__file__).resolve().parent / "data" / "dn001_pages_1_3_12.pdf"
WORDS = {"x_tolerance": 1.5, "y_tolerance": 2}


def test_each_page_goes_to_the_reader_it_needs() -> None:
    document = pypdfium2.PdfDocument(str(PAGES))
    try:
        reasons = [plain_page_reason(document[i]) for i in range(len(document))]
    finally:
        document.close()
    assert reasons == ["paths", None, "many paths"]
    with pdfplumber.open(str(PAGES)) as pdf:
        # the rules of page 1 make no table; reading its paths alone finds the tables a full read finds
        probed = [has_ruled_table(page, _tables) for page in pdf.pages]
        full = [bool(_tables(page)) for page in pdf.pages]
    assert probed == full == [False, False, True]
    document = pypdfium2.PdfDocument(str(PAGES))
    try:
        # the rules under the header are flat: no table can stand on them, pdfminer is not asked
        assert [may_rule_table(document[i]) for i in range(len(document))] == [False, False, True]
    finally:
        document.close()
    # the table page's chars come from pdfium too, its rules from pdfminer reading it without glyphs
    assert load_pdf(PAGES, PAGES.name, fast=True).provenance["pdfium_pages"] == "1,2,3"
    assert "pdfium_pages" not in load_pdf(PAGES, PAGES.name, fast=False).provenance


def test_pdfium_and_pdfplumber_give_the_same_blocks() -> None:
    slow = load_pdf(PAGES, PAGES.name, fast=False)
    fast = load_pdf(PAGES, PAGES.name, fast=True)
    assert [asdict(b) for b in fast.blocks] == [asdict(b) for b in slow.blocks]
    assert [asdict(p) for p in fast.pages] == [asdict(p) for p in slow.pages]
    assert fast.warnings == slow.warnings
    # the blocks hold real content of all three pages, the table's rows included
    assert {b.page for b in fast.blocks} == {1, 2, 3}
    assert sum(b.kind == "table_row" for b in fast.blocks if b.page == 3) >= 10
    assert "Số: 216 /BC-STC" in [b.text for b in fast.blocks if b.page == 1]


def test_pdfium_chars_make_pdfplumbers_words() -> None:
    document = pypdfium2.PdfDocument(str(PAGES))
    try:
        with pdfplumber.open(str(PAGES)) as pdf:
            for index in (0, 1):
                page = pdf.pages[index]
                chars = read_plain_page(document[index], float(page.height))
                assert chars is not None
                expected = page.extract_words(**WORDS)
                got = extract_words(chars, **WORDS)
                assert [w["text"] for w in got] == [w["text"] for w in expected]
                for mine, theirs in zip(got, expected):
                    assert mine["x0"] == pytest.approx(theirs["x0"], abs=1e-3)
                    assert mine["top"] == pytest.approx(theirs["top"], abs=1e-3)
                    assert mine["bottom"] == pytest.approx(theirs["bottom"], abs=1e-3)
                    # pdfium's advance of a glyph may differ from the font's /Widths by a little
                    assert mine["x1"] == pytest.approx(theirs["x1"], abs=1.0)
    finally:
        document.close()


def _pdf(content: bytes) -> bytes:
    """A one-page PDF in Helvetica (not embedded) whose page draws ``content``."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    return pdf_from_objects(objects)


def test_a_space_drawn_on_its_own_still_separates_two_close_words(tmp_path: Path) -> None:
    # Word writes a space as a text object of its own; pdfium leaves such an object out of its
    # text, pdfminer keeps it, and it splits "-" from "Nhu" although the gap is under 1.5 pt
    lines = [b"BT /F1 12 Tf 72 %d Td (Mot dong van ban de trang co du chu cai de doc nhu trang van ban.) Tj ET" % y
             for y in (760, 740, 720)]
    lines += [
        b"BT /F1 12 Tf 72 700 Td (-) Tj ET",
        b"BT /F1 12 Tf 75.5 700 Td ( ) Tj ET",
        b"BT /F1 12 Tf 77 700 Td (Nhu tren;) Tj ET",
    ]
    path = tmp_path / "space.pdf"
    path.write_bytes(_pdf(b"\n".join(lines)))
    slow = load_pdf(path, path.name, fast=False)
    fast = load_pdf(path, path.name, fast=True)
    assert fast.provenance.get("pdfium_pages") == "1"
    assert [b.text for b in slow.blocks][-1] == "- Nhu tren;"
    assert [asdict(b) for b in fast.blocks] == [asdict(b) for b in slow.blocks]


def test_a_run_of_spaces_under_letters_sends_the_page_to_pdfplumber(tmp_path: Path) -> None:
    # pdfium keeps one space of a run; where pdfminer puts the others, among the letters the run
    # overlaps on its line, pdfium cannot tell
    lines = [b"BT /F1 12 Tf 72 %d Td (Mot dong van ban de trang co du chu cai de doc nhu trang van ban.) Tj ET" % y
             for y in (760, 740, 720)]
    lines += [
        b"BT /F1 12 Tf 300 700 Td (" + b" " * 12 + b") Tj ET",
        b"BT /F1 12 Tf 310 700.5 Td (KT. GIAM DOC) Tj ET",
    ]
    path = tmp_path / "run.pdf"
    path.write_bytes(_pdf(b"\n".join(lines)))
    document = pypdfium2.PdfDocument(str(path))
    try:
        with pdfplumber.open(str(path)) as pdf:
            assert read_plain_page(document[0], float(pdf.pages[0].height)) is None
    finally:
        document.close()
    slow = load_pdf(path, path.name, fast=False)
    fast = load_pdf(path, path.name, fast=True)
    assert "pdfium_pages" not in fast.provenance
    assert [asdict(b) for b in fast.blocks] == [asdict(b) for b in slow.blocks]


def test_a_standard_font_is_measured_as_pdfminer_measures_it(tmp_path: Path) -> None:
    # pdfminer takes Helvetica's descent and widths from its AFM tables, pdfium from its own
    # substitute font: the chars carry pdfminer's
    lines = [b"BT /F1 %d Tf 72 %d Td (Mot dong van ban, 1.234,5 trieu dong; Ky hieu 98/2018/ND-CP.) Tj ET" % (size, y)
             for size, y in ((12, 760), (10, 740), (14, 716))]
    path = tmp_path / "helvetica.pdf"
    path.write_bytes(_pdf(b"\n".join(lines)))
    document = pypdfium2.PdfDocument(str(path))
    try:
        with pdfplumber.open(str(path)) as pdf:
            page = pdf.pages[0]
            chars = read_plain_page(document[0], float(page.height))
            assert chars is not None
            expected = page.extract_words(**WORDS)
    finally:
        document.close()
    got = extract_words(chars, **WORDS)
    assert [w["text"] for w in got] == [w["text"] for w in expected]
    for mine, theirs in zip(got, expected):
        for key in ("x0", "x1", "top", "bottom"):
            assert mine[key] == pytest.approx(theirs[key], abs=1e-3), (mine["text"], key)


_TEXT = b"\n".join(b"BT /F1 12 Tf 72 %d Td (Mot dong van ban de trang co du chu cai de doc nhu trang van ban.) Tj ET" % y
                   for y in (760, 740, 720))


@pytest.mark.parametrize(
    ("paths", "table"),
    [
        # a 2 x 2 grid ruled by six separate lines
        (b"0.5 w 72 600 m 372 600 l S 72 550 m 372 550 l S 72 500 m 372 500 l S "
         b"72 500 m 72 600 l S 222 500 m 222 600 l S 372 500 m 372 600 l S", True),
        # the same grid drawn as two rows of two rectangles, inside a scaled graphics state
        (b"q 2 0 0 2 0 0 cm 0.5 w 36 275 75 25 re S 111 275 75 25 re S 36 250 75 25 re S 111 250 75 25 re S Q", True),
        # a box around a paragraph and two rules under the header: one column, no table
        (b"0.5 w 72 500 300 100 re S 200 800 m 400 800 l S 230 780 m 370 780 l S", False),
    ],
)
def test_a_page_whose_paths_cannot_rule_a_table_skips_the_probe(tmp_path: Path, paths: bytes, table: bool) -> None:
    path = tmp_path / "ruled.pdf"
    path.write_bytes(_pdf(_TEXT + b"\n" + paths))
    document = pypdfium2.PdfDocument(str(path))
    try:
        assert plain_page_reason(document[0]) == "paths"
        may = may_rule_table(document[0])
    finally:
        document.close()
    with pdfplumber.open(str(path)) as pdf:
        found = has_ruled_table(pdf.pages[0], _tables)
    assert (may, found) == (table, table)
