"""Dates and periods: every form on annotated sentences, then a real report from ../shared/corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.document import assemble
from pipeline.extract.dates import DateMatch, find_dates
from pipeline.ingest import load_document
from pipeline.patterns import DOCUMENT_CODE

SHARED_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
_MARK = re.compile(r"\[([^\]]*)\]")

# Each sentence marks its expected matches with [brackets]; the values list the expected
# (date, end_date, granularity) of the marked spans in order. An empty list means "no date here".
CASES: list[tuple[str, list[tuple[str, str, str]]]] = [
    # days
    ("Lâm Đồng, [ngày 14 tháng 11 năm 2018]", [("2018-11-14", "2018-11-14", "day")]),
    ("Công văn số 4096/UBND-NC, [ngày 16/11/2020] của UBND tỉnh", [("2020-11-16", "2020-11-16", "day")]),
    ("Kế hoạch số 1241/KH-STC [ngày 07/7/2017], về phát động", [("2017-07-07", "2017-07-07", "day")]),
    ("hiệu lực từ [16-11-2020] và hết hạn [16.11.2020].",
     [("2020-11-16", "2020-11-16", "day"), ("2020-11-16", "2020-11-16", "day")]),
    ("Quyết định 1406/QĐ [22.09.2025]", [("2025-09-22", "2025-09-22", "day")]),
    ("Nghị quyết 30c/NQ-CP [ngày 08/11/2011]của Chính phủ", [("2011-11-08", "2011-11-08", "day")]),
    ("[29/02/2020] là ngày nhuận", [("2020-02-29", "2020-02-29", "day")]),
    # months
    ("Trong [tháng 11/2020] và [tháng 11 năm 2020]",
     [("2020-11-01", "2020-11-30", "month"), ("2020-11-01", "2020-11-30", "month")]),
    ("giá cả thị trường [tháng 5-2019]", [("2019-05-01", "2019-05-31", "month")]),
    ("[Tháng 02/2024] có 29 ngày", [("2024-02-01", "2024-02-29", "month")]),
    ("Thời gian hoàn thành: đến [12/2020].", [("2020-12-01", "2020-12-31", "month")]),
    ("Nhiệm vụ\t[11/2020]\tSở Nội vụ", [("2020-11-01", "2020-11-30", "month")]),
    # quarters
    ("nhiệm vụ [Quý IV/2020], [quý I năm 2019] và [Quý 2/2020]",
     [("2020-10-01", "2020-12-31", "quarter"), ("2019-01-01", "2019-03-31", "quarter"),
      ("2020-04-01", "2020-06-30", "quarter")]),
    ("trong [Quý III năm 2025]", [("2025-07-01", "2025-09-30", "quarter")]),
    # halves and counted months
    ("kết quả [6 tháng đầu năm 2019] và [6 tháng cuối năm 2019]",
     [("2019-01-01", "2019-06-30", "half"), ("2019-07-01", "2019-12-31", "half")]),
    ("báo cáo [9 tháng đầu năm 2019]", [("2019-01-01", "2019-09-30", "range")]),
    ("Kỳ báo cáo: [04 tháng đầu năm 2019]", [("2019-01-01", "2019-04-30", "range")]),
    ("công tác CCHC [6 tháng năm 2019]", [("2019-01-01", "2019-06-30", "half")]),
    ("[sáu tháng cuối năm 2020] và [nửa đầu năm 2021]",
     [("2020-07-01", "2020-12-31", "half"), ("2021-01-01", "2021-06-30", "half")]),
    # ranges of years
    ("thi đua giai đoạn 2017 và [giai đoạn 2016-2020]", [("2016-01-01", "2020-12-31", "range")]),
    ("Chương trình [giai đoạn 2021 - 2025] và [giai đoạn 2023 – 2025]",
     [("2021-01-01", "2025-12-31", "range"), ("2023-01-01", "2025-12-31", "range")]),
    ("thực hiện CCHC [giai đoạn năm 2016-2020].", [("2016-01-01", "2020-12-31", "range")]),
    ("rà soát [từ năm 2016 đến năm 2020]", [("2016-01-01", "2020-12-31", "range")]),
    ("số liệu [năm 2018-2019]", [("2018-01-01", "2019-12-31", "range")]),
    # ranges of days and months
    ("[từ ngày 01/01/2018 đến 13/11/2018];", [("2018-01-01", "2018-11-13", "range")]),
    ("([Từ ngày 21/6/2019 đến hết ngày 18/7/2019])", [("2019-06-21", "2019-07-18", "range")]),
    ("giai đoạn [từ năm 2021 đến ngày 31/3/2025].", [("2021-01-01", "2025-03-31", "range")]),
    ("treo băng rôn [từ ngày 01 đến ngày 15/6/2018]", [("2018-06-01", "2018-06-15", "range")]),
    ("số liệu [từ tháng 1 đến tháng 6/2019]", [("2019-01-01", "2019-06-30", "range")]),
    ("kỳ [01/01/2019 - 30/6/2019]", [("2019-01-01", "2019-06-30", "range")]),
    # a start after its end is no range: each side stays what it is
    ("từ [ngày 15/6/2019] đến [ngày 01/01/2019]",
     [("2019-06-15", "2019-06-15", "day"), ("2019-01-01", "2019-01-01", "day")]),
    ("từ ngày 20 đến [ngày 15/6/2018]", [("2018-06-15", "2018-06-15", "day")]),
    # "đến nay" is today: only the start is a date
    ("từ [ngày 01/7/2025] đến nay", [("2025-07-01", "2025-07-01", "day")]),
    # years
    ("Kế hoạch CCHC [năm 2025], tầm nhìn đến [năm 2030]",
     [("2025-01-01", "2025-12-31", "year"), ("2030-01-01", "2030-12-31", "year")]),
    ("CẢI CÁCH HÀNH CHÍNH [NĂM 2018]", [("2018-01-01", "2018-12-31", "year")]),
    ("vốn theo [niên độ 2019]", [("2019-01-01", "2019-12-31", "year")]),
    # drafts: a blank day is no day, a blank day and month leave the year
    ("Lâm Đồng, ngày [tháng 12 năm 2025]", [("2025-12-01", "2025-12-31", "month")]),
    ("Lâm Đồng, ngày ..... [tháng 9 năm 2025]", [("2025-09-01", "2025-09-30", "month")]),
    ("Hà Nội, ngày tháng [năm 2025]", [("2025-01-01", "2025-12-31", "year")]),
    ("công văn số /BTC-CST ngày /[01/2025] của Bộ Tài chính", [("2025-01-01", "2025-01-31", "month")]),
    ("Lâm Đồng, ngày tháng năm", []),
    # not dates: codes, fractions, impossible dates, amounts, numbers, missing years
    ("Nghị định số 98/2018/NĐ-CP, Luật số 23/2012/QH13, Thông tư 12/2019/TT-BTC", []),
    ("Công văn số 2018/STC-VP [ngày 10/9/2018]", [("2018-09-10", "2018-09-10", "day")]),
    ("thay thế Thông tư số 01/2019/TT-BNV từ 12/2019/TT-BTC; trong 06/2020/NĐ-CP", []),
    ("hoàn thành 45/45 nhiệm vụ, đạt 15/19 tiêu chí, giải quyết 1/2019 hồ sơ", []),
    ("31/02/2020, tháng 13/2020, ngày 32 tháng 11 năm 2020, 30.02.2021", []),
    ("dự toán 2.018 triệu đồng, tỷ lệ 20,19%, đạt 2020 hồ sơ, 1.234.567 đồng", []),
    ("ĐT: 0263.3822.123; Fax: 0263 3822 124", []),
    ("Quý II và ngày 16/11 đã họp; giai đoạn 2025-2020; năm 2150", []),
    ("Năm\t2019\t2020", []),
]


def _annotated(sentence: str) -> tuple[str, list[tuple[int, int, str]]]:
    """The sentence without brackets, and the (start, end, text) of each bracketed span."""
    plain, spans, last, removed = [], [], 0, 0
    for mark in _MARK.finditer(sentence):
        plain.append(sentence[last:mark.start()])
        start = mark.start() - removed
        spans.append((start, start + len(mark[1]), mark[1]))
        plain.append(mark[1])
        removed += 2
        last = mark.end()
    plain.append(sentence[last:])
    return "".join(plain), spans


@pytest.mark.parametrize("sentence, values", CASES, ids=[case[0][:40] for case in CASES])
def test_forms(sentence: str, values: list[tuple[str, str, str]]) -> None:
    text, spans = _annotated(sentence)
    assert len(spans) == len(values), "bad test case: one value per bracket"
    found = [(m.start, m.end, m.text, m.date, m.end_date, m.granularity) for m in find_dates(text)]
    expected = [(s, e, t, *v) for (s, e, t), v in zip(spans, values)]
    assert found == expected


@pytest.fixture(scope="module")
def dn001() -> tuple[str, list[DateMatch]]:
    """DN-001 (a Sở Tài chính report of 2018) and the dates found in it."""
    paths = sorted(SHARED_CORPUS.glob("DN-001__*"))
    if not paths:
        pytest.fail(f"DN-001 is missing from {SHARED_CORPUS}")
    text = assemble(load_document(paths[0])).text
    return text, list(find_dates(text))


def test_real_document_dates(dn001: tuple[str, list[DateMatch]]) -> None:
    text, matches = dn001
    found = {(m.text, m.date, m.end_date, m.granularity) for m in matches}
    # Read off the text: the header date, a cited plan, periods, a day range, the report year.
    assert ("ngày 14 tháng 11 năm 2018", "2018-11-14", "2018-11-14", "day") in found
    assert matches[0].text == "ngày 14 tháng 11 năm 2018"
    assert ("ngày 07/7/2017", "2017-07-07", "2017-07-07", "day") in found
    assert ("giai đoạn 2017-2020", "2017-01-01", "2020-12-31", "range") in found
    assert ("giai đoạn năm 2016-2020", "2016-01-01", "2020-12-31", "range") in found
    assert ("từ ngày 31/5/2018 đến ngày 15/6/2018", "2018-05-31", "2018-06-15", "range") in found
    assert ("Từ ngày 01/01/2018 đến 13/11/2018", "2018-01-01", "2018-11-13", "range") in found
    assert ("năm 2018", "2018-01-01", "2018-12-31", "year") in found
    assert len(matches) > 100


def test_real_document_spans(dn001: tuple[str, list[DateMatch]]) -> None:
    text, matches = dn001
    codes = [m.span() for m in DOCUMENT_CODE.finditer(text)]
    assert any(text[s:e] == "98/2018/NĐ-CP" or text[s:e] == "09/2018/QĐ-UBND" for s, e in codes)
    previous_end = 0
    for match in matches:
        assert match.text == text[match.start:match.end]
        assert match.start >= previous_end, "matches overlap or are out of order"
        previous_end = match.end
        assert match.date is not None and match.end_date is not None and match.date <= match.end_date
        inside = [text[s:e] for s, e in codes if s < match.end and match.start < e]
        assert not inside, (match, inside)


def test_the_forms_scan_only_segments_holding_a_year_and_find_what_a_whole_scan_finds(dn001: tuple[str, list[DateMatch]]) -> None:
    # the finder scans each form only between "\n"/"\t" around a year's digits: the same matches
    # as a scan of the whole text, on a real report and on edges (a text ending in a year, a
    # two-digit year, a form broken by a cell or a line)
    from pipeline.extract import dates

    edges = "năm 2019\tngày 3/3/17 và tháng\n10/2018\n\nQuý IV/2020 đến hết ngày 30/11/2020"
    for text in (dn001[0], edges, "", "\n\t\n", "2020"):
        segments = dates._segments(text)
        assert all(text[s - 1 : s] in ("", "\n", "\t") and text[e : e + 1] in ("", "\n", "\t") for s, e in segments)
        for pattern, _, _ in dates._FORMS:
            whole = [m.span() for m in pattern.finditer(text)]
            assert [m.span() for s, e in segments for m in pattern.finditer(text, s, e)] == whole
    assert [m.text for m in find_dates(edges)] == ["năm 2019", "ngày 3/3/17", "10/2018", "Quý IV/2020", "ngày 30/11/2020"]
