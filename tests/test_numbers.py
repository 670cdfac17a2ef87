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
