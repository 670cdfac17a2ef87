"""Ruled tables found on page images agree with the tables of the same pages' text layer."""

from __future__ import annotations

import numpy as np
import pdfplumber
import pypdfium2
import pytest
from PIL import Image

from pipeline.ingest.ocr import OcrWord, ocr_image, pdf_page_image, ruled_tables, straighten
from pipeline.ingest.ocr_tables import TableGrid, accepted_figure, doubtful_figures, fill_tables
from pipeline.ingest.pdf import _visible
from pipeline.scan_check import degrade
from tests.conftest import corpus_file


def _scan(doc_id: str, index: int, seed: int) -> Image.Image:
    document = pypdfium2.PdfDocument(str(corpus_file(doc_id, ".pdf")))
    clean = document[index].render(scale=300 / 72, grayscale=True).to_pil()
    scan, _angle = degrade(clean, np.random.default_rng(seed))
    return straighten(scan)[0]


def _text_layer_tables(doc_id: str, index: int) -> list[tuple[int, int]]:
    with pdfplumber.open(str(corpus_file(doc_id, ".pdf"))) as pdf:
        tables = pdf.pages[index].filter(_visible).find_tables()
        return [(len(t.rows), max(len(r.cells) for r in t.rows)) for t in tables if len(t.rows) >= 2]


def _shape(grids: list[TableGrid]) -> list[tuple[int, int]]:
    return [(len(g.rows), max(len(c) - 1 for c in g.cells)) for g in grids]


@pytest.mark.parametrize(("doc_id", "index"), [("DN-007", 0), ("DN-001", 11), ("DN-001", 20), ("DN-014", 0), ("LD-015", 5)])
@pytest.mark.parametrize("seed", [1, 2])
def test_grid_of_a_scanned_ruled_table_matches_the_text_layer(doc_id: str, index: int, seed: int) -> None:
    assert _shape(ruled_tables(_scan(doc_id, index, seed), 300)) == _text_layer_tables(doc_id, index)


@pytest.mark.parametrize(("doc_id", "index"), [("DN-006", 0), ("DN-001", 0), ("DN-003", 0), ("LD-086", 0)])
def test_pages_without_a_ruled_table_give_none(doc_id: str, index: int) -> None:
    """Header underlines, framed titles and Word's invisible white boxes are not tables."""
    assert ruled_tables(_scan(doc_id, index, 1), 300) == []


def test_invisible_white_boxes_are_not_table_edges_in_a_text_layer() -> None:
    # DN-006's first page is prose laid over white filled rectangles
    with pdfplumber.open(str(corpus_file("DN-006", ".pdf"))) as pdf:
        assert pdf.pages[0].find_tables(), "the white boxes are there"
        assert not pdf.pages[0].filter(_visible).find_tables()


def _word(text: str, left: int, top: int, line: int, width: int = 40, height: int = 30) -> OcrWord:
    return OcrWord(text=text, conf=90, left=left, top=top, right=left + width, bottom=top + height, line=(1, 1, line))


def test_words_fill_cells_and_unruled_lines_become_rows() -> None:
    # two ruled bands; the second holds two printed rows (dotted rule between them) and a wrapped cell
    grid = TableGrid(rows=[(0, 100), (100, 300)], cells=[[0, 100, 400, 600], [0, 100, 400, 600]], left=0, right=600)
    words = [
        _word("TT", 10, 30, 1), _word("Nội", 110, 30, 1), _word("dung", 160, 30, 1), _word("Tiền", 410, 30, 1),
        _word("1", 10, 120, 2), _word("Thu", 110, 120, 2), _word("1.200", 410, 120, 2),
        _word("2", 10, 220, 3), _word("Chi", 110, 220, 3), _word("800", 410, 220, 3),
        _word("ngoài", 700, 50, 4),
    ]
    outside = fill_tables([grid], words)
    assert [w.text for w in outside] == ["ngoài"]
    assert grid.cell_text == [["TT", "Nội dung", "Tiền"], ["1", "Thu", "1.200"], ["2", "Chi", "800"]]


def test_a_wrapped_cell_stays_one_row() -> None:
    grid = TableGrid(rows=[(0, 100), (100, 300)], cells=[[0, 100, 400, 600], [0, 100, 400, 600]], left=0, right=600)
    words = [
        _word("TT", 10, 30, 1), _word("Nội", 110, 30, 1), _word("Tiền", 410, 30, 1),
        _word("1", 10, 120, 2), _word("Thu", 110, 120, 2), _word("ngân", 160, 120, 2), _word("|1.200", 410, 120, 2),
        _word("sách", 110, 220, 3),
    ]
    fill_tables([grid], words)
    assert grid.cell_text[1] == ["1", "Thu ngân\nsách", "1.200"]


