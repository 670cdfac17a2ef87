"""pdfium's paths of a page, painted by pdfminer's own rules, give pdfplumber the objects and the
tables that pdfminer's read of the page gives; where they may not, pdfminer reads the page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2
import pytest

from pipeline.ingest.pdf import _tables, _visible
from pipeline.ingest.pdfium_paths import read_paths
from pipeline.ingest.pdfium_text import read_without_glyphs
from tests.test_pdfium_text import _TEXT, PAGES, _pdf

_KINDS = ("rect", "line", "curve")


def _shapes(page: pdfplumber.page.Page) -> list[tuple[Any, ...]]:
    return [
        (o["object_type"], o["stroke"], o["fill"], _visible(o), o["x0"], o["x1"], o["top"], o["bottom"])
        for kind in _KINDS for o in page.objects.get(kind, [])
    ]


def _both(path: Path, index: int) -> tuple[bool, list[tuple[Any, ...]], list[tuple[Any, ...]], list[Any], list[Any]]:
    """Whether pdfium's paths were read, then the shapes and tables from pdfminer and from pdfium."""
    document = pypdfium2.PdfDocument(str(path))
    try:
        with pdfplumber.open(str(path)) as pdf:
            page = pdf.pages[index]
            assert read_without_glyphs(page)
            reference = _shapes(page)
            reference_tables = [(t.bbox, t.extract()) for t in _tables(page)]
            page.flush_cache()
            read = read_paths(document[index], page)
            shapes = _shapes(page) if read else []
            tables = [(t.bbox, t.extract()) for t in _tables(page)] if read else []
            page.flush_cache()
    finally:
        document.close()
    return read, reference, shapes, reference_tables, tables


def _close(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> bool:
    """Same kinds, paint and visibility in the same order; coordinates within pdfium's precision."""
    return len(a) == len(b) and all(
        x[:4] == y[:4] and all(abs(p - q) < 1e-4 for p, q in zip(x[4:], y[4:])) for x, y in zip(a, b)
    )


def test_a_ruled_table_of_a_real_report_is_found_the_same_from_pdfium() -> None:
    # DN-001's page 12: a table of hundreds of thin black rectangles (Word's borders)
    read, reference, shapes, reference_tables, tables = _both(PAGES, 2)
    assert read and len(reference) > 100 and _close(reference, shapes)
    assert len(tables) == len(reference_tables) >= 1
    for (box, rows), (reference_box, reference_rows) in zip(tables, reference_tables):
        assert rows == reference_rows
        assert all(abs(p - q) < 1e-4 for p, q in zip(box, reference_box))


@pytest.mark.parametrize(
    "paths",
    [
        # ruled by lines, closed and open rectangles, a Bézier corner, a white box behind the text
        (b"0.5 w 72 600 m 372 600 l S 72 550 m 372 550 l S 72 500 m 372 500 l S "
         b"72 500 m 72 600 l S 222 500 m 222 600 l S 372 500 m 372 600 l S "
         b"1 g 60 400 400 80 re f 0 g 72 300 150 50 re S 222 300 150 50 re S 60 60 20 20 re f* "
         b"72 200 m 300 200 l 320 200 330 210 330 230 c h S 0 0 1 rg 100 100 20 20 re B"),
        # the grid drawn as rectangles inside a scaled graphics state, with a clipping path
        (b"q 2 0 0 2 0 0 cm 0 0 300 400 re W n 0.5 w 36 275 75 25 re S 111 275 75 25 re S "
         b"36 250 75 25 re S 111 250 75 25 re S Q"),
    ],
)
def test_paths_from_pdfium_are_pdfminers(tmp_path: Path, paths: bytes) -> None:
    path = tmp_path / "ruled.pdf"
    path.write_bytes(_pdf(_TEXT + b"\n" + paths))
    read, reference, shapes, reference_tables, tables = _both(path, 0)
    assert read and _close(reference, shapes)
    assert [rows for _, rows in tables] == [rows for _, rows in reference_tables]


@pytest.mark.parametrize(
    "paths",
    [
        b"0 0 0 0 k 60 400 400 80 re f",  # CMYK white is (0, 0, 0, 0) to pdfminer: not white
        b"/DeviceRGB cs 1 1 1 sc 60 400 400 80 re f",  # a colour space pdfium does not report
        b"0.99 g 60 400 400 80 re f",  # 252.45 of 255: too close to white to tell from pdfium's RGB
        b"72 300 150 50 re s",  # closed twice: a curve to pdfminer, a rectangle to pdfium
    ],
)
def test_a_page_whose_fill_colours_pdfium_cannot_tell_goes_to_pdfminer(tmp_path: Path, paths: bytes) -> None:
    path = tmp_path / "coloured.pdf"
    path.write_bytes(_pdf(_TEXT + b"\n" + paths))
    read, *_ = _both(path, 0)
    assert not read


def test_a_k_printed_in_a_string_is_no_colour_operator(tmp_path: Path) -> None:
    path = tmp_path / "k.pdf"
    path.write_bytes(_pdf(_TEXT + b"\nBT /F1 12 Tf 72 650 Td [(k)4( )-23(N)] TJ ET\n1 g 60 400 400 80 re f"))
    read, reference, shapes, _, _ = _both(path, 0)
    assert read and _close(reference, shapes)
