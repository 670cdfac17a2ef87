"""Printed and written Vietnamese numbers."""

from __future__ import annotations

import pytest

from pipeline.extract.numbers import parse_number, parse_written_number


@pytest.mark.parametrize(
    "printed, value",
    [
        ("2020", 2020),
        ("0", 0),
        # Vietnamese style: "." groups thousands, "," is the decimal mark
        ("1.234,5", 1234.5),
        ("95.120.259.153", 95120259153),
        ("197,3", 197.3),
        ("1.144,30", 1144.3),
        ("161.773", 161773),
        ("0,5", 0.5),
        ("36,6", 36.6),
        # English style mixed in: decided by the shape
        ("1,234,567", 1234567),
        ("1,234.5", 1234.5),
        ("2.5", 2.5),
        ("3.1416", 3.1416),
        ("12,000", 12000),
        ("0.125", 0.125),
        ("0,125", 0.125),
        # thousands grouped by spaces
        ("1 234 567", 1234567),
        (" 400 ", 400),
    ],
)
def test_parse_number(printed: str, value: float) -> None:
    assert parse_number(printed) == pytest.approx(value)


@pytest.mark.parametrize(
    "printed",
    [
        "",
        "abc",
        "20.10.2025",  # a date, not a number
        "1.23.456",  # groups after the first must have three digits
        "1.234,5,6",  # the decimal mark appears once
        "1,234.567,8",
        "12345.678,9",  # a thousands group has at most three digits before the first separator
        "98/2018",
        "49,3%",
        "1.",
    ],
)
def test_parse_number_rejects_what_is_not_a_number(printed: str) -> None:
    assert parse_number(printed) is None


@pytest.mark.parametrize(
    "words, value",
    [
        ("năm", 5),
        ("mười", 10),
        ("mười lăm", 15),
        ("mười năm", 15),
        ("hai mươi", 20),
        ("hai mươi mốt", 21),
        ("ba mươi tư", 34),
        ("chín mươi chín", 99),
        ("năm trăm", 500),
        ("một trăm linh năm", 105),
        ("một trăm lẻ năm", 105),
        ("một trăm mười", 110),
        ("trăm rưỡi", 150),
        ("một nghìn", 1000),
        ("hai ngàn", 2000),
        ("hai nghìn ba", 2300),
        ("một nghìn không trăm linh năm", 1005),
        ("năm trăm triệu", 500_000_000),
        ("hai tỷ rưỡi", 2_500_000_000),
        ("hai tỉ", 2_000_000_000),
        ("hai triệu rưỡi", 2_500_000),
        ("hai tỷ ba trăm triệu", 2_300_000_000),
        ("một triệu hai trăm nghìn", 1_200_000),
        ("hai mươi lăm nghìn", 25_000),
        ("một nghìn tỷ", 1_000_000_000_000),
        ("Năm Trăm", 500),
    ],
)
def test_parse_written_number(words: str, value: float) -> None:
    assert parse_written_number(words) == pytest.approx(value)


@pytest.mark.parametrize(
    "words",
    [
        "",
        "hai người",  # not a number word
        "hai ba",  # two digits in a row
        "lăm",  # "lăm" only after mười / mươi
        "mốt",
        "tư",
        "một mươi",  # "mươi" needs a digit from 2 up
        "hai mười",
        "linh năm",  # "linh" only after trăm
        "rưỡi",
        "năm trăm bốn trăm",
    ],
)
def test_parse_written_number_rejects(words: str) -> None:
    assert parse_written_number(words) is None


def test_scanning_only_where_a_number_can_start_finds_what_a_whole_scan_finds() -> None:
    # the money and percentage finders try their patterns only at digit runs and number words;
    # a report (DN-001) and edge texts give the same matches as trying every offset, including
    # letters that re's case folding alone makes number words ("haı", dotless i) and a lower case
    # that changes the text's length ("İ")
    from conftest import corpus_file

    from pipeline.document import assemble
    from pipeline.extract import money, percent
    from pipeline.extract.numbers import digit_run_starts, number_word_starts, scan_at
    from pipeline.ingest import load_document

    report = assemble(load_document(corpus_file("DN-001"))).text
    edges = [
        "Tổng kinh phí HAI TRĂM triệu đồng, trong đó 1.200.000đ và 15%; ba mươi phần trăm.",
        "haı trăm trıệu đồng và năm phần trăm",
        "İ hai tỷ đồng, 30 phần trăm",
        "mười1 triệu; tỷ lệ 50%; 2 chấm 5 phần trăm",
    ]
    for text in [report, *edges]:
        for pattern, starts in (
            (money._AMOUNT, digit_run_starts), (percent._PERCENT, digit_run_starts),
            (money._WRITTEN, number_word_starts), (percent._WRITTEN, number_word_starts),
        ):
            assert [m.span() for m in scan_at(pattern, text, starts(text))] == [m.span() for m in pattern.finditer(text)]
    assert [m.group() for m in scan_at(money._WRITTEN, edges[1], number_word_starts(edges[1]))][0] == "haı trăm trıệu đồng"