def test_digit_look_alikes_in_a_column_of_figures_are_figures() -> None:
    grid = TableGrid(rows=[(0, 100), (100, 200), (200, 300), (300, 400), (400, 500)], cells=[[0, 100, 400, 600]] * 5, left=0, right=600)
    words = [
        _word("TT", 10, 30, 1), _word("Tỉnh", 110, 30, 1), _word("Số", 410, 30, 1),
        _word("l", 10, 130, 2), _word("An", 110, 130, 2), _word("90", 410, 130, 2),
        _word("2", 10, 230, 3), _word("Lai", 110, 230, 3), _word("l", 410, 230, 3),
        _word("3", 10, 330, 4), _word("Hà", 110, 330, 4), _word("12", 410, 330, 4),
        _word("I1", 10, 430, 5), _word("Ô", 110, 430, 5), _word("2O", 410, 430, 5),
    ]
    fill_tables([grid], words)
    assert grid.cell_text == [["TT", "Tỉnh", "Số"], ["1", "An", "90"], ["2", "Lai", "1"], ["3", "Hà", "12"], ["11", "Ô", "20"]]


def test_roman_section_numbers_stay_letters() -> None:
    grid = TableGrid(rows=[(0, 100), (100, 200), (200, 300), (300, 400)], cells=[[0, 100, 400, 600]] * 4, left=0, right=600)
    words = [
        _word("I", 10, 30, 1), _word("Vay", 110, 30, 1), _word("161.773", 410, 30, 1),
        _word("1", 10, 130, 2), _word("NHPT", 110, 130, 2), _word("161.773", 410, 130, 2),
        _word("2", 10, 230, 3), _word("NHTM", 110, 230, 3), _word("-", 410, 230, 3),
        _word("II", 10, 330, 4), _word("Tạm", 110, 330, 4), _word("I", 410, 330, 4),
    ]
    fill_tables([grid], words)
    assert [row[0] for row in grid.cell_text] == ["I", "1", "2", "II"]


def test_a_tall_wrapped_cell_beside_a_stray_mark_stays_one_row() -> None:
    # a price row: the description wraps over four lines, the figures sit on the third; OCR read
    # a stray mark in the name cell on the second line
    grid = TableGrid(rows=[(0, 100), (100, 500)], cells=[[0, 100, 300, 500, 700]] * 2, left=0, right=700)
    words = [
        _word("Mã", 10, 30, 1), _word("Tên", 110, 30, 1), _word("Đặc", 310, 30, 1), _word("Giá", 510, 30, 1),
        _word("Làm", 310, 110, 2), _word("sẵn", 360, 110, 2),
        _word("sa", 110, 210, 3), _word("con", 310, 210, 3),
        _word("10.008", 10, 310, 4), _word("Gà", 110, 310, 4), _word("1,5", 310, 310, 4), _word("80.000", 510, 310, 4),
        _word("hoặc", 310, 410, 5),
    ]
    fill_tables([grid], words)
    assert grid.cell_text[1] == ["10.008", "sa\nGà", "Làm sẵn\ncon\n1,5\nhoặc", "80.000"]


def test_a_dotted_rule_read_as_marks_does_not_keep_rows_together() -> None:
    # a band of three printed rows whose dotted rules OCR read as flat "words" ("mm", "cóc", "—")
    # between the lines; a flat dash on a row is that row's "no value" mark
    grid = TableGrid(rows=[(0, 100), (100, 400)], cells=[[0, 100, 400, 600]] * 2, left=0, right=600)
    words = [
        _word("TT", 10, 30, 1), _word("Nội", 110, 30, 1), _word("Tiền", 410, 30, 1),
        _word("II", 10, 110, 2), _word("Thu", 110, 110, 2), _word("3.309", 410, 110, 2),
        _word("mm", 110, 158, 3, height=3), _word("cóc", 410, 160, 3, height=2), _word("—", 10, 159, 3, height=3),
        _word("III", 10, 200, 4), _word("Chuyển", 110, 200, 4), _word("-", 420, 214, 4, height=4),
        _word("—_", 110, 258, 5, height=2),
        _word("IV", 10, 300, 6), _word("Kết", 110, 300, 6), _word("787.216", 410, 300, 6),
    ]
    fill_tables([grid], words)
    assert grid.cell_text[1:] == [["II", "Thu", "3.309"], ["III", "Chuyển", "-"], ["IV", "Kết", "787.216"]]


