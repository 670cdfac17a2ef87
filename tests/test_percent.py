"""Percentages: running-text forms, table units, subjects, and whole gold documents."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from pipeline.document import assemble
from pipeline.extract.percent import PercentMatch, find_percentages
from pipeline.ingest import load_document
from tests.conftest import GOLD, shared_file


def found(text: str) -> list[tuple[str, float, str | None]]:
    matches = list(find_percentages(text))
    for m in matches:
        assert text[m.start : m.end] == m.text
    return [(m.text, m.value, m.subject) for m in matches]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("Kết quả giải ngân đến 31/10/2020 là 197,3 triệu, đạt 49,3%.", [("49,3%", 49.3, "giải ngân")]),
        ("Ước đến 31/12/2020 là 400 triệu đồng đạt 100% KH.", [("100%", 100, "Ước")]),
        ("Tỷ lệ hộ nghèo giảm còn 2,5%.", [("2,5%", 2.5, "Tỷ lệ hộ nghèo")]),
        ("Tốc độ tăng trưởng kinh tế đạt 85 % so với kế hoạch.", [("85 %", 85, "Tốc độ tăng trưởng kinh tế")]),
        ("Cấp xã có 26/71 đơn vị (đạt 36,6%).", [("36,6%", 36.6, "Cấp xã")]),
        ("Lãi suất 0,5%/tháng.", [("0,5%", 0.5, None)]),
        ("Thuế suất là 15 phần trăm.", [("15 phần trăm", 15, "Thuế suất")]),
        ("Nguồn thu tăng mười lăm phần trăm.", [("mười lăm phần trăm", 15, "Nguồn thu")]),
        ("Hỗ trợ hai mươi phần trăm chi phí.", [("hai mươi phần trăm", 20, None)]),
        ("Tỷ lệ giải ngân 1.5% trong quý.", [("1.5%", 1.5, None)]),
        ("Chỉ tiêu tăng 10-15%.", [("10", 10, "Chỉ tiêu"), ("15%", 15, "Chỉ tiêu")]),
        ("Mức giảm từ 10 đến 15 phần trăm.", [("10", 10, "Mức"), ("15 phần trăm", 15, "Mức")]),
        ("Trích chuyển 5% về Trung tâm (từ 4% lên 5%).", [("5%", 5, None), ("4%", 4, None), ("5%", 5, None)]),
        ("Hoàn thành 100% kế hoạch; 100% HTX khá giỏi.", [("100%", 100, None), ("100%", 100, None)]),
        # never a percentage
        ("Thu nhập bình quân tăng 2,5 lần so với năm 2015.", []),
        ("Quy định tỷ lệ phần trăm (%) phân chia các khoản thu.", []),
        ("Tải tại http://example.vn/tai-lieu?id=50%20bao-cao.", []),
        ("Thực hiện Nghị định 98/2018/NĐ-CP ngày 05/7/2018.", []),
        ("Đạt 46/46 đơn vị, giải ngân 197,3 triệu đồng.", []),
    ],
)
def test_running_text(sentence: str, expected: list[tuple[str, float, str | None]]) -> None:
    got = found(sentence)
    assert [(t, s) for t, _, s in got] == [(t, s) for t, _, s in expected]
    assert [v for _, v, _ in got] == pytest.approx([v for _, v, _ in expected])
    assert not any(m.from_table_unit for m in find_percentages(sentence))


@pytest.mark.parametrize(
    "table, expected",
    [
        # a percentage column, with row numbers, a column-index row and a money unit for the rest
        ("Đơn vị tính: triệu đồng\nSTT\tNội dung\tKế hoạch\tGiải ngân\tTỷ lệ (%)\na\tb\t1\t2\t3\n"
         "1\tDự án A\t1.200\t600\t50\n2\tDự án B\t800\t200\t25,5",
         [("50", 50, "Dự án A"), ("25,5", 25.5, "Dự án B")]),
        ("TT\tĐơn vị\tĐã giải quyết\t%\n1\tSở Tài chính\t433\t94,1", [("94,1", 94.1, "Sở Tài chính")]),
        # the unit line says %
        ("Đơn vị tính: %\nChỉ tiêu\t2019\t2020\nTỷ lệ che phủ rừng\t45\t46,2",
         [("45", 45, "Tỷ lệ che phủ rừng"), ("46,2", 46.2, "Tỷ lệ che phủ rừng")]),
        # a unit column and a row label naming %
        ("TT\tChỉ tiêu\tĐVT\tKH\tTH\n1\tTổng thu\tTỷ đồng\t1.500\t1.620\n2\tTỷ lệ hộ nghèo\t%\t3\t2,8",
         [("3", 3, "Tỷ lệ hộ nghèo"), ("2,8", 2.8, "Tỷ lệ hộ nghèo")]),
        ("Chỉ tiêu\tNăm 2020\nTỷ lệ đô thị hóa (%)\t38,5\nDân số (người)\t1.300.000",
         [("38,5", 38.5, "Tỷ lệ đô thị hóa (%)")]),
        # an empty % column gives nothing; a count column next to it stays a count
        ("Stt\tTên đơn vị\tTrễ hẹn\t%\tĐã trả\n1\tSở Tài chính\t27\t\t460", []),
    ],
)
def test_table_cells(table: str, expected: list[tuple[str, float, str | None]]) -> None:
    matches = list(find_percentages(table))
    assert [(m.text, m.subject) for m in matches] == [(t, s) for t, _, s in expected]
    assert [m.value for m in matches] == pytest.approx([v for _, v, _ in expected])
    assert all(m.from_table_unit for m in matches)


def test_percent_sign_in_a_table_cell_is_read_inline() -> None:
    matches = list(find_percentages("Chỉ tiêu\tThực hiện\n- Tỉ lệ đạt\t100%\t"))
    assert [(m.text, m.value, m.subject, m.from_table_unit) for m in matches] == [("100%", 100, "Tỉ lệ đạt", False)]


def _percent_of(prefix: str) -> list[PercentMatch]:
    return list(find_percentages(assemble(load_document(shared_file(prefix))).text))


@pytest.mark.parametrize("prefix", ["QT-001", "LD-024", "DN-002"])
def test_gold_documents(prefix: str) -> None:
    gold = json.loads((GOLD / f"{prefix}.json").read_text(encoding="utf-8"))
    expected = Counter(round(float(e["value"]), 4) for e in gold["percent"])
    assert Counter(round(m.value, 4) for m in _percent_of(prefix)) == expected


def test_qt001_subjects() -> None:
    assert [(m.text, m.subject) for m in _percent_of("QT-001")] == [
        ("49,3%", "giải ngân"),
        ("100%", "Ước"),
        ("100%", None),
    ]
