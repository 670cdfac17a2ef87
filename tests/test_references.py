"""Citations: a parametrised table of real-style sentences, then whole documents against gold."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from spacy.language import Language

from pipeline.batch import RunSummary, extract
from pipeline.document import assemble
from pipeline.extract.references import ReferenceMatch, find_references
from pipeline.ingest import load_document
from tests.conftest import GOLD, shared_file


def refs(text: str) -> list[ReferenceMatch]:
    return list(find_references(text))


# sentence, expected [(code, doc_kind, issued_date, issuer)]
CASES = [
    (
        "Tại Quyết định số 3110/QĐ-UBND ngày 7/12/2016 của UBND tỉnh Quảng Trị về việc thành lập Ban chỉ đạo",
        [("3110/QĐ-UBND", "Quyết định", "2016-12-07", "UBND tỉnh Quảng Trị")],
    ),
    (
        "Thực hiện Công văn số 228/VPĐP-NTM ngày 9/11/2020 của Văn phòng điều phối nông thôn mới về báo cáo kết quả",
        [("228/VPĐP-NTM", "Công văn", "2020-11-09", "Văn phòng điều phối nông thôn mới")],
    ),
    ("theo Nghị định 98/2018/NĐ-CP của Chính phủ", [("98/2018/NĐ-CP", "Nghị định", None, "Chính phủ")]),
    (
        "Thông tư liên tịch số 51/2013/TTLT-BNNPTNT-BKHĐT-BTC ngày 2 tháng 12 năm 2013",
        [("51/2013/TTLT-BNNPTNT-BKHĐT-BTC", "Thông tư liên tịch", "2013-12-02", None)],
    ),
    ("Luật số 23/2012/QH13 của Quốc hội", [("23/2012/QH13", "Luật", None, "Quốc hội")]),
    ("Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị", [("57-NQ/TW", "Nghị quyết", "2024-12-22", "Bộ Chính trị")]),
    ("Chỉ thị số 36-CT/TU, Kết luận 05-KL/TW", [("36-CT/TU", "Chỉ thị", None, None), ("05-KL/TW", "Kết luận", None, None)]),
    # spaces and en-dashes inside the code, ASCII "QD"
    ("Quyết định số 1274 /QĐ – UBND ngày 01/8/2018", [("1274/QĐ-UBND", "Quyết định", "2018-08-01", None)]),
    ("Quyết định số 45/QD-UBND", [("45/QĐ-UBND", "Quyết định", None, None)]),
    # a list shares its type word
    (
        "các Quyết định số 216/QĐ-UBND; 516/QĐ-UBND và 760/QĐ-UBND",
        [("216/QĐ-UBND", "Quyết định", None, None), ("516/QĐ-UBND", "Quyết định", None, None),
         ("760/QĐ-UBND", "Quyết định", None, None)],
    ),
    # a code with no type word printed
    ("theo ý kiến tại 1622/UBND-KTKH", [("1622/UBND-KTKH", None, None, None)]),
    # the issuer named before the citation: "của X tại", "X (đã) có / ban hành", "của X (", a listed "X ("
    (
        "Thực hiện ý kiến chỉ đạo của UBND tỉnh tại Công văn số 5186/UBND-KTKH ngày 06/10/2016, phòng đã tham mưu",
        [("5186/UBND-KTKH", "Công văn", "2016-10-06", "UBND tỉnh")],
    ),
    ("Ngày 24/8/2024, Thủ tướng Chính phủ có công văn số 656/TTg-KSTT về việc", [("656/TTg-KSTT", "Công văn", None, "Thủ tướng Chính phủ")]),
    (
        "theo quy định của Chính phủ (Nghị định số 27/2021/NĐ-CP ngày 27/01/2021), Thủ tướng Chính phủ (Quyết định số 33/2020/QĐ-TTg)",
        [("27/2021/NĐ-CP", "Nghị định", "2021-01-27", "Chính phủ"), ("33/2020/QĐ-TTg", "Quyết định", None, "Thủ tướng Chính phủ")],
    ),
    # ... but not the issuer of the citation before it, nor the writer itself ("Sở cũng đã ban hành")
    (
        "bãi bỏ Nghị quyết số 03/2007/NQ-HĐND ngày 25/7/2007 của Hội đồng nhân dân tỉnh Đắk Nông tại Tờ trình số 5579/TTr-UBND",
        [("03/2007/NQ-HĐND", "Nghị quyết", "2007-07-25", "Hội đồng nhân dân tỉnh Đắk Nông"), ("5579/TTr-UBND", "Tờ trình", None, None)],
    ),
    ("Sở cũng đã ban hành Kế hoạch số 616/KH-STC ngày 23/5/2013", [("616/KH-STC", "Kế hoạch", "2013-05-23", None)]),
    # "và" inside one name, not between two documents or after a whole body
    (
        "Công văn số 359/STTTT-TTBCXB ngày 18/3/2024 của Sở Thông tin và Truyền thông về việc tuyên truyền",
        [("359/STTTT-TTBCXB", "Công văn", "2024-03-18", "Sở Thông tin và Truyền thông")],
    ),
    (
        "Nghị quyết số 10/NQ-CP ngày 3/2/2018 của Chính phủ và Chương trình hành động",
        [("10/NQ-CP", "Nghị quyết", "2018-02-03", "Chính phủ")],
    ),
    # a date left blank, the issuer, then the date
    (
        "Thông tư số 342/2016/TT-BTC ngày của Bộ Tài chính ngày 30/12/2016 quy định",
        [("342/2016/TT-BTC", "Thông tư", "2016-12-30", "Bộ Tài chính")],
    ),
    # negatives: ratios, counts, dates, abbreviations, standards
    ("hoàn thành 45/45 nhiệm vụ, đạt 15/19 tiêu chí đến ngày 31/12/2019", []),
    ("V/v báo cáo (b/c) theo TCVN ISO 9001:2008", []),
    ("tại khu 15/Khu phố 3", []),
]


@pytest.mark.parametrize("sentence, expected", CASES)
def test_reference_table(sentence: str, expected: list[tuple[str | None, ...]]) -> None:
    found = [r for r in refs(sentence) if r.code]
    assert [(r.code, r.doc_kind, r.issued_date, r.issuer) for r in found] == expected
    for match in found:
        assert sentence[match.start:match.end] == match.text


def test_parts_of_a_code() -> None:
    (decree,) = refs("Nghị định số 98/2018/NĐ-CP")
    assert (decree.number, decree.year, decree.type_code, decree.issuer_code) == ("98", 2018, "NĐ", "CP")
    (letter,) = refs("Công văn số 228/VPĐP-NTM ngày 9/11/2020")
    assert (letter.number, letter.year, letter.type_code, letter.issuer_code) == ("228", 2020, None, "VPĐP-NTM")
    (party,) = refs("Nghị quyết 57-NQ/TW")
    assert (party.number, party.type_code, party.issuer_code) == ("57", "NQ", "TW")


def test_subject_is_read_after_the_issuer() -> None:
    (decision,) = refs("Quyết định số 1763/QĐ-UBND ngày 28/6/2017 của UBND tỉnh Quảng Trị về phân công nhiệm vụ phụ trách; tiếp")
    assert decision.subject == "phân công nhiệm vụ phụ trách"


def test_own_number_is_not_a_reference() -> None:
    text = "UBND TỈNH ĐĂK NÔNG\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 216 /BC-STC\nBÁO CÁO\nKèm theo Báo cáo số 216 /BC-STC; Kế hoạch số 1805/KH-STC"
    assert [r.code for r in refs(text) if r.code] == ["1805/KH-STC"]


def test_a_code_cited_by_the_subject_on_the_number_line_is_a_reference() -> None:
    # DA-003 by OCR: the number itself is unreadable and the "V/v" subject runs into its line
    text = "Số: ý? /UBND-SGDĐT Víw thực hiện Thông báo số 496-TB/TU ngày 17/8/2023\nThực hiện Thông báo số 496-TB/TU"
    assert [r.code for r in refs(text) if r.code] == ["496-TB/TU", "496-TB/TU"]


@pytest.mark.parametrize(
    "sentence, law, year",
    [
        ("theo Luật Hợp tác xã 2012 và", "Luật Hợp tác xã 2012", 2012),
        ("Luật HTX 2012", "Luật HTX 2012", 2012),
        ("thực hiện Luật phòng, chống ma túy năm 2021;", "Luật phòng, chống ma túy năm 2021", 2021),
        ("Bộ luật hình sự năm 2015", "Bộ luật hình sự năm 2015", 2015),
        ("Luật Ngân sách nhà nước", "Luật Ngân sách nhà nước", None),
    ],
)
def test_named_laws(sentence: str, law: str, year: int | None) -> None:
    named = [r for r in refs(sentence) if r.code is None]
    assert [(r.text, r.year) for r in named] == [(law, year)]
    assert named[0].doc_kind in ("Luật", "Bộ luật")


def test_lower_case_law_is_not_a_name() -> None:
    assert refs("văn bản quy phạm pháp luật đầu tư công") == []


@pytest.mark.parametrize("gold_id", ["QT-001", "DN-001", "DN-002", "LD-014", "LD-024", "LD-033", "DN-007"])
def test_distinct_codes_match_gold(gold_id: str) -> None:
    annotation = json.loads((GOLD / f"{gold_id}.json").read_text(encoding="utf-8"))
    text = assemble(load_document(shared_file(gold_id))).text
    found = {r.code for r in find_references(text) if r.code}
    expected = {r["code"] for r in annotation["references"] if not r.get("number_only")}
    assert found == expected


def test_citations_of_documents_in_the_store_point_at_them(shared_dataset: tuple[Path, RunSummary]) -> None:
    out, _ = shared_dataset
    with sqlite3.connect(out / "reports.sqlite") as connection:
        linked = connection.execute(
            'SELECT r.code, cited.source_path, r.doc_id != r.cited_doc_id FROM "references" r '
            'JOIN documents cited ON cited.doc_id = r.cited_doc_id'
        ).fetchall()
        unlinked = connection.execute(
            'SELECT COUNT(*) FROM "references" WHERE cited_doc_id IS NULL AND code IS NOT NULL'
        ).fetchone()[0]
    by_code = {code: Path(path).name.split("__")[0] for code, path, _ in linked}
    # a report cites the plan DN-006 ("Kế hoạch số 3125/KH-STC"), a letter cites the tờ trình LD-062
    assert by_code.get("3125/KH-STC") == "DN-006" and by_code.get("409/TTr-CAT(PC04)") == "LD-062"
    assert all(other for _, _, other in linked)  # never a document's own number
    assert unlinked > 900  # most cited documents are not in this archive


def test_a_number_two_documents_share_is_linked_by_the_citation_year(tmp_path: Path, nlp: Language) -> None:
    source = tmp_path / "in"
    source.mkdir()
    header = "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG\nSố: 12/KH-UBND\nLâm Đồng, ngày 5 tháng 3 năm {year}\nKẾ HOẠCH\nVề công tác năm {year}\n"
    (source / "a.txt").write_text(header.format(year=2023) + "Nội dung.\n", encoding="utf-8")
    (source / "b.txt").write_text(header.format(year=2024) + "Nội dung.\n", encoding="utf-8")
    (source / "c.txt").write_text(
        "SỞ NỘI VỤ\nSố: 7/BC-SNV\nBÁO CÁO\nThực hiện Kế hoạch số 12/KH-UBND ngày 5/3/2024 của UBND tỉnh; "
        "Kế hoạch số 12/KH-UBND của UBND tỉnh.\n",
        encoding="utf-8",
    )
    extract([source], tmp_path / "out", nlp=nlp)
    with sqlite3.connect(tmp_path / "out" / "reports.sqlite") as connection:
        years = dict(connection.execute("SELECT doc_id, year FROM documents").fetchall())
        links = connection.execute(
            'SELECT r.year, r.cited_doc_id FROM "references" r JOIN documents d USING (doc_id) '
            "WHERE d.source_path = 'c.txt' ORDER BY r.start"
        ).fetchall()
    assert [(year, years.get(target)) for year, target in links] == [(2024, 2024), (None, None)]