def test_a_row_whose_cells_all_wrap_beside_one_date_stays_one_row() -> None:
    # a petition register: name, address and request each wrap over three lines, the date and the
    # number of the row stand on one of them; the lines line up across cells but are one row
    grid = TableGrid(rows=[(0, 100), (100, 400)], cells=[[0, 150, 300, 500, 700]] * 2, left=0, right=700)
    words = [
        _word("Ngày", 10, 30, 1), _word("Họ", 160, 30, 1), _word("Địa", 310, 30, 1), _word("Nội", 510, 30, 1),
        _word("Ông", 160, 110, 2), _word("Bon", 310, 110, 2), _word("Kiến", 510, 110, 2),
        _word("25/03/2019", 10, 200, 3), _word("Điều", 160, 200, 3), _word("Bù", 310, 200, 3), _word("nghị", 510, 200, 3),
        _word("Đa", 160, 300, 4), _word("Dấp", 310, 300, 4), _word("chi", 510, 300, 4),
    ]
    fill_tables([grid], words)
    assert grid.cell_text[1] == ["25/03/2019", "Ông\nĐiều\nĐa", "Bon\nBù\nDấp", "Kiến\nnghị\nchi"]


def _page_image(doc_id: str, index: int) -> Image.Image:
    document = pypdfium2.PdfDocument(str(corpus_file(doc_id, ".pdf")))
    return straighten(document[index].render(scale=300 / 72, grayscale=True).to_pil())[0]


def test_a_scanner_streak_down_a_text_page_is_not_a_table() -> None:
    """DN-047 p. 3 carries two dark vertical streaks across the text; dotted noise meets them."""
    assert ruled_tables(_page_image("DN-047", 2), 300) == []


def test_row_rules_that_stop_at_a_merged_column_still_make_a_table() -> None:
    """DN-049 p. 5 continues a table whose left columns are merged: its row rules start at a vertical rule."""
    assert [len(g.rows) for g in ruled_tables(_page_image("DN-049", 4), 300)] == [6]


@pytest.mark.parametrize(
    ("printed", "reading", "kept"),
    [
        ("44.2717", "44.277", "44.277"),  # a rule read as a digit
        ("44.2717", "44277", "44.277"),  # the second reading lost the small dot: regrouped
        ("48723|", "48.723", "48.723"),  # the thousands dot lost, the rule read as a bar
        ("5164|", "51.764", "51.764"),  # a digit lost: within two edits
        ("§0.000-", "80.000", "80.000"),  # a bold 8 read as §
        ("§0.000-", "80.000.", "80.000"),  # a dash beside it read as a separator: trimmed
        ("101770", "101.770", "101.770"),
        ("5164|", "7.003", None),  # another number: not taken
        ("2019", "2019", None),  # a year in a header cell agrees with itself
        ("44.2717", ".", None),
        ("0,111", "0111", None),  # a decimal comma is not regrouped into thousands
        ("18.8", "18,8", "18,8"),  # a decimal comma read as a dot
        ("88.5", "8,5", None),  # a digit lost where the groups are sound
    ],
)
def test_a_digits_only_reading_replaces_a_doubtful_figure_only_when_it_keeps_its_digits(
    printed: str, reading: str, kept: str | None
) -> None:
    assert accepted_figure(printed, reading) == kept


def test_doubtful_words_are_those_of_figure_columns_that_break_the_grouping() -> None:
    # rule marks read off the rules are no words of the column; a figure with a bar beside it counts
    grid = TableGrid(rows=[(40 * n, 40 * n + 40) for n in range(9)], cells=[[0, 100, 200]] * 9, left=0, right=200)
    texts = [
        ("Thu nội địa", "1.967.948"), ("Chi thường xuyên", "44.2717"), ("Dự phòng 2019", "6.444.820|"),
        ("Chi khác", "5164"), ("Thu khác", "I9"), ("Chi trả nợ", "§63"), ("|", "]"), ("—", "|"), ("Chi bổ sung", "2.500|"),
    ]
    words = [
        OcrWord(text, 90.0, 10 + 100 * column, 10 + 40 * row, 90 + 100 * column, 30 + 40 * row, (1, 1, row))
        for row, cells in enumerate(texts) for column, text in enumerate(cells)
    ]
    assert [word.text for word, _cell in doubtful_figures([grid], words)] == ["44.2717", "5164"]


def test_figures_of_a_real_scanned_budget_table_are_read_again_with_digits_only() -> None:
    """DN-010 p. 3 (a ruled budget table, triệu đồng): the line reading gives 44.2717, 48723| and 5164."""
    document = pypdfium2.PdfDocument(str(corpus_file("DN-010", ".pdf")))
    image, dpi = pdf_page_image(document, 2)
    texts = [word.text for word in ocr_image(image, dpi).words]
    assert {"44.277", "51.764", "101.770"} <= set(texts), texts
    assert texts.count("48.723") == 2, texts  # "48723|" and "4872|", in a column with its rule marks


