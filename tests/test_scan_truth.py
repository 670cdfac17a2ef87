"""The hand transcriptions of real scans (tests/data/scan_truth, read by bench/bench_real_scans.py).

The files' form only: no OCR runs here (the benchmark compares the readings).
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from tests.conftest import REPO, SHARED_CORPUS

TRUTH = REPO / "tests" / "data" / "scan_truth"
PAGES = sorted(TRUTH.glob("*_p*.txt"))


def _notes_and_lines(path):
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    return [ln for ln in lines if ln.startswith("#")], [ln for ln in lines if ln.strip() and not ln.startswith("#")]


def _is_table_page(path) -> bool:
    return any(n.startswith("# table page") for n in _notes_and_lines(path)[0])


TABLE_PAGES = [p for p in PAGES if _is_table_page(p)]


def test_enough_pages_and_table_pages():
    assert len(PAGES) >= 8 and len(TABLE_PAGES) >= 2


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_page_file_form(path):
    assert re.fullmatch(r"[A-Z]{2}-\d{3}_p\d+\.txt", path.name)
    text = path.read_text(encoding="utf-8")
    assert text == unicodedata.normalize("NFC", text)
    notes, lines = _notes_and_lines(path)
    assert notes[0].startswith("# source: ") and lines
    if SHARED_CORPUS.is_dir():
        source = notes[0].removeprefix("# source: ").split()[0]
        assert (SHARED_CORPUS / source).is_file()


@pytest.mark.parametrize("path", TABLE_PAGES, ids=lambda p: p.stem)
def test_table_rows_keep_their_columns(path):
    notes, lines = _notes_and_lines(path)
    assert any(n.startswith("# money: columns ") for n in notes)
    widths = {len(ln.split("|")) for ln in lines if " | " in ln and len(ln.split("|")) > 2}
    assert len(widths) == 1, widths
