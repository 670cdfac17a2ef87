"""Amounts of money: running-text forms, table units, roles, and whole gold documents."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from pipeline.document import assemble
from pipeline.extract.money import MoneyMatch, find_money, sentence_span
from pipeline.extract.units import parse_unit
from pipeline.ingest import load_document
from tests.conftest import GOLD, shared_file

VND, USD = "VND", "USD"


def found(text: str) -> list[tuple[str, float, str, str | None]]:
    matches = list(find_money(text))
    for m in matches:
        assert text[m.start : m.end] == m.text
    return [(m.text, m.value, m.currency, m.role) for m in matches]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        # unit with currency
        ("Phân bổ năm 2020 là: 400 triệu đồng.", [("400 triệu đồng", 4e8, VND, "phân bổ")]),
        ("Tổng kinh phí 1.234,5 triệu đồng.", [("1.234,5 triệu đồng", 1_234_500_000, VND, None)]),
        ("Số tiền thu hồi 95.120.259.153 đồng.", [("95.120.259.153 đồng", 95_120_259_153, VND, "thu hồi")]),
        ("Thu giữ số tiền 2.370.000đ.", [("2.370.000đ", 2_370_000, VND, "thu giữ")]),
        ("Chi phí dự kiến 350 trđ cho mỗi lớp.", [("350 trđ", 3.5e8, VND, "chi phí")]),
        ("Mức hỗ trợ 45 nghìn đồng/ngày.", [("45 nghìn đồng", 45_000, VND, "hỗ trợ")]),
        ("Nộp ngân sách 500.000 VNĐ.", [("500.000 VNĐ", 500_000, VND, "nộp")]),
        ("Tạm ứng 1.500.000 VND.", [("1.500.000 VND", 1_500_000, VND, "tạm ứng")]),
        ("Dự án vay 12.000 USD của ngân hàng.", [("12.000 USD", 12_000, USD, "vay")]),
        ("Kim ngạch xuất khẩu đạt 2 tỷ USD.", [("2 tỷ USD", 2e9, USD, None)]),
        ("Phí cung cấp thông tin LLTP: 200.000 đồng/lần/người.", [("200.000 đồng", 200_000, VND, "phí")]),
        ("Thu phí 0 đồng đối với hồ sơ trực tuyến.", [("0 đồng", 0, VND, "thu")]),
        ("Số được để lại là 29,3 tỷ đồng (4,1 tỷ đồng/năm);",
         [("29,3 tỷ đồng", 29.3e9, VND, "để lại"), ("4,1 tỷ đồng", 4.1e9, VND, "để lại")]),
        ("Tổng mức đầu tư 1,5 nghìn tỷ đồng.", [("1,5 nghìn tỷ đồng", 1.5e12, VND, "đầu tư")]),
        # bare scale word: money because the sentence talks about money
        ("Kết quả giải ngân đến 31/10/2020 là 197,3 triệu, đạt 49,3%.",
         [("197,3 triệu", 197_300_000, VND, "giải ngân")]),
        ("Kế hoạch vốn năm 2021 là 2,5 tỷ.", [("2,5 tỷ", 2.5e9, VND, "kế hoạch")]),
        ("Kinh phí hỗ trợ 5 tr/người.", [("5 tr", 5e6, VND, "hỗ trợ")]),
        ("Tổng vốn 1.500 tỷ đồng, trong đó ngân sách tỉnh 300 tỷ.",
         [("1.500 tỷ đồng", 1.5e12, VND, None), ("300 tỷ", 3e11, VND, None)]),
        ("Xuất khẩu đạt 2 tỷ USD, nhập khẩu 1,5 tỷ.", [("2 tỷ USD", 2e9, USD, None), ("1,5 tỷ", 1.5e9, USD, None)]),
        # written numbers
        ("Dự toán giao năm 2021 là năm trăm triệu đồng.", [("năm trăm triệu đồng", 5e8, VND, "giao")]),
        ("Tổng vốn đầu tư hai tỷ rưỡi.", [("hai tỷ rưỡi", 2.5e9, VND, "đầu tư")]),
        ("Ước thực hiện cả năm hai mươi lăm triệu đồng.", [("hai mươi lăm triệu đồng", 25e6, VND, "ước")]),
        # shared unit and ranges: one match per number
        # "." + three digits groups thousands: 9.037 tỷ is 9,037 tỷ (as "161.773" triệu is in DN-007's gold)
        ("Bố trí 9.037/17.454 tỷ đồng.", [("9.037", 9.037e12, VND, "bố trí"), ("17.454 tỷ đồng", 17.454e12, VND, "bố trí")]),
        ("Bố trí 9,5/17,25 tỷ đồng.", [("9,5", 9.5e9, VND, "bố trí"), ("17,25 tỷ đồng", 17.25e9, VND, "bố trí")]),
        ("Mức hỗ trợ từ 5 đến 10 triệu đồng/hộ.", [("5", 5e6, VND, "hỗ trợ"), ("10 triệu đồng", 1e7, VND, "hỗ trợ")]),
        ("Mức hỗ trợ 5-10 triệu đồng.", [("5", 5e6, VND, "hỗ trợ"), ("10 triệu đồng", 1e7, VND, "hỗ trợ")]),
        ("Lương từ 500 nghìn đến 2 triệu đồng.",
         [("500 nghìn", 5e5, VND, "lương"), ("2 triệu đồng", 2e6, VND, "lương")]),
        # role: the cue nearest before the amount in its sentence
        ("Giải ngân 120 triệu đồng; thanh toán 80 triệu đồng.",
         [("120 triệu đồng", 1.2e8, VND, "giải ngân"), ("80 triệu đồng", 8e7, VND, "thanh toán")]),
        ("Ước giải ngân đến 31/12/2020 là 400 triệu đồng.", [("400 triệu đồng", 4e8, VND, "ước")]),
        ("Chi tiết: tiết kiệm chi 300 triệu đồng.", [("300 triệu đồng", 3e8, VND, "chi")]),
        # never money
        ("Dân số toàn tỉnh 3 triệu người.", []),
        ("Đón 1,5 triệu lượt khách, doanh thu du lịch tăng.", []),
        ("Năm 2020 tiếp nhận 45 hồ sơ.", []),
        ("Thực hiện Nghị định 98/2018/NĐ-CP ngày 05/7/2018.", []),
        ("Liên hệ số điện thoại 0263.3822.456.", []),
        ("Giải ngân đạt 49,3% kế hoạch vốn.", []),
        ("Thu nhập tăng 2,5 lần so với năm 2015.", []),
        ("Có 05 đồng chí tham gia đoàn kiểm tra.", []),
        ("Kinh phí năm 2020 đồng thời được bổ sung.", []),
        ("Đoàn công tác năm 2020 Đồng Tháp đến làm việc.", []),
        ("Một tỷ lệ nhỏ hộ dân được vay vốn.", []),
        ("Hàng trăm triệu đồng được huy động.", []),
        ("Dân số 3 triệu.", []),
    ],
)
def test_running_text(sentence: str, expected: list[tuple[str, float, str, str | None]]) -> None:
    got = found(sentence)
    assert [(t, c, r) for t, _, c, r in got] == [(t, c, r) for t, _, c, r in expected]
    assert [v for _, v, _, _ in got] == pytest.approx([v for _, v, _, _ in expected])
    assert not any(m.from_table_unit for m in find_money(sentence))


DEBT_TABLE = "\n".join(
    [
        "BÁO CÁO THỰC HIỆN VAY VÀ TRẢ NỢ",
        "Đơn vị tính: Triệu đồng",
        "STT\tChỉ tiêu\tKế hoạch vay\tGiải ngân\tTỷ lệ (%)\tNăm",
        "a\tb\t1\t2\t3\t4",
        "I\tVốn vay ODA\t1.200\t600,5\t50\t2020",
        "1\tDự án A\t800\t-\t\t2020",
        "\tTổng cộng\t2.000\t1.000,5\t50\t",
        "Ghi chú: số liệu đến 31/12/2020.",
        "STT\tNội dung\tSố lượng",
        "1\tDự án\t12",
    ]
)


def test_table_with_unit_line() -> None:
    matches = list(find_money(DEBT_TABLE))
    assert [(m.text, m.role) for m in matches] == [
        ("1.200", "kế hoạch"),
        ("600,5", "giải ngân"),
        ("800", "kế hoạch"),
        ("2.000", "kế hoạch"),
        ("1.000,5", "giải ngân"),
    ]
    assert [m.value for m in matches] == pytest.approx([1.2e9, 600.5e6, 8e8, 2e9, 1000.5e6])
    assert all(m.from_table_unit and m.currency == VND for m in matches)
    for m in matches:
        assert DEBT_TABLE[m.start : m.end] == m.text


@pytest.mark.parametrize(
    "table, expected",
    [
        # unit in a column header, no unit line
        ("TT\tNội dung\tSố tiền hỗ trợ (triệu đồng)\n1\tMua sắm thiết bị\t15,5\n2\tĐào tạo\t4",
         [("15,5", 15.5e6, VND, "hỗ trợ"), ("4", 4e6, VND, "hỗ trợ")]),
        ("TT\tNội dung\tKinh phí (đồng)\n1\tTập huấn\t15.000.000", [("15.000.000", 15e6, VND, None)]),
        # unit line in parentheses and as a header cell
        ("BẢNG TỔNG HỢP (ĐVT: đồng)\nTT\tNội dung\tGiá trị\n1\tThiết bị\t2.500.000",
         [("2.500.000", 2.5e6, VND, None)]),
        ("TT\tNội dung\t\tĐơn vị: tỷ đồng\n\t\tDự toán\tThực hiện\n1\tChi thường xuyên\t12,5\t10",
         [("12,5", 12.5e9, VND, "dự toán"), ("10", 1e10, VND, None)]),
        # a unit column: each row names its own unit
        ("TT\tChỉ tiêu\tĐVT\tKH 2020\tTH 2020\n1\tTổng thu ngân sách\tTỷ đồng\t1.500\t1.620\n"
         "2\tSố hộ nghèo\tHộ\t1.200\t980\n3\tTỷ lệ che phủ rừng\t%\t45,5\t46",
         [("1.500", 1.5e12, VND, "kế hoạch"), ("1.620", 1.62e12, VND, None)]),
        # a row label naming the unit
        ("Chỉ tiêu\t2019\t2020\nTổng chi (triệu đồng)\t300\t450\nSố lớp\t4\t5",
         [("300", 3e8, VND, None), ("450", 4.5e8, VND, None)]),
        # the table ends at a line without a tab: the next table has no unit
        ("Đơn vị tính: triệu đồng\nTT\tNội dung\tVốn\n1\tA\t100\nNguồn: Sở Tài chính.\nTT\tHuyện\tSố xã\n1\tB\t12",
         [("100", 1e8, VND, None)]),
        # a unit line that is not money, and no unit at all
        ("Đơn vị tính: người\nTT\tĐơn vị\tSố lượng\n1\tXã A\t1.200", []),
        ("TT\tĐơn vị\tSố hồ sơ\n1\tXã A\t45", []),
        # a column-numbering row with one cell misread by OCR ("l" for 1) is still not data
        ("Đơn vị tính: triệu đồng\nTT\tChỉ tiêu\tDư nợ\tVay\tTrả\tCòn\na\tb\tl\t2\t3\t4\n1\tVay NHPT\t161.773\t-\t89.523\t72.250",
         [("161.773", 161.773e9, VND, "dư nợ"), ("89.523", 89.523e9, VND, None), ("72.250", 72.25e9, VND, None)]),
        # ... also after a header line misread as a data row, but a total row of small figures is data
        ("Đơn vị tính: triệu đồng\nTT\tChỉ tiêu\tDư nợ\tVay\tTrả\tCòn\n\tu\t`\tn tế\t\t\na\tb\t1\t2\t3\t7i\n1\tVay\t16\t-\t8\t7",
         [("16", 16e6, VND, "dư nợ"), ("8", 8e6, VND, None), ("7", 7e6, VND, None)]),
        ("Đơn vị tính: triệu đồng\nTT\tChỉ tiêu\tA\tB\tC\tD\nTổng\t1\t2\t3\t4",
         [("1", 1e6, VND, None), ("2", 2e6, VND, None), ("3", 3e6, VND, None), ("4", 4e6, VND, None)]),
    ],
)
def test_table_units(table: str, expected: list[tuple[str, float, str, str | None]]) -> None:
    matches = list(find_money(table))
    assert [(m.text, m.currency, m.role) for m in matches] == [(t, c, r) for t, _, c, r in expected]
    assert [m.value for m in matches] == pytest.approx([v for _, v, _, _ in expected])
    assert all(m.from_table_unit for m in matches)


def test_inline_amount_in_a_table_cell_is_not_a_table_unit_match() -> None:
    text = "Đơn vị tính: triệu đồng\nTT\tNội dung\tGhi chú\n1\tVốn ODA\tgồm 500 triệu đồng vốn đối ứng"
    assert [(m.text, m.value, m.from_table_unit) for m in find_money(text)] == [("500 triệu đồng", 5e8, False)]


@pytest.mark.parametrize(
    "phrase, kind, multiplier, currency",
    [
        ("Triệu đồng", "money", 1e6, VND),
        ("đồng", "money", 1, VND),
        ("1.000 đồng", "money", 1e3, VND),
        ("Tr.đ", "money", 1e6, VND),
        ("tỷ đồng", "money", 1e9, VND),
        ("USD", "money", 1, USD),
        ("%", "percent", 1, None),
        ("người", "other", 1, None),
    ],
)
def test_parse_unit(phrase: str, kind: str, multiplier: float, currency: str | None) -> None:
    unit = parse_unit(phrase)
    assert unit is not None
    assert (unit.kind, unit.currency) == (kind, currency)
    assert unit.multiplier == pytest.approx(multiplier)


def test_sentence_span_does_not_split_numbers() -> None:
    text = "Năm 2020 giải ngân 1.234,5 triệu. Kế hoạch 31/12/2020; vốn 5 tỷ."
    start = text.index("1.234,5")
    assert text[slice(*sentence_span(text, start, start + 7))] == "Năm 2020 giải ngân 1.234,5 triệu"
    start = text.index("5 tỷ")
    assert text[slice(*sentence_span(text, start, start + 4))] == " vốn 5 tỷ"


def _gold_money(prefix: str) -> Counter[tuple[float, str]]:
    gold = json.loads((GOLD / f"{prefix}.json").read_text(encoding="utf-8"))
    return Counter((round(float(e["value"]), 2), e["currency"]) for e in gold["money"])


def _money_of(prefix: str) -> list[MoneyMatch]:
    return list(find_money(assemble(load_document(shared_file(prefix))).text))


def test_qt001_equals_the_gold_amounts() -> None:
    matches = _money_of("QT-001")
    assert Counter((round(m.value, 2), m.currency) for m in matches) == _gold_money("QT-001")
    assert [m.role for m in matches] == ["đầu tư", "phân bổ", "phân bổ", "phân bổ", "giải ngân", "ước"]
    assert [m.text for m in matches][-2:] == ["197,3 triệu", "400 triệu đồng"]


@pytest.mark.parametrize("prefix", ["DN-007", "LD-024", "LD-014"])
def test_gold_documents(prefix: str) -> None:
    matches = _money_of(prefix)
    assert Counter((round(m.value, 2), m.currency) for m in matches) == _gold_money(prefix)


def test_dn007_table_cells_carry_the_table_unit() -> None:
    matches = _money_of("DN-007")
    assert sum(m.from_table_unit for m in matches) == 54
    assert [m.text for m in matches if not m.from_table_unit] == ["93.000 triệu đồng"]
    assert {m.role for m in matches if m.text == "19.200"} == {"kế hoạch"}


def test_a_range_of_counted_things_is_not_money() -> None:
    assert found("Kinh phí hỗ trợ cho 3-5 triệu người dân.") == []
    assert [t for t, _, _, _ in found("Kinh phí hỗ trợ 3-5 triệu, chia đều.")] == ["3", "5 triệu"]