def test_header_rows_are_the_leading_rows_before_a_row_of_figures() -> None:
    from pipeline.ingest.ocr_tables import header_cells

    grid = TableGrid(rows=[(0, 100), (100, 140), (140, 180), (180, 220)], cells=[[0, 100, 400, 600]] * 4, left=0, right=600)
    texts = [("STT", "Chỉ tiêu", "kỳ họp thứ 7"), ("", "Năm", "2018"), ("1", "Thu ngân sách", "1.200"), ("2", "Chi", "800")]
    words = [
        OcrWord(text, 90.0, 10 + [0, 100, 400][column], 10 + [0, 100, 140, 180][row], 90 + [0, 100, 400][column], 30 + [0, 100, 140, 180][row], (1, 1, row))
        for row, cells in enumerate(texts) for column, text in enumerate(cells) if text
    ]
    cells = header_cells([grid], words)
    # "thứ 7" and a year are header words; the row with 1.200 is the body
    assert [(box[1], " ".join(w.text for w in ws)) for box, ws in cells] == [
        (0, "STT"), (0, "Chỉ tiêu"), (0, "kỳ họp thứ 7"), (100, "Năm"), (100, "2018"),
    ]


def test_centred_header_cells_of_other_heights_keep_their_own_lines() -> None:
    # "Kế hoạch / năm 2018" and "So sánh / KH (%)" sit between the three lines of the tall cell
    # beside them: each cell's lines are read on their own, not chained through its neighbour's
    grid = TableGrid(rows=[(0, 200)], cells=[[0, 100, 300, 500, 700]], left=0, right=700)
    words = [
        _word("STT", 10, 70, 1),
        _word("Số", 110, 20, 1), _word("liệu", 160, 20, 1), _word("hiện", 110, 70, 2), _word("2018", 160, 70, 2),
        _word("chính", 110, 120, 3), _word("thức", 160, 120, 3),
        _word("Kế", 310, 45, 4), _word("hoạch", 360, 45, 4), _word("năm", 310, 95, 5), _word("2018", 360, 95, 5),
        _word("So", 510, 35, 6), _word("sánh", 560, 38, 6), _word("KH", 510, 85, 7), _word("(%)", 560, 88, 7),
    ]
    fill_tables([grid], words)
    assert grid.cell_text == [["STT", "Số liệu\nhiện 2018\nchính thức", "Kế hoạch\nnăm 2018", "So sánh\nKH (%)"]]


def test_header_cells_of_a_real_scanned_table_are_read_on_their_own() -> None:
    """DN-016 p. 4: the page's reading of its header gave "_— nh" for "So sánh với KH (%)"."""
    document = pypdfium2.PdfDocument(str(corpus_file("DN-016", ".pdf")))
    image, dpi = pdf_page_image(document, 3)
    page = ocr_image(image, dpi)
    fill_tables(page.tables, page.words)
    header = [cell.replace("\n", " ") for cell in page.tables[0].cell_text[0]]
    assert "So sánh với KH (%)" in header, header
    assert "Kế hoạch năm 2018" in header, header
    assert "Số liệu thực hiện 2018 chính thức" in header, header


def test_two_rules_closer_than_any_column_are_one() -> None:
    # a thick or doubled rule scanned as two runs 10 px apart at 200 dpi (DN-008 p. 3): no cell between
    from pipeline.ingest.ocr_tables import find_tables

    ink = np.zeros((400, 700), dtype=bool)
    for y in (20, 120, 220, 320):
        ink[y : y + 3, 20:680] = True
    for x in (20, 200, 300, 310, 500, 677):
        ink[20:323, x : x + 3] = True
    (grid,) = find_tables(ink, 200.0)
    assert [len(bounds) - 1 for bounds in grid.cells] == [4, 4, 4]


def test_a_row_of_figures_with_a_rule_the_others_lack_keeps_its_figures_under_their_headers() -> None:
    grid = TableGrid(
        rows=[(0, 100), (100, 200), (200, 300), (300, 400)],
        cells=[[0, 100, 400, 600], [0, 100, 400, 600], [0, 100, 250, 400, 600], [0, 100, 400, 600]],
        left=0, right=600,
    )
    words = [
        _word("TT", 10, 30, 1), _word("Nội", 110, 30, 1), _word("Tiền", 410, 30, 1),
        _word("1", 10, 130, 2), _word("Thu", 110, 130, 2), _word("1.200", 410, 130, 2),
        _word("2", 10, 230, 3), _word("Chi", 110, 230, 3), _word("800", 410, 230, 3),
        _word("3", 10, 330, 4), _word("Vay", 110, 330, 4), _word("500", 410, 330, 4),
    ]
    fill_tables([grid], words)
    assert grid.cell_text[2] == ["2", "Chi", "800"]
