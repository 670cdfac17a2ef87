"""Tables as data: every cell of every table with its header path, figure and unit (``table_cells``),
and ``Dataset.table(doc, n)`` giving one table back as a DataFrame."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import pipeline
from pipeline.batch import extract
from pipeline.extract.percent import find_percentages
from pipeline.extract.tables import read_cells, repair_ocr_unit_cells, repair_ocr_unit_line, table_cells, table_lines
from pipeline.extract.units import nearest_money_unit
from pipeline.ingest.model import Block
from pipeline.ingest.layout import mark_ocr_block

DATA = Path(__file__).parent / "data"

# A report's annex as the text holds it: a unit line, a two-row merged header, a column-index row,
# a ĐVT column, Roman and Arabic row numbers, a year in a label column.
ANNEX = "\n".join(
    [
        "Biểu số 01",
        "Đơn vị tính: triệu đồng",
        "STT\tChỉ tiêu\tĐVT\tKế hoạch\tThực hiện\t",
        "\t\t\tNăm 2024\tNăm 2024\tSo sánh (%)",
        "A\tB\tC\t1\t2\t3=2/1",
        "I\tThu ngân sách\t\t1.200\t1.350,5\t112,5",
        "1\tSố hộ nghèo\thộ\t2.500\t2.310\t92,4",
        "2\tTỷ lệ hồ sơ đúng hạn\t%\t98\t99,10\t",
        "Ghi chú: số liệu năm 2024",
    ]
)


def _cells(text: str) -> dict[tuple[int, int], object]:
    return {(c.row, c.column): c for c in read_cells(text)}


def test_each_cell_has_its_part_header_path_figure_and_unit() -> None:
    cells = _cells(ANNEX)
    parts = {row: {c.part for (r, _), c in cells.items() if r == row} for row in range(6)}
    assert parts == {0: {"header"}, 1: {"header"}, 2: {"index"}, 3: {"body"}, 4: {"body"}, 5: {"body"}}
    income = cells[(3, 4)]
    assert (income.text, income.value, income.unit) == ("1.350,5", 1350.5, "triệu đồng")
    assert income.header == "Thực hiện / Năm 2024"
    assert ANNEX[income.start : income.end] == "1.350,5"
    # the ĐVT column's "hộ" is the row's unit, and no figure itself
    households = cells[(4, 3)]
    assert (households.value, households.unit) == (2500, "hộ")
    assert cells[(4, 2)].value is None
    # a column's own unit beats the row's and the table's
    assert (cells[(3, 5)].value, cells[(3, 5)].unit) == (112.5, "%")
    assert (cells[(5, 4)].value, cells[(5, 4)].unit) == (99.1, "%")
    # row numbers and labels are not figures
    assert cells[(4, 0)].value is None and cells[(3, 0)].value is None and cells[(4, 1)].value is None
    assert {c.table for c in cells.values()} == {0}


def test_a_unit_column_without_a_unit_header_still_gives_the_row_its_unit() -> None:
    # "3.1. | Tỷ lệ hồ sơ … | % | 99,10": the unit is a column of its own, its header says nothing
    text = "\n".join(
        [
            "Đơn vị tính: triệu đồng",
            "TT\tNội dung\tKế hoạch\tThực hiện",
            "3.1.\tTỷ lệ hồ sơ giải quyết đúng hạn\t%\t99,10",
            "3.2.\tKinh phí chi thường xuyên\t\t1.250",
        ]
    )
    cells = _cells(text)
    assert (cells[(1, 3)].value, cells[(1, 3)].unit) == (99.1, "%")
    assert (cells[(2, 3)].value, cells[(2, 3)].unit) == (1250, "triệu đồng")
    percentages = [(p.text, p.value, p.subject) for p in find_percentages(text)]
    assert percentages == [("99,10", 99.1, "Tỷ lệ hồ sơ giải quyết đúng hạn")]


def test_a_table_of_text_has_one_header_row_and_gives_no_figures() -> None:
    text = "Mở đầu\nNhiệm vụ\tĐơn vị chủ trì\tThời gian\nRà soát quy hoạch\tSở Xây dựng\tNăm 2025\nKiểm tra\tUBND huyện\tQuý IV"
    lines = list(table_lines(text))
    assert [line.part for line in lines] == ["header", "body", "body"]
    cells = _cells(text)
    assert cells[(2, 1)].header == "Đơn vị chủ trì"
    assert all(c.value is None for c in cells.values())


def test_two_tables_are_numbered_in_text_order_and_a_percent_cell_is_a_figure() -> None:
    text = "Bảng 1\nChỉ tiêu\tKết quả\nTỉ lệ đạt\t100%\nBảng 2\nChỉ tiêu\tSố tiền (đồng)\nHỗ trợ\t5.000.000"
    cells = list(read_cells(text))
    assert sorted({c.table for c in cells}) == [0, 1]
    figures = [(c.table, c.value, c.unit) for c in cells if c.value is not None]
    assert figures == [(0, 100.0, "%"), (1, 5_000_000.0, "đồng")]


@pytest.fixture(scope="module")
def ruled_pdf_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # three pages of DN-001: page 3 holds four ruled tables of counts and percentages
    folder = tmp_path_factory.mktemp("tables")
    source = folder / "in"
    source.mkdir()
    shutil.copy(DATA / "dn001_pages_1_3_12.pdf", source)
    out = folder / "out"
    extract([source], out)
    return out


def test_the_store_and_the_notebook_give_a_ruled_pdf_table_back(ruled_pdf_store: Path) -> None:
    data = pipeline.load(ruled_pdf_store)
    cells = data.table_cells
    assert cells["table_index"].nunique() >= 2
    assert set(cells["part"]) <= {"header", "body", "unit", "index"}
    text = data.text("dn001")
    for row in cells.itertuples():
        assert text[row.start : row.end] == row.text
    first = data.table("dn001", 0)
    assert list(first.columns[:2]) == ["Chỉ tiêu", "Thực hiện"]
    assert "- Tỉ lệ đạt" in set(first["Chỉ tiêu"])
    assert first.attrs["pages"] == [3]
    numbers = data.table("dn001", 1, values=True)
    assert pd.api.types.is_number(numbers.iloc[1, 1]) and numbers.iloc[1, 1] == 425
    with pytest.raises(KeyError, match="there is no table 99"):
        data.table("dn001", 99)


def test_a_price_unit_is_money_per_quantity() -> None:
    # a market-price report: the unit column names a price per kilogram, litre or month
    text = "\n".join(
        [
            "STT\tMặt hàng\tĐơn vị tính\tGiá kỳ trước\tGiá kỳ này",
            "1\tGạo tẻ thường\tđồng/kg\t12.000\t12.500",
            "2\tXăng RON 95\tđ/lít\t21.650\t22.020",
            "3\tGiá trông giữ xe\tĐồng/tháng\t60.000\t65.000",
        ]
    )
    figures = [(c.row, c.value, c.unit) for c in read_cells(text) if c.value is not None and c.column == 4]
    assert figures == [(1, 12_500, "đồng/kg"), (2, 22_020, "đ/lít"), (3, 65_000, "Đồng/tháng")]
    from pipeline.extract.money import find_money

    assert [m.value for m in find_money(text)] == [12_000, 12_500, 21_650, 22_020, 60_000, 65_000]


def test_a_unit_set_right_of_the_title_line_and_figures_among_bits_of_rules() -> None:
    # an OCR'd annex: the unit stands at the end of the "Kèm theo" line, rule bits cling to figures
    text = "\n".join(
        [
            "(Kèm theo Báo cáo số 379/BC-UBND của Ủy ban nhân dân tỉnh Đắk Nông) | Đơn vị: Triệu đồng",
            "STT\tNội dung\tDự toán\tThực hiện",
            "1\tThu nội địa\t_54.886\t1. 967. 948",
            "2\tThu khác\t240000|_\t12",
        ]
    )
    figures = [(c.text, c.value, c.unit) for c in read_cells(text) if c.value is not None]
    assert figures == [
        ("_54.886", 54_886, "Triệu đồng"), ("1. 967. 948", 1_967_948, "Triệu đồng"),
        ("240000|_", 240_000, "Triệu đồng"), ("12", 12, "Triệu đồng"),
    ]
    # a sentence naming units of work ("các đơn vị: …") sets no unit
    assert not [c for c in read_cells("Giao cho các đơn vị: Sở Tài chính\nA\tB\n1\t5") if c.unit]


def test_an_item_code_before_the_label_is_no_figure() -> None:
    # a price list numbers its items by code ("70.005", "100.002"), not by a short row number
    text = "Mã hàng\tTên hàng\tĐơn vị tính\tGiá kỳ trước\tGiá kỳ này\n70.005\tGiá cước taxi\tđ/km\t14.200\t14.200\n100.002\tĐô la Mỹ\tđ/USD\t23.330\t23.475"
    assert [c.value for c in read_cells(text) if c.value is not None] == [14_200, 14_200, 23_330, 23_475]


# -- money units OCR damaged in unit positions (issue 18: DN-010's "Đơn vị: Triệu đôn", DN-008's "đíkg")


@pytest.mark.parametrize(
    ("phrase", "unit"),
    [
        ("Triệu đôn", "Triệu đồng"),  # a letter dropped
        ("triệu đông", "triệu đồng"),  # a tone mark misread
        ("TỶ ĐỒN", "TỶ ĐỒNG"),
        ("tỉ đông", "tỉ đồng"),  # tone marks aside, tỉ, not tỷ
        ("nghìn đông", "nghìn đồng"),
        ("đíkg", "đ/kg"),  # a price's slash read as a letter
        ("đkg", "đ/kg"),  # or dropped
        ("đd/kg", "đ/kg"),  # a letter added
        ("đlít", "đ/lít"),
        ("triệu đồng", None),  # a unit already
        ("đ/kg", None),
        ("công", None),  # a unit of its own (ngày công), not đồng with its first letter misread
        ("đôi", None),  # a pair: no quantity "i" or "ôi"
        ("người", None),
        ("kg", None),  # two edits from đ/kg
        ("Hà Đông", None),
        ("2 triệu đôn", None),  # a number: not a unit phrase
    ],
)
def test_a_phrase_one_ocr_edit_from_a_money_unit_is_that_unit(phrase: str, unit: str | None) -> None:
    assert nearest_money_unit(phrase) == unit


def test_ocr_damaged_units_are_repaired_in_unit_positions_only() -> None:
    assert repair_ocr_unit_line("Đơn vị: Triệu đôn") == "Đơn vị: Triệu đồng"
    assert repair_ocr_unit_line("(Kèm theo Báo cáo số 379)   Đơn vị tính: triệu đông") == "(Kèm theo Báo cáo số 379)   Đơn vị tính: triệu đồng"
    assert repair_ocr_unit_line("Triệu đôn") == "Triệu đôn"  # not a unit line
    assert repair_ocr_unit_line("Đơn vị: người") == "Đơn vị: người"
    rows = [
        ("Mã", "Tên hàng", "Đơn vị thh", "Giá kỳ này"),  # the unit column's header misread too
        ("1", "Gạo tẻ", "đ/kg", "11.200"),
        ("2", "Gạo ngon", "đíkg", "17.000"),
        ("3", "Thịt lợn", "đkg", "35.000"),
        ("4", "Cá chép", "đ/kg", "65.000"),
        ("5", "Tôm", "đd/kg", "200.000"),
        ("6", "Giày", "đôi", "250.000"),
        ("7", "Gà ta", "đ/kg", "110.000"),
    ]
    assert [r[2] for r in repair_ocr_unit_cells(rows)] == ["Đơn vị thh", "đ/kg", "đ/kg", "đ/kg", "đ/kg", "đ/kg", "đôi", "đ/kg"]
    header = [("STT", "Nội dung", "Số tiền (triệu đôn)", "Ghi chú"), ("1", "Thu (tỷ đồn)", "5", "đkg"), ("2", "Phường (Đông)", "5", "")]
    assert repair_ocr_unit_cells(header) == [
        ("STT", "Nội dung", "Số tiền (triệu đồng)", "Ghi chú"),
        ("1", "Thu (tỷ đồng)", "5", "đkg"),  # đkg outside a unit column stays
        ("2", "Phường (Đông)", "5", ""),  # a body row's lone word in parentheses is a name
    ]
    assert repair_ocr_unit_cells([("STT", "ĐVT", "Số lượng"), ("1", "đồn", "5"), ("2", "công", "3")]) == [
        ("STT", "ĐVT", "Số lượng"), ("1", "đồng", "5"), ("2", "công", "3"),
    ]


def test_only_ocr_text_has_its_damaged_units_read() -> None:
    text = "Đơn vị: Triệu đôn\nSTT\tNội dung\tDự toán\n1\tThu nội địa\t1.967.948"
    assert [c.number for c in table_cells(text)] == []  # typed text says what it says
    block = Block(kind="paragraph", text="Đơn vị: Triệu đôn")
    mark_ocr_block(block)
    assert block.text == "Đơn vị: Triệu đồng"
    repaired = text.replace("Đơn vị: Triệu đôn", block.text)
    assert [(c.number, c.unit.multiplier) for c in table_cells(repaired)] == [(1967948, 1e6)]


def test_a_direction_in_a_header_parenthesis_is_no_unit() -> None:
    # "Mức tăng (giảm)": the parenthesis says how to read the sign; the row's unit (đ/kg) holds
    text = "Mã hàng\tTên hàng\tĐơn vị tính\tGiá kỳ trước\tGiá kỳ này\tMức tăng (giảm)\n10.001\tGạo tẻ\tđ/kg\t11.200\t11.700\t500"
    cells = {(c.row, c.column): (c.value, c.unit) for c in read_cells(text)}
    assert cells[(1, 5)] == (500, "đ/kg")


def test_a_long_cell_under_the_unit_header_is_no_unit() -> None:
    # a merged cell shifts the row: the "Đơn vị tính" column holds the description; the unit cell decides
    text = (
        "Mã hàng\tTên hàng\tĐơn vị tính\tĐặc điểm\tGiá kỳ trước\tGiá kỳ này\n"
        "10.001\tGạo tẻ\tKhang dân hoặc tương đương loại thường\tđ/kg\t17.000\t17.500"
    )
    cells = {(c.row, c.column): (c.value, c.unit) for c in read_cells(text)}
    assert cells[(1, 4)] == (17000, "đ/kg")


def test_a_change_column_keeps_its_sign_and_a_formula_is_no_unit() -> None:
    # DN-008's price table: a column-index row with formulas, a decrease printed with a minus
    text = "\n".join(
        [
            "Mã hàng\tTên hàng\tĐơn vị tính\tGiá kỳ trước\tGiá kỳ này\tMức tăng (giảm)\tTỷ lệ tăng (giảm) (%)",
            "(2)\t(3)\t(5)\t(7)\t(8)\t(9)=(8-7)\t(10)=(9/7)",
            "10.004\tThịt lợn nạc thăn\tđ/kg\t90.000\t80.000\t-10.000\t-0.111",
            "10.005\tThịt bò thăn\tđ/kg\t260.000\t260.000\t0\t0.000",
        ]
    )
    cells = {(c.row, c.column): (c.text, c.value, c.unit) for c in read_cells(text)}
    assert cells[(2, 5)] == ("-10.000", -10000, "đ/kg")
    assert cells[(3, 5)] == ("0", 0, "đ/kg")
    assert cells[(2, 6)][1:] == (-0.111, "%")
    from pipeline.extract.money import find_money

    found = find_money(text)
    assert [(m.value, m.direction) for m in found] == [
        (90000, None), (80000, None), (-10000, "giảm"), (260000, None), (260000, None), (0, None),
    ]
    from pipeline.extract.percent import find_percentages

    assert [(p.value, p.direction) for p in find_percentages(text)] == [(-0.111, "giảm"), (0, None)]


@pytest.mark.parametrize(("cell", "value"), [("125:", 125), ("71.", 71), ("_—_ 120", 120), ("-10.000", -10000), ("1.234,5.", 1234.5)])
def test_what_ocr_sets_around_a_figure_is_no_part_of_it(cell: str, value: float) -> None:
    text = f"STT\tNội dung\tSo sánh (%)\n1\tThu ngân sách\t{cell}"
    assert [c.value for c in read_cells(text) if c.row == 1 and c.column == 2] == [value]


# A long table printed over two pages (DN-009's Biểu 60 as OCR reads it): the unit line above
# its first part only, the header rows repeated on the next page, the form's column numbers
# with one number given twice.
LONG_TABLE = "\n".join(
    [
        "Đơn vị: Triệu đồng",
        "STT\tNỘI DUNG\tDự toán năm 2019\tThực hiện 03 tháng\tSo sánh (%)",
        "A\tB\t1\t2\t3\t3",
        "I\tThu nội địa\t1.967.948\t650.095\t33",
        "II\tThu từ dầu thô\t-\t-\t-",
        "Trang 2",
        "STT\tNỘI DUNG\tDự toán năm 2019\tThực hiên 03 tháng\tSo sánh (%)",
        "A\tB\t1\t2\t3\t3",
        "III\tThu từ hoạt động xuất nhập khẩu\t196.500\t43.096\t22",
    ]
)


def test_a_table_that_repeats_its_header_on_the_next_page_keeps_its_unit() -> None:
    cells = [(c.number, c.unit.kind, c.unit.multiplier) for c in table_cells(LONG_TABLE)]
    assert cells == [
        (1967948, "money", 1e6), (650095, "money", 1e6), (33, "percent", 1.0),
        (196500, "money", 1e6), (43096, "money", 1e6), (22, "percent", 1.0),
    ]
    # other headers make another table, which states its own unit or has none
    other = LONG_TABLE.replace("STT\tNỘI DUNG\tDự toán năm 2019\tThực hiên 03 tháng", "STT\tHuyện\tSố hộ\tSố người")
    assert [c.number for c in table_cells(other) if c.unit.kind == "money"] == [1967948, 650095]
    # the column numbers "1 2 3 3" are never figures
    assert all(c.number not in (1, 2, 3) for c in table_cells(LONG_TABLE))
