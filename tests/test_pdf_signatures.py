"""Digital signatures of PDFs: signing time, signer, kind, from the signature dictionary and certificate."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdfium2
import pytest

import pipeline
from pipeline.batch import extract
from pipeline.ingest.pdf_signatures import names_a_body, pdf_date, read_signatures
from tests.conftest import corpus_file


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("D:20190604164332+07'00'", "2019-06-04T16:43:32+07:00"),
        ("D:20251006095600+07'00", "2025-10-06T09:56:00+07:00"),
        ("D:20231019105622Z", "2023-10-19T10:56:22+00:00"),
        ("D:20231019105622", "2023-10-19T10:56:22"),
        ("D:2019", "2019-01-01"),
        ("20190604", None),
    ],
)
def test_pdf_dates(text: str, iso: str | None) -> None:
    assert pdf_date(text) == iso


@pytest.mark.parametrize(
    ("name", "organization", "body"),
    [
        ("SỞ NỘI VỤ", None, True),
        ("Ủy ban nhân dân huyện K-rông Nô", None, True),
        ("HIỆP HỘI CÔNG CHỨNG VIÊN VIỆT NAM", None, True),
        ("Vũ Chiến Thắng", "BỘ NỘI VỤ", False),  # "Vũ" is a name, "Vụ" a department
        ("Nguyễn Đức Vũ", "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG", False),
        ("Tỉnh Đắk Nông", "Tỉnh Đắk Nông", True),  # the certificate's own organisation
    ],
)
def test_a_signer_is_a_body_or_a_person(name: str, organization: str | None, body: bool) -> None:
    assert names_a_body(name, organization) is body


def test_a_ministrys_letter_is_signed_by_its_officer_then_by_the_ministry() -> None:
    document = pypdfium2.PdfDocument(str(corpus_file("LD-074", ".pdf")))
    signatures = read_signatures(document)
    assert len(signatures) == 5
    first, second = signatures[0], signatures[1]
    assert (first.signer, first.signer_kind, first.unit, first.organization) == (
        "Thang Thi Hạnh", "person", "VỤ TỔ CHỨC PHI CHÍNH PHỦ", "BỘ NỘI VỤ",
    )
    assert first.signed_at == "2025-10-06T09:56:00+07:00"
    assert (second.signer, second.signer_kind, second.email) == ("Bộ Nội vụ", "agency", "bonoivu@moha.gov.vn")
    assert all(s.signed_at >= first.signed_at for s in signatures[1:])


def test_a_reason_names_the_signer_when_the_certificate_cannot_be_read() -> None:
    # DA-003's signature contents are no PKCS#7 the reader knows; its reason says who signed
    (signature,) = read_signatures(pypdfium2.PdfDocument(str(corpus_file("DA-003", ".pdf"))))
    assert signature.signer == "Ủy ban nhân dân thành phố Đà Nẵng"
    assert signature.signer_kind == "agency"
    assert signature.signed_at == "2023-10-19T10:56:22+07:00"


def test_signatures_reach_the_store_and_the_notebook(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    shutil.copy(corpus_file("LD-074", ".pdf"), source)
    shutil.copy(corpus_file("QT-001", ".txt"), source)
    out = tmp_path / "out"
    extract([source], out)
    data = pipeline.load(out)
    rows = data.signatures
    assert len(rows) == 5 and rows["doc_id"].nunique() == 1
    assert list(rows.sort_values("signature_index")["signer_kind"])[:2] == ["person", "agency"]