# -- a document's own decimal mark ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "writes"),
    [
        ("Thu ngân sách 114,6 tỷ đồng, đạt 1.833,8 tỷ đồng", True),  # decimals and grouped thousands
        ("tăng 2,5% so với cùng kỳ; đạt 0,125", True),
        ("tăng 2,5% so với cùng kỳ", False),  # once is no habit
        ("đạt 2,5% và 3,7%, tổng 1,234,567 đồng", False),  # "," groups thousands here
        ("đạt 2,5% và 3,7%, tổng 1,234.5 USD", False),  # English style: "." is the decimal mark
        ("khoản 1,2 và 3,4 Điều 5", True),  # a list written without spaces reads as decimals: harmless, no unit
        ("Công văn số 12,345/UBND và 2,5 và 3,5", True),  # a code is not a number
    ],
)
def test_a_document_writes_decimals_with_a_comma(text: str, writes: bool) -> None:
    from pipeline.extract.numbers import writes_decimal_comma

    assert writes_decimal_comma(text) is writes


def test_a_lone_comma_before_three_digits_is_a_decimal_only_when_asked() -> None:
    assert parse_number("132,354") == 132354
    assert parse_number("132,354", decimal_comma=True) == pytest.approx(132.354)
    assert parse_number("132.354", decimal_comma=True) == 132354  # "." still groups thousands
    assert parse_number("1.234,567", decimal_comma=True) == pytest.approx(1234.567)


def test_money_and_percent_of_a_decimal_comma_document() -> None:
    from pipeline.extract.money import find_money
    from pipeline.extract.percent import find_percentages

    text = (
        "Thu ngân sách Nhà nước trên địa bàn đạt 132,354 tỷ đồng, đạt 115% KH; tổng giá trị sản xuất "
        "1.833,8 tỷ đồng, tăng 8,69%. Phí trông giữ xe 5,000 đồng/lượt. Tỷ lệ che phủ rừng 29,230%."
    )
    values = {m.text: m.value for m in find_money(text)}
    assert values["132,354 tỷ đồng"] == pytest.approx(132_354_000_000)
    assert values["1.833,8 tỷ đồng"] == pytest.approx(1_833_800_000_000)
    assert values["5,000 đồng"] == 5000  # no fraction of a đồng: the comma groups thousands
    percents = {m.text: m.value for m in find_percentages(text)}
    assert percents["29,230%"] == pytest.approx(29.23)
    # the same amount in a document that groups thousands with "," keeps its English reading
    english = "Revenue 132,354 tỷ đồng; total 1,234,567 đồng; growth 8.69% and 2,5%."
    assert {m.text: m.value for m in find_money(english)}["132,354 tỷ đồng"] == 132_354_000_000_000


def test_table_figures_in_a_scaled_unit_follow_the_documents_decimal_comma() -> None:
    from pipeline.extract.tables import read_cells

    text = "\n".join(
        [
            "Giá trị sản xuất đạt 1.833,8 tỷ đồng, tăng 8,69%.",
            "STT\tChỉ tiêu\tĐơn vị tính\tKế hoạch\tThực hiện",
            "1\tThu ngân sách trên địa bàn\tTỷ đồng\t114,6\t122,566",
            "2\tSố hộ được hỗ trợ\thộ\t1,250\t1,300",
            "3\tPhí trông giữ xe\tđồng\t5,000\t5,000",
        ]
    )
    cells = {(c.row, c.column): c.value for c in read_cells(text)}
    assert cells[(1, 4)] == pytest.approx(122.566)
    assert cells[(2, 3)] == 1250  # not a scale of money: read as before
    assert cells[(3, 3)] == 5000


@pytest.mark.parametrize(
    ("header", "value", "direction"),
    [
        ("Mức tăng (giảm)", -10000, "giảm"),
        ("Tăng/giảm so với cùng kỳ", 5, "tăng"),
        ("Chênh lệch", -3.5, "giảm"),
        ("Tỷ lệ tăng (giảm) (%)", 0, None),  # no change
        ("Tăng trưởng (%)", -2, None),  # growth is no column of changes both ways: the sign is the finder's
        ("Thực hiện", -5, None),
    ],
)
def test_a_change_columns_sign_is_its_direction(header: str, value: float, direction: str | None) -> None:
    from pipeline.extract.numbers import column_direction

    assert column_direction(header, value) == direction
