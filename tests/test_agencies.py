"""One name per agency: headers' issuers read as the body that issued the document (Nghị định 30/2020,
Phụ lục I: the issuing body printed under the body it answers to)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pipeline.batch import RunSummary
from pipeline.extract.agencies import Agency, agency_key, canonical_agency


@pytest.mark.parametrize(
    "issuer, expected",
    [
        # a department under its province's people's committee: the committee's place is the department's
        ("UBND TỈNH LÂM ĐỒNG SỞ NỘI VỤ", Agency("Sở Nội vụ tỉnh Lâm Đồng", "Ủy ban nhân dân tỉnh Lâm Đồng")),
        ("ỦY BAN NHÂN DÂN TỈNH ĐĂK NÔNG SỞ TÀI CHÍNH", Agency("Sở Tài chính tỉnh Đắk Nông", "Ủy ban nhân dân tỉnh Đắk Nông")),
        ("UBND TỈNH LÂM ĐỒNG SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH",
         Agency("Sở Văn hóa, Thể thao và Du lịch tỉnh Lâm Đồng", "Ủy ban nhân dân tỉnh Lâm Đồng")),
        ("UBND HUYỆN KRÔNG NÔ PHÒNG TÀI CHÍNH - KẾ HOẠCH",
         Agency("Phòng Tài chính - Kế hoạch huyện Krông Nô", "Ủy ban nhân dân huyện Krông Nô")),
        ("UBND THÀNH PHỐ ĐÀ NẴNG SỞ GIÁO DỤC VÀ ĐÀO TẠO",
         Agency("Sở Giáo dục và Đào tạo thành phố Đà Nẵng", "Ủy ban nhân dân thành phố Đà Nẵng")),
        # "Thanh tra tỉnh" names its unit but not its place; OCR lost the marks
        ("UBND TINH DAK NONG THANH TRA TiNH", Agency("Thanh tra tỉnh Đắk Nông", "Ủy ban nhân dân tỉnh Đắk Nông")),
        # a local body under a ministry
        ("BỘ CÔNG AN CÔNG AN TỈNH LÂM ĐỒNG", Agency("Công an tỉnh Lâm Đồng", "Bộ Công an")),
        ("BỘ TÀI CHÍNH TỔNG CỤC THUẾ", Agency("Tổng cục Thuế", "Bộ Tài chính")),
        # a Party committee's board carries the committee's name
        ("TỈNH ỦY LÂM ĐỒNG BAN TUYÊN GIÁO", Agency("Ban Tuyên giáo Tỉnh ủy Lâm Đồng", "Tỉnh ủy Lâm Đồng")),
        # a Party organisation over the committee of one of its bodies
        ("ĐẢNG BỘ TỈNH GIA LAI ĐẢNG ỦY SỞ TÀI CHÍNH", Agency("Đảng ủy Sở Tài chính tỉnh Gia Lai", "Đảng bộ tỉnh Gia Lai")),
        # the office of a committee and a council's committees are named after the body itself
        ("UBND TỈNH ĐẮK NÔNG VĂN PHÒNG", Agency("Văn phòng Ủy ban nhân dân tỉnh Đắk Nông", "Ủy ban nhân dân tỉnh Đắk Nông")),
        ("UBND TỈNH LÂM ĐỒNG VĂN PHÒNG ĐĂNG KÝ ĐẤT ĐAI",
         Agency("Văn phòng Đăng ký đất đai tỉnh Lâm Đồng", "Ủy ban nhân dân tỉnh Lâm Đồng")),
        # abbreviations inside a name in capitals are cased with it
        ("UBND HUYỆN KRÔNG NÔ VĂN PHÒNG HĐND VÀ UBND",
         Agency("Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện Krông Nô", "Ủy ban nhân dân huyện Krông Nô")),
        ("HĐND TỈNH ĐẮK NÔNG BAN KINH TẾ - NGÂN SÁCH",
         Agency("Ban Kinh tế - Ngân sách Hội đồng nhân dân tỉnh Đắk Nông", "Hội đồng nhân dân tỉnh Đắk Nông")),
        # bodies standing alone
        ("ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG", Agency("Ủy ban nhân dân tỉnh Lâm Đồng", None)),
        ("HĐND TỈNH ĐẮK NÔNG", Agency("Hội đồng nhân dân tỉnh Đắk Nông", None)),
        ("BỘ NỘI VỤ", Agency("Bộ Nội vụ", None)),
        ("KIỂM TOÁN NHÀ NƯỚC", Agency("Kiểm toán Nhà nước", None)),
        ("Sở Tài chính tỉnh Đắk Nông", Agency("Sở Tài chính tỉnh Đắk Nông", None)),
        ("Liên minh Hợp tác xã tỉnh Quảng Trị", Agency("Liên minh Hợp tác xã tỉnh Quảng Trị", None)),
        # nothing readable as an agency
        ("UYTANNHANOAN cgNG HoA x.A. Hor cHU NGHIA vrpr NAM TINHLAMDONG", None),
        ("UBND THANH PHO DA NANG CONG Hcok xA HQI CHiJ NGHiA VIVT NAM SO GIAO DVC", None),
        (None, None),
    ],
)
def test_an_issuer_as_printed_names_one_agency(issuer: str | None, expected: Agency | None) -> None:
    assert canonical_agency(issuer) == expected


def test_spellings_of_one_body_share_the_agency_key() -> None:
    names = [canonical_agency(i) for i in ("UBND TỈNH ĐĂK NÔNG SỞ TÀI CHÍNH", "UBND TỈNH ĐẮK NÔNG SỞ TÀI CHÍNH",
                                           "Sở Tài chính tỉnh Đắk Nông", "Ủy ban nhân dân tỉnh Đắk Nông Sở Tài chính")]
    assert len({agency_key(a.name) for a in names if a}) == 1 and all(names)


def test_the_shared_corpus_gives_one_agency_per_body(shared_dataset: tuple[Path, RunSummary]) -> None:
    out, _ = shared_dataset
    with sqlite3.connect(out / "reports.sqlite") as connection:
        rows = connection.execute("SELECT DISTINCT issuer, agency FROM documents WHERE issuer IS NOT NULL").fetchall()
    agencies = sorted({agency for _, agency in rows if agency})
    # no two names of one body: one key per name, and no name is another's with its place left out
    keys = [agency_key(a) for a in agencies]
    assert len(keys) == len(set(keys))
    by_issuer = dict(rows)
    assert by_issuer["UBND TỈNH ĐĂK NÔNG SỞ TÀI CHÍNH"] == by_issuer["UBND TỈNH ĐẮK NÔNG SỞ TÀI CHÍNH"] == "Sở Tài chính tỉnh Đắk Nông"
    assert by_issuer["UBND TỈNH LÂM ĐỒNG SỞ NỘI VỤ"] == "Sở Nội vụ tỉnh Lâm Đồng"
    # every issuer read as an agency keeps a place or is a national body
    assert {"Sở Nội vụ tỉnh Lâm Đồng", "Sở Nội vụ tỉnh Bình Thuận", "Bộ Nội vụ", "Ủy ban nhân dân tỉnh Lâm Đồng"} <= set(agencies)
    assert not any(a.startswith("Sở ") and " tỉnh " not in a and " thành phố " not in a for a in agencies)
