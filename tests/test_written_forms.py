"""Numbers, amounts, percentages and dates in every form Vietnamese reports write them (issue 16.3-4).

The cases are written from the conventions of Vietnamese administrative writing: signs (``-``,
``−``, ``âm``), changes (``tăng`` / ``giảm``), ranges (``từ … đến``, ``-``, ``–``, ``giữa … và``)
and part/whole pairs (``A/B``), bounds (``dưới``, ``khoảng``, ``tối đa`` …), suffixes (``k``,
``tr``, ``tỷ``), currency codes and symbols on either side, number words, decimals in words, an
amount repeated in words, month and quarter names, ``của năm`` and two-digit years.

Each case gives every match the finder must return, in text order; a field a case leaves out
(direction, qualifier, range role, words_agree) must be empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from pipeline.extract.dates import find_dates
from pipeline.extract.money import find_money
from pipeline.extract.numbers import parse_written_number
from pipeline.extract.percent import find_percentages

VND, USD, EUR, GBP = "VND", "USD", "EUR", "GBP"


@dataclass(frozen=True)
class Form:
    """One written form: the finder (money / percent / date / words), the text and what it gives."""

    kind: str
    text: str
    expected: tuple[dict[str, Any], ...] | float | None = ()
    note: str = field(default="", compare=False)


def m(text: str, value: float, currency: str = VND, **extra: Any) -> dict[str, Any]:
    return {"text": text, "value": value, "currency": currency, **extra}


def p(text: str, value: float, **extra: Any) -> dict[str, Any]:
    return {"text": text, "value": value, **extra}


def d(text: str, first: str, last: str, granularity: str) -> dict[str, Any]:
    return {"text": text, "date": first, "end_date": last, "granularity": granularity}


FORMS: list[Form] = [
    # ---- signs
    Form("money", "Số dư quỹ âm 1.200.000 đồng.", (m("âm 1.200.000 đồng", -1_200_000),)),
    Form("money", "Lợi nhuận năm 2023 là -350 triệu đồng.", (m("-350 triệu đồng", -350e6),)),
    Form("money", "Chênh lệch thu chi (−45.000.000 đồng).", (m("−45.000.000 đồng", -45e6),)),
    Form("money", "Phân bổ như sau:\n-300 triệu đồng cho xã An Phú.", (m("300 triệu đồng", 300e6),),
         note="a '-' opening a line is a bullet, not a sign"),
    Form("money", "Phân bổ như sau:\n- 300 triệu đồng cho xã An Phú.", (m("300 triệu đồng", 300e6),)),
    Form("percent", "Tăng trưởng kinh tế -2,5% so với cùng kỳ.", (p("-2,5%", -2.5),)),
    Form("percent", "Lợi nhuận trên vốn đạt âm 3%.", (p("âm 3%", -3),)),
    Form("percent", "Chỉ số năm nay (−1,5%) thấp nhất.", (p("−1,5%", -1.5),)),
    # ---- changes: the value keeps its printed sign, the direction goes to its own column
    Form("money", "Thu ngân sách giảm 1,2 tỷ đồng so với cùng kỳ.", (m("1,2 tỷ đồng", 1.2e9, direction="giảm"),)),
    Form("money", "Chi thường xuyên tăng 500 triệu đồng.", (m("500 triệu đồng", 500e6, direction="tăng"),)),
    Form("money", "Dư nợ tăng thêm 2 tỷ đồng.", (m("2 tỷ đồng", 2e9, direction="tăng"),)),
    Form("money", "Chi phí giảm còn 800 triệu đồng.", (m("800 triệu đồng", 800e6),),
         note="'giảm còn' gives the level reached, not a change"),
    Form("money", "Vốn vay giảm khoảng 3 tỷ đồng.", (m("3 tỷ đồng", 3e9, direction="giảm", qualifier="khoảng"),)),
    Form("percent", "Chỉ số giá tiêu dùng giảm 5% so với cùng kỳ.", (p("5%", 5, direction="giảm"),)),
    Form("percent", "Kim ngạch xuất khẩu tăng 12,5%.", (p("12,5%", 12.5, direction="tăng"),)),
    Form("percent", "Tỷ lệ hộ nghèo giảm còn 2,5%.", (p("2,5%", 2.5),)),
    Form("percent", "Số vụ tai nạn giảm hơn 10%.", (p("10%", 10, direction="giảm", qualifier="hơn"),)),
    Form("percent", "Dư nợ tín dụng tăng lên 12%.", (p("12%", 12),)),
    Form("percent", "GRDP tăng trưởng 7,2%.", (p("7,2%", 7.2, direction="tăng"),)),
    Form("percent", "Công tác tăng cường 20% cán bộ.", (p("20%", 20),)),
    # ---- ranges and pairs
    Form("money", "Giá vé 1000-2000 đồng.",
         (m("1000", 1000, range_role="low"), m("2000 đồng", 2000, range_role="high")),
         note="2000 is no year in a range"),
    Form("money", "Mức phí từ 1000-2000 đồng/lượt.",
         (m("1000", 1000, range_role="low"), m("2000 đồng", 2000, range_role="high"))),
    Form("money", "Mức hỗ trợ từ 5 đến 10 triệu đồng/hộ.",
         (m("5", 5e6, range_role="low"), m("10 triệu đồng", 10e6, range_role="high"))),
    Form("money", "Lương từ 500 nghìn đến 2 triệu đồng.",
         (m("500 nghìn", 500e3, range_role="low"), m("2 triệu đồng", 2e6, range_role="high"))),
    Form("money", "Đơn giá 5 triệu – 7 triệu đồng/m2.",
         (m("5 triệu", 5e6, range_role="low"), m("7 triệu đồng", 7e6, range_role="high"))),
    Form("money", "Giá dao động giữa 1,1 và 1,3 đô la.",
         (m("1,1", 1.1, USD, range_role="low"), m("1,3 đô la", 1.3, USD, range_role="high"))),
    Form("money", "Giải ngân 9.037/17.454 tỷ đồng.",
         (m("9.037", 9.037e12, range_role="part"), m("17.454 tỷ đồng", 17.454e12, range_role="whole")),
         note="done against planned: two amounts"),
    Form("money", "Dự kiến cần khoảng 5-10 tỷ đồng.",
         (m("5", 5e9, qualifier="khoảng", range_role="low"), m("10 tỷ đồng", 10e9, qualifier="khoảng", range_role="high"))),
    Form("money", "Giá giảm từ 10 triệu đồng xuống 5 triệu đồng.", (m("10 triệu đồng", 10e6), m("5 triệu đồng", 5e6)),
         note="'từ A xuống B' is two levels, not a range"),
    Form("money", "Năm 2019 và 500 triệu đồng năm 2020.", (m("500 triệu đồng", 500e6),)),
    Form("percent", "Tỷ lệ bao phủ từ 10% đến 15%.", (p("10%", 10, range_role="low"), p("15%", 15, range_role="high"))),
    Form("percent", "Lãi suất tăng 5-10%.",
         (p("5", 5, direction="tăng", range_role="low"), p("10%", 10, direction="tăng", range_role="high"))),
    Form("percent", "Tỷ lệ nằm giữa 20 và 25%.", (p("20", 20, range_role="low"), p("25%", 25, range_role="high"))),
    Form("percent", "Mức giảm 10 – 15 phần trăm.",
         (p("10", 10, direction="giảm", range_role="low"), p("15 phần trăm", 15, direction="giảm", range_role="high"))),
    Form("percent", "Hai chỉ tiêu 3 và 5%.", (p("5%", 5),), note="'3 và 5%' without 'giữa' is no range"),
    # ---- bounds
    Form("money", "Hộ có thu nhập dưới 7000 đồng/ngày.", (m("7000 đồng", 7000, qualifier="dưới"),)),
    Form("money", "Doanh nghiệp nộp thuế dưới 2000 đồng.", (m("2000 đồng", 2000, qualifier="dưới"),)),
    Form("money", "Dự án trên 5 tỷ đồng.", (m("5 tỷ đồng", 5e9, qualifier="trên"),)),
    Form("money", "Đã chi hơn 300 triệu đồng.", (m("300 triệu đồng", 300e6, qualifier="hơn"),)),
    Form("money", "Tổng vốn gần 1 tỷ đồng.", (m("1 tỷ đồng", 1e9, qualifier="gần"),)),
    Form("money", "Ước thu khoảng 200 triệu đồng.", (m("200 triệu đồng", 200e6, qualifier="khoảng"),)),
    Form("money", "Mức vay tối thiểu 50 triệu đồng.", (m("50 triệu đồng", 50e6, qualifier="tối thiểu"),)),
    Form("money", "Mức vay tối đa 100 triệu đồng.", (m("100 triệu đồng", 100e6, qualifier="tối đa"),)),
    Form("money", "Mỗi hộ được hỗ trợ không quá 30 triệu đồng.", (m("30 triệu đồng", 30e6, qualifier="không quá"),)),
    Form("money", "Mỗi xã góp ít nhất 10 triệu đồng.", (m("10 triệu đồng", 10e6, qualifier="tối thiểu"),)),
    Form("money", "Tổng mức đầu tư xấp xỉ 2 tỷ đồng.", (m("2 tỷ đồng", 2e9, qualifier="khoảng"),)),
    Form("money", "Khoản chi không vượt quá 5 triệu đồng.", (m("5 triệu đồng", 5e6, qualifier="không quá"),)),
    Form("money", "Các dự án từ 100 triệu đồng trở lên.", (m("100 triệu đồng", 100e6, qualifier="tối thiểu"),)),
    Form("money", "Các gói thầu 50 triệu đồng trở xuống.", (m("50 triệu đồng", 50e6, qualifier="tối đa"),)),
    Form("money", "Chi phí cao hơn 5 triệu đồng so với dự toán.", (m("5 triệu đồng", 5e6),),
         note="'cao hơn' compares: the amount is a difference, not a bound"),
    Form("percent", "Tỷ lệ hộ nghèo dưới 3%.", (p("3%", 3, qualifier="dưới"),)),
    Form("percent", "Tỷ lệ tiêm chủng trên 95%.", (p("95%", 95, qualifier="trên"),)),
    Form("percent", "Khoảng 30% số hộ chưa có nước sạch.", (p("30%", 30, qualifier="khoảng"),)),
    Form("percent", "Tỷ lệ giải ngân gần 90%.", (p("90%", 90, qualifier="gần"),)),
    Form("percent", "Lãi suất tối đa 7%/năm.", (p("7%", 7, qualifier="tối đa"),)),
    Form("percent", "Tỷ lệ hao hụt không quá 5%.", (p("5%", 5, qualifier="không quá"),)),
    # ---- suffixes
    Form("money", "Giá vé 10k đồng/người.", (m("10k đồng", 10e3),)),
    Form("money", "Mỗi suất ăn giá 100K.", (m("100K", 100e3),)),
    Form("money", "Hỗ trợ mỗi hộ 5tr.", (m("5tr", 5e6),)),
    Form("money", "Tổng vốn 2 tỷ.", (m("2 tỷ", 2e9),)),
    Form("money", "Kinh phí mục 10 k) chưa có.", (), note="a lone 'k' is a letter"),
    Form("money", "Tuyến đường dài 10km, vốn chưa có.", ()),
    # ---- currency codes and symbols on either side
    Form("money", "Tài trợ $10.000 cho dự án.", (m("$10.000", 10_000, USD),)),
    Form("money", "Phí USD1,23 mỗi giao dịch.", (m("USD1,23", 1.23, USD),)),
    Form("money", "Viện trợ EUR 20 triệu.", (m("EUR 20 triệu", 20e6, EUR),)),
    Form("money", "Giá 20€ một vé.", (m("20€", 20, EUR),)),
    Form("money", "Nhận 10.000 USD từ dự án.", (m("10.000 USD", 10_000, USD),)),
    Form("money", "Khoản vay US$ 5 triệu.", (m("US$ 5 triệu", 5e6, USD),)),
    Form("money", "Học bổng £50.000 mỗi năm.", (m("£50.000", 50_000, GBP),)),
    Form("money", "Giá trị hợp đồng VND 250.000.000.", (m("VND 250.000.000", 250e6),)),
    Form("money", "Thu 15.000₫ mỗi lượt.", (m("15.000₫", 15_000),)),
    Form("money", "Giá 3 đô la Mỹ một lít.", (m("3 đô la Mỹ", 3, USD),)),
    # ---- number words
    Form("money", "Hỗ trợ hai chục triệu đồng.", (m("hai chục triệu đồng", 20e6),)),
    Form("money", "Kinh phí năm mươi lăm triệu đồng.", (m("năm mươi lăm triệu đồng", 55e6),)),
    Form("money", "Thưởng hai mươi mốt triệu đồng.", (m("hai mươi mốt triệu đồng", 21e6),)),
    Form("money", "Chi một trăm linh năm triệu đồng.", (m("một trăm linh năm triệu đồng", 105e6),)),
    Form("money", "Chi một trăm lẻ năm nghìn đồng.", (m("một trăm lẻ năm nghìn đồng", 105e3),)),
    Form("money", "Tổng vốn hai tỷ rưỡi.", (m("hai tỷ rưỡi", 2.5e9),)),
    Form("money", "Giá một trăm mốt nghìn đồng.", (m("một trăm mốt nghìn đồng", 110e3),)),
    Form("money", "Lệ phí năm nghìn đồng.", (m("năm nghìn đồng", 5e3),)),
    Form("money", "Cho vay 5 triệu rưỡi.", (m("5 triệu rưỡi", 5.5e6),)),
    Form("money", "Vốn 2 tỷ 500 triệu đồng.", (m("2 tỷ 500 triệu đồng", 2.5e9),)),
    Form("money", "Còn nợ mười lăm nghìn đồng.", (m("mười lăm nghìn đồng", 15e3),)),
    Form("money", "Trong năm hai tỷ đồng được giải ngân.", (m("hai tỷ đồng", 2e9),)),
    Form("money", "Theo hồ sơ 12/3 hai tỷ đồng được giải ngân.", (m("hai tỷ đồng", 2e9),),
         note="digits inside a code do not join the number words after them"),
    Form("percent", "Nguồn thu tăng mười lăm phần trăm.", (p("mười lăm phần trăm", 15, direction="tăng"),)),
    Form("percent", "Tỷ lệ đạt ba mươi tư phần trăm.", (p("ba mươi tư phần trăm", 34),)),
    # ---- decimals in words
    Form("money", "Hỗ trợ 2 chấm 23 đô la.", (m("2 chấm 23 đô la", 2.23, USD),)),
    Form("money", "Vốn hai phẩy năm tỷ đồng.", (m("hai phẩy năm tỷ đồng", 2.5e9),)),
    Form("money", "Thu ba phẩy hai lăm triệu đồng.", (m("ba phẩy hai lăm triệu đồng", 3.25e6),)),
    Form("money", "Chi một phẩy không năm tỷ đồng.", (m("một phẩy không năm tỷ đồng", 1.05e9),)),
    Form("percent", "Lạm phát hai phẩy năm phần trăm.", (p("hai phẩy năm phần trăm", 2.5),)),
    Form("percent", "Tỷ lệ đạt 2 chấm 5 phần trăm.", (p("2 chấm 5 phần trăm", 2.5),)),
    # ---- an amount repeated in words: one fact, the words checking the digits
    Form("money", "Số tiền 500.000.000 đồng (Năm trăm triệu đồng).", (m("500.000.000 đồng", 500e6, words_agree=True),)),
    Form("money", "Tổng cộng 2.500.000 đồng (Bằng chữ: Hai triệu năm trăm nghìn đồng chẵn).",
         (m("2.500.000 đồng", 2.5e6, words_agree=True),)),
    Form("money", "Số tiền 1.500.000 đồng (Một triệu năm trăm năm mươi nghìn đồng).",
         (m("1.500.000 đồng", 1.5e6, words_agree=False),), note="the words give 1 550 000"),
    Form("money", "Thanh toán 25.000.000 đồng (hai mươi lăm triệu đồng./.).", (m("25.000.000 đồng", 25e6, words_agree=True),)),
    Form("money", "Kinh phí 30 triệu đồng (năm 2020).", (m("30 triệu đồng", 30e6),),
         note="a year in parentheses is no amount in words"),
    # ---- dates: month names, quarters, "của năm", two-digit years
    Form("date", "Trong tháng mười năm 2017, tỉnh đã triển khai.", (d("tháng mười năm 2017", "2017-10-01", "2017-10-31", "month"),)),
    Form("date", "Báo cáo tháng Mười Hai năm 2018.", (d("tháng Mười Hai năm 2018", "2018-12-01", "2018-12-31", "month"),)),
    Form("date", "Từ tháng tư năm 2020 đã áp dụng.", (d("tháng tư năm 2020", "2020-04-01", "2020-04-30", "month"),)),
    Form("date", "Vào tháng năm năm 2021.", (d("tháng năm năm 2021", "2021-05-01", "2021-05-31", "month"),)),
    Form("date", "Số liệu tháng 10 của năm 2017.", (d("tháng 10 của năm 2017", "2017-10-01", "2017-10-31", "month"),)),
    Form("date", "Kết quả quý 4 của năm 2018.", (d("quý 4 của năm 2018", "2018-10-01", "2018-12-31", "quarter"),)),
    Form("date", "Trong quý IV của năm 2019.", (d("quý IV của năm 2019", "2019-10-01", "2019-12-31", "quarter"),)),
    Form("date", "Kế hoạch quý một năm 2020.", (d("quý một năm 2020", "2020-01-01", "2020-03-31", "quarter"),)),
    Form("date", "Ký ngày 3/3/17 tại Hà Nội.", (d("ngày 3/3/17", "2017-03-03", "2017-03-03", "day"),)),
    Form("date", "Hạn chót 31/12/99 theo hợp đồng cũ.", (d("31/12/99", "1999-12-31", "1999-12-31", "day"),)),
    Form("date", "Ký ngày 5 tháng mười một năm 2019.",
         (d("ngày 5 tháng mười một năm 2019", "2019-11-05", "2019-11-05", "day"),)),
    Form("date", "Kết quả 6 tháng đầu của năm 2019.", (d("6 tháng đầu của năm 2019", "2019-01-01", "2019-06-30", "half"),)),
    Form("date", "Ngày 30/02/19 không có thật.", ()),
    Form("date", "Kết luận số 51-KL/TW ngày 30/5/20 19 của Ban Bí thư.", (),
         note="a year split by a broken text layer is not read as 2020"),
    Form("date", "Xem mục 3.3.17 của quy chế.", ()),
    # ---- number words read alone
    Form("words", "5 nghìn", 5000),
    Form("words", "hai chục", 20),
    Form("words", "ba chục nghìn", 30_000),
    Form("words", "một trăm mốt", 110),
    Form("words", "hai trăm tư nghìn", 240_000),
    Form("words", "một nghìn lẻ một", 1001),
    Form("words", "hai nghìn không trăm linh năm", 2005),
    Form("words", "năm mươi lăm", 55),
    Form("words", "1,5 triệu", 1.5e6),
    Form("words", "2 tỷ 500 triệu", 2.5e9),
    Form("words", "hai phẩy năm", 2.5),
    Form("words", "2 chấm 23", 2.23),
    Form("words", "mười lăm phẩy năm", 15.5),
    Form("words", "không phẩy năm", 0.5),
    Form("words", "chục", None),
    Form("words", "hai phẩy", None),
    Form("words", "2 tỷ 500", None),
]

FIELDS = {
    "money": ("direction", "qualifier", "range_role", "words_agree"),
    "percent": ("direction", "qualifier", "range_role"),
    "date": (),
}


def _found(form: Form) -> list[Any]:
    finder = {"money": find_money, "percent": find_percentages, "date": find_dates}[form.kind]
    return list(finder(form.text))


def _case_id(form: Form) -> str:
    return f"{form.kind}:{form.text[:40]}"


def test_there_are_enough_forms_of_every_class() -> None:
    kinds = {kind: sum(f.kind == kind for f in FORMS) for kind in ("money", "percent", "date", "words")}
    assert len(FORMS) >= 80 and all(count >= 10 for count in kinds.values()), kinds


@pytest.mark.parametrize("form", FORMS, ids=_case_id)
def test_written_form(form: Form) -> None:
    if form.kind == "words":
        value = parse_written_number(form.text)
        assert (value is None) if form.expected is None else value == pytest.approx(form.expected), form.note
        return
    found = _found(form)
    expected = form.expected
    assert isinstance(expected, tuple)
    assert [f.text for f in found] == [e["text"] for e in expected], form.note
    for match, want in zip(found, expected):
        assert match.text == form.text[match.start : match.end]
        for key, value in want.items():
            got = getattr(match, key)
            assert got == (pytest.approx(value) if isinstance(value, float) else value), (key, form.note)
        for key in FIELDS[form.kind]:
            assert getattr(match, key) == want.get(key), (key, form.note)
    # the two numbers of a range or pair share one range_id: the offset of the first
    paired = [match for match in found if getattr(match, "range_role", None)]
    for first, second in zip(paired[::2], paired[1::2]):
        assert first.range_id == second.range_id == first.start
