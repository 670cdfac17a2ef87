"""OCR: synthetic scans of a real text-layer page, deskew, coverage check, corpus scans."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import numpy as np
import pypdfium2
import pytest
from PIL import Image

from pipeline.ingest import load_document
from pipeline.ingest.model import Block
from pipeline.errors import IngestError
from pipeline.ingest.ocr import LANGUAGE, OcrWord, correct_words, image_file, ocr_available, ocr_image, pdf_page_image, reread_codes, tesseract_languages
from pipeline.ingest.ocr_correct import code_part_fixes, correct_text, preferred_reading
from pipeline.ingest.layout import join_lines, mark_ocr_block, ocr_page_lines
from pipeline.ingest.pdf import text_layer_is_poor
from pipeline.ingest.syllables import is_syllable
from pipeline.normalize import fold_accents
from pipeline.runner import DocumentTimeout, time_limit
from pipeline.scan_check import cer, check_scan, degrade, ocr_text, page_reference, printed_lines
from tests.conftest import SHARED_CORPUS, corpus_file, one_image_pdf

CORPUS = SHARED_CORPUS
TEXT_PDF = CORPUS / "DN-001__216BC_CCHC_nam_2018.pdf"  # excluded from pipeline/data/ocr_syllables.tsv
needs_ocr = pytest.mark.skipif(LANGUAGE not in tesseract_languages(), reason="tesseract with the vie model is not installed")


def test_tesseract_with_the_vietnamese_model_is_installed() -> None:
    # `make test` installs it (Makefile SYSTEM_PACKAGES): a skipped OCR suite must not pass silently in CI
    assert LANGUAGE in tesseract_languages()
    assert ocr_available()
needs_corpus = pytest.mark.skipif(not TEXT_PDF.is_file(), reason="../shared/corpus is not present")


@pytest.fixture(autouse=True)
def ocr_switched_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite runs with OCR off (conftest); these tests are about OCR."""
    monkeypatch.setenv("BAOCAO_OCR", "1")


def synthetic_scan(index: int, dpi: int, angle: float, seed: int = 0) -> Image.Image:
    """A page of a real text PDF as a scan tilted by ``angle`` (noise, blur, JPEG as in scan_check)."""
    clean = pypdfium2.PdfDocument(str(TEXT_PDF))[index].render(scale=dpi / 72, grayscale=True).to_pil()
    return degrade(clean, np.random.default_rng(seed), tilt=angle)[0]


@needs_ocr
@needs_corpus
def test_synthetic_scans_cer_after_deskew_and_correction() -> None:
    """Issue 5: CER <= 0.5% after correction at 300 dpi and skew <= 3°, on a report the syllable
    model was not built from. Measured on these five scans: 0.43% pooled (raw Tesseract 1.3%);
    over 30 scans of pages 0-9 (bench/bench_cer.py): 0.35%, raw 0.89%."""
    edits = characters = 0.0
    for index, angle in enumerate([2.5, -3.0, 1.0, 2.5, -3.0]):
        reference = page_reference(TEXT_PDF, index)
        page = ocr_image(synthetic_scan(index, 300, angle), 300)
        assert abs(page.skew + angle) < 0.15, "deskew found the tilt"
        assert not page.lost_text
        edits += cer(reference, ocr_text(page)) * len(reference)
        characters += len(reference)
    assert edits / characters <= 0.005, f"CER {edits / characters:.4f}"


def test_a_page_read_mostly_as_doubtful_words_is_flagged() -> None:
    from pipeline.ingest.ocr import OcrPage, OcrWord

    def page(confidences: list[float]) -> OcrPage:
        words = [OcrWord("chữ", c, 0, 0, 10, 10, (1, 1, i)) for i, c in enumerate(confidences)]
        return OcrPage(words=words, dpi=300, width=100, height=100, skew=0.0, rotation=0, confidence=None, coverage=1.0)

    assert page([95.0] * 97 + [10.0] * 3).unreadable == 0.03 and not page([95.0] * 97 + [10.0] * 3).lost_text
    assert page([95.0] * 90 + [10.0] * 10).lost_text, "a tenth of the page read as garbage is not passed on"
    assert not page([95.0] * 9 + [10.0] * 1).lost_text, "ten words (a seal, a signature) are too few to judge"


@needs_ocr
@needs_corpus
def test_synthetic_scan_200_dpi_is_read() -> None:
    page = ocr_image(synthetic_scan(1, 200, 2.0, seed=1), 200)
    assert abs(page.skew + 2.0) < 0.15
    assert cer(page_reference(TEXT_PDF, 1), ocr_text(page)) <= 0.02


@needs_ocr
@needs_corpus
def test_text_lost_by_ocr_is_flagged_not_passed() -> None:
    """Ink that Tesseract does not return (here: a whole paragraph dropped from its words) is flagged."""
    scan = synthetic_scan(1, 300, 0.0)
    page = ocr_image(scan, 300)
    assert not page.lost_text and page.coverage is not None and page.coverage > 0.98
    lines = sorted({w.line for w in page.words})
    kept = set(lines[: len(lines) // 2])
    from pipeline.ingest.ocr import _working, coverage

    mask, scale = _working(scan)
    partial, _found, _recognised = coverage(mask, scale, 300, [w for w in page.words if w.line in kept])
    assert partial is not None and partial < 0.9


@needs_ocr
@needs_corpus
@pytest.mark.parametrize("name", ["DN-016__237-TB-UBND-ket_qua_thuc_hien_chi_tieu_KTXH_nam_2018.pdf", "DA-004__4_1.jpg"])
def test_corpus_scan_produces_ocr_text(name: str) -> None:
    document = load_document(CORPUS / name)
    assert all(p.method == "ocr" and p.chars > 300 for p in document.pages)
    assert all(b.source == "ocr" for b in document.blocks)
    assert all(p.ocr_confidence and p.ocr_confidence > 80 and p.coverage is not None for p in document.pages)
    text = " ".join(b.text for b in document.blocks)
    assert "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text.upper().replace("HÒA", "HOÀ")
    assert not document.pages_needing_ocr


@needs_corpus
def test_poor_text_layer_is_detected() -> None:
    import pdfplumber

    with pdfplumber.open(str(CORPUS / "DA-001__1.pdf")) as pdf:
        assert text_layer_is_poor(pdf.pages[0].extract_text() or "")
    with pdfplumber.open(str(TEXT_PDF)) as pdf:
        assert not any(text_layer_is_poor(p.extract_text() or "") for p in pdf.pages[:5])


@needs_ocr
@needs_corpus
def test_poor_text_layer_is_replaced_by_ocr() -> None:
    document = load_document(CORPUS / "DA-001__1.pdf")
    assert [p.method for p in document.pages] == ["ocr", "ocr"]
    assert "Sở Giáo dục" in " ".join(b.text for b in document.blocks).replace("SỞ GIÁO DỤC", "Sở Giáo dục")


@pytest.mark.parametrize(
    ("ocr", "expected"),
    [
        ("giải quyêt hồ sơ", "giải quyết hồ sơ"),
        ("cải cách hành chính cấp tỉnh", "cải cách hành chính cấp tỉnh"),
        ("Ðảng bộ", "Đảng bộ"),
        ("UBND tỉnh", "UBND tỉnh"),
        ("Công văn số 3665/UBND-ÑC", "Công văn số 3665/UBND-NC"),
        ("Quyết định số 69/QĐĐ-STC", "Quyết định số 69/QĐ-STC"),
        ("các Quyết định số: l268/QĐ-UBND", "các Quyết định số: 1268/QĐ-UBND"),
        ("Nghị định 98/2018/NĐ-CP", "Nghị định 98/2018/NĐ-CP"),
        ("Công văn 12/ĐĐBQH-VP", "Công văn 12/ĐĐBQH-VP"),  # a doubled letter that is a real abbreviation
        ("Chỉ thị số 36-CT/IW, Kết luận 132-KL/TIW và 21-CT/I1W.", "Chỉ thị số 36-CT/TW, Kết luận 132-KL/TW và 21-CT/TW."),
        ("Nghị quyết 10-NQ/TU của Tỉnh ủy", "Nghị quyết 10-NQ/TU của Tỉnh ủy"),
        ("Chỉ thị số 36–CT/IW ngày", "Chỉ thị số 36–CT/TW ngày"),
        ("Nghị quyết số 10-NQ/TỦ, ngày 13/11/2017", "Nghị quyết số 10-NQ/TU, ngày 13/11/2017"),  # initials bear no tone
        ("Kế hoạch số 02-KH/BCĐTW", "Kế hoạch số 02-KH/BCĐTW"),  # the letter Đ is a shape, not a tone
        ("©) Nguyên nhân:", "c) Nguyên nhân:"),  # the list letter c read as the copyright sign
        ("Bản quyền © 2019", "Bản quyền © 2019"),
        ("2.1; Các tồn tại, hạn chế", "2.1. Các tồn tại, hạn chế"),  # a section number's stop read as ";"
        ("e_ Nghị định số 45/2010/NĐ-CP", "• Nghị định số 45/2010/NĐ-CP"),  # a round bullet read as a letter
        ("e Tên đề nghị sửa đổi: Hiệp hội", "• Tên đề nghị sửa đổi: Hiệp hội"),
        ("o Đổi tên Hội", "• Đổi tên Hội"),
        ("e các hội viên", "e các hội viên"),  # no capital follows: not a bullet
        ("tăng 1,5 lần", "tăng 1,5 lần"),
    ],
)
def test_tone_correction(ocr: str, expected: str) -> None:
    assert correct_text(ocr) == expected


def _page_words(lines: list[str], confidence: float) -> list[OcrWord]:
    return [
        OcrWord(text, confidence, 10 * i, 20 * n, 10 * i + 8, 20 * n + 10, (1, 1, n))
        for n, line in enumerate(lines)
        for i, text in enumerate(line.split())
    ]


def test_a_confidently_read_tone_mark_on_a_valid_syllable_is_kept() -> None:
    # Valid syllables the reports behind the syllable model seldom or never use (thánh, Chúa, phái):
    # their counts made the model turn them into frequent ones (thành, Chua, phải) even when
    # Tesseract had read them at 96. A mark read with confidence is kept; a doubtful one is not.
    lines = ["Đức Chúa Trời và các thánh", "trong hệ phái này"]
    words = _page_words(lines, 96.0)
    correct_words(words)
    assert [" ".join(w.text for w in words if w.line == (1, 1, n)) for n in range(2)] == lines
    doubtful = _page_words(lines, 60.0)
    correct_words(doubtful)
    assert " ".join(w.text for w in doubtful) == "Đức Chua Trời và các thành trong hệ phải này"
    assert correct_text("các thánh", confident=[True, True]) == "các thánh"
    assert correct_text("các thánh") == "các thành"  # without confidences: the model alone


def test_a_mark_tesseract_did_not_see_is_still_added_to_a_confident_word() -> None:
    # Tesseract's usual tone error is a mark it missed (over ê, ô, â), confidence or not.
    words = _page_words(["nhiêu tín đồ đã bỏ việc"], 96.0)
    correct_words(words)
    assert " ".join(w.text for w in words) == "nhiều tín đồ đã bỏ việc"


@pytest.mark.parametrize(
    ("in_line", "alone", "kept"),
    [
        ("CATT-PC06", "'CAT-PC06:", "CAT-PC06"),  # a doubled letter undone; the crop's stray marks ignored
        ("1159/CĐĐS-PCĐS,", "1159/CĐS-PCĐS", "1159/CĐS-PCĐS,"),
        ("9574/KH-BCĐ0G", "9574/KH-BCĐ06.", "9574/KH-BCĐ06"),  # a letter beside a digit read as that digit
        ("06/QĐ-TTg,", "06/QĐ-TT8,", "06/QĐ-TTg,"),  # g and 8 are not confused in codes: readings disagree
        ("130/KH-PC06", "130/KH-PCO6", "130/KH-PC06"),  # never a digit turned into a letter
        ("24/CT-TTg", "2/CPTT.", "24/CT-TTg"),  # a garbled second reading changes nothing
        ("177/BC-CATT-PCG6", "177/BC-CAT-PC06", "177/BC-CAT-PC06"),  # two known misreads in one word
        ("CATT-PC06", "CAT-PC08", "CATT-PC06"),  # one known misread and one other difference
    ],
)
def test_a_code_read_alone_replaces_the_line_reading_only_for_known_misreads(in_line: str, alone: str, kept: str) -> None:
    assert preferred_reading(in_line, alone) == kept


@needs_ocr
@needs_corpus
def test_suspect_code_words_are_read_again_alone() -> None:
    """On a scan of DN-001 page 13: a doubtful code word given a doubled letter (as Tesseract does in
    running text) gets its printed form back from the word read alone; real doubled letters stay."""
    page = ocr_image(synthetic_scan(12, 300, 0.0), 300, correct=False)
    texts = [w.text for w in page.words]
    assert any("QĐ-TTg" in t for t in texts) and any("UBND-TTĐT" in t for t in texts), texts
    misread = next(w for w in page.words if w.text.startswith("1358/STC-VP"))
    printed = misread.text
    misread.text, misread.conf = printed.replace("STC", "STTC"), 60.0  # misreads score 33-84 (measured)
    for word in page.words:
        if "TTg" in word.text or "TTĐT" in word.text:
            word.conf = 60.0  # doubtful too, but their doubled letters are printed: they must stay
    gray = synthetic_scan(12, 300, 0.0).convert("L")
    assert reread_codes(gray, 300, page.words) == 1
    assert misread.text == printed
    assert any("QĐ-TTg" in w.text for w in page.words) and any("UBND-TTĐT" in w.text for w in page.words)


def test_a_code_broken_across_ocr_lines_is_repaired_once_joined() -> None:
    """``36-CT/`` ends one OCR line and ``IW,`` opens the next: only the joined paragraph shows the
    Party code whose issuer TW was misread."""
    block = Block(kind="paragraph", text=join_lines("thực hiện Chỉ thị số 36-CT/", "IW, ngày 16/08/2019 của Bộ Chính trị"))
    mark_ocr_block(block)
    assert block.source == "ocr" and "Chỉ thị số 36-CT/TW, ngày 16/08/2019" in block.text


def test_misread_code_parts_follow_the_codes_of_the_same_document() -> None:
    pages = [
        "Kế hoạch số 130/KH-CAT-PC06 ngày 10/9/2025 và Kế hoạch số 146/KH-CAT-PC06 ngày 26/9/2025",
        "Báo cáo 177/BC-CAT-PCG6; Kế hoạch 9574/KH-BCĐ0G, 12/KH-BCĐ06, 15/BC-BCĐ06; 3/2026 và 5/2020, 6/2020",
        "Công văn 5710/BTP-BTTP, 12/BTP-VP và 13/BTP-KHTC",
    ]
    assert code_part_fixes(pages) == {"177/BC-CAT-PCG6": "177/BC-CAT-PC06", "9574/KH-BCĐ0G": "9574/KH-BCĐ06"}, (
        "a digit is never swapped for another digit (2026 stays), a doubled letter is no evidence (BTTP stays)"
    )


@needs_ocr
@needs_corpus
def test_lines_beside_a_signature_stay_apart() -> None:
    """A recipient list beside a signature block: a tall misread blot in one Tesseract line must not
    stretch that line over the next printed one and merge the two word by word (LD-015 page 5)."""
    clean = pypdfium2.PdfDocument(str(corpus_file("LD-015", ".pdf")))[4].render(scale=300 / 72, grayscale=True).to_pil()
    page = ocr_image(degrade(clean, np.random.default_rng(1), tilt=-2.14)[0], 300)
    lines = [fold_accents(line.text) for line in ocr_page_lines(page)[0]]
    recipients = [line for line in lines if line.startswith("- ")]
    assert len(recipients) >= 4, lines
    assert any("tu phap cac tinh, thanh pho truc thuoc" in line for line in recipients), lines
    assert any("tro tu phap - bo tu phap" in line for line in recipients), lines


@needs_ocr
@needs_corpus
def test_tightly_spaced_small_lines_stay_apart() -> None:
    """LD-093 page 12, a photo of an ID card: the national name and the motto under it are two
    Tesseract lines less than a point apart, and must not be merged word by word."""
    document = pypdfium2.PdfDocument(str(corpus_file("LD-093", ".pdf")))
    page = ocr_image(*pdf_page_image(document, 11))
    lines = [line.text for line in ocr_page_lines(page)[0]]
    assert any(line.startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA") for line in lines), lines[:4]
    assert any(line.startswith("Độc lập - Tự do") for line in lines), lines[:4]


@needs_corpus
def test_printed_lines_leave_out_text_that_is_not_on_the_page() -> None:
    """DN-007 page 1 has a note line in its text layer that the page covers: no scan can show it."""
    page = pypdfium2.PdfDocument(str(corpus_file("DN-007", ".pdf")))[0]
    layer = page.get_textpage().get_text_range()
    printed = "\n".join(printed_lines(page))
    assert "khẩn trương thực hiện giải ngân" in layer and "khẩn trương" not in printed
    assert "Ghi chú: Kết quả thực tế giải ngân" in printed and "Tổng cộng 161.773 19.200 2.166 89.523" in printed


def test_syllables() -> None:
    assert all(is_syllable(w) for w in "quốc giếng nghiệp người thuở khuyến".split())
    assert not any(is_syllable(w) for w in "Hcok HQI thcing quyêt câp".split())


@needs_ocr
@needs_corpus
@pytest.mark.parametrize(("prefix", "minimum"), [("LD-016", 0.95), ("DN-006", 0.95), ("DN-007", 0.9)])
def test_scan_gives_the_facts_of_its_text_layer(prefix: str, minimum: float, tmp_path: Path) -> None:
    """Same references, amounts and percentages from a report and from a synthetic scan of it.

    DN-007 is a dense ruled table of loans in millions: its amounts need the table read as cells
    under the unit line, and Tesseract misreads some of its small figures (F1 0.92-0.97 over
    noise seeds, below the issue's 0.95). Twelve documents: bench/bench_scans.py, bench/RESULTS.md.
    """
    agreement = check_scan(corpus_file(prefix, ".pdf"), tmp_path, 300, seed=3)
    assert len(agreement.expected) >= 3
    f1 = agreement.f1()
    assert f1 is not None and f1 >= minimum, (agreement.missing, agreement.extra)
    assert not agreement.silent_losses(), "a page lost text without being flagged"


@needs_ocr
@needs_corpus
def test_scan_of_a_word_file_gives_its_facts(tmp_path: Path) -> None:
    """A DOCX printed by LibreOffice, scanned, read back: the facts of the DOCX itself."""
    agreement = check_scan(CORPUS / "LD-078__Cong_van_trien_khai_cac_nhiem_vu_02.docx", tmp_path, 300, seed=1)
    assert len(agreement.expected) >= 5 and agreement.f1() == 1.0, (agreement.missing, agreement.extra)


def test_read_options_come_from_the_caller_or_once_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    from pipeline.ingest import ReadOptions, load_document

    assert ReadOptions.from_environment({"BAOCAO_OCR": "off", "BAOCAO_OCR_WORKERS": "3"}) == ReadOptions(ocr=False, ocr_workers=3)
    assert ReadOptions.from_environment({}) == ReadOptions()
    with pytest.raises(ValueError, match="BAOCAO_OCR_WORKERS"):
        ReadOptions.from_environment({"BAOCAO_OCR_WORKERS": "many"})
    with pytest.raises(ValueError):
        ReadOptions(ocr_workers=0)
    # the caller's options win over the environment: a scan is only marked as needing OCR
    monkeypatch.setenv("BAOCAO_OCR", "1")
    scan = next((Path(__file__).resolve().parents[2] / "shared" / "corpus").glob("DN-036__*"))
    document = load_document(scan, options=ReadOptions(ocr=False))
    assert document.blocks == [] or all(block.source != "ocr" for block in document.blocks)
    assert all(page.needs_ocr for page in document.pages)
    assert not ocr_available(ReadOptions(ocr=False))


# -- hostile sizes: the pixel budget of a page --------------------------------------------------


def test_a_huge_page_is_rendered_within_the_pixel_budget(tmp_path: Path) -> None:
    from pipeline.ingest.ocr import MAX_PAGE_PIXELS

    path = tmp_path / "poster.pdf"
    path.write_bytes(one_image_pdf(7200, 100, 1))  # 100 inches square: 900 Mpx at 300 dpi
    assert path.stat().st_size < 2000
    document = pypdfium2.PdfDocument(str(path))
    try:
        image, dpi = pdf_page_image(document, 0)
    finally:
        document.close()
    assert 0.95 * MAX_PAGE_PIXELS <= image.width * image.height <= MAX_PAGE_PIXELS
    assert dpi == pytest.approx(image.width / 100, rel=0.01) and dpi < 300


def test_an_image_declaring_more_pixels_than_the_budget_is_not_decoded_whole(tmp_path: Path) -> None:
    import zlib

    from pipeline.ingest.ocr import MAX_PAGE_PIXELS

    px = 7100  # 50 Mpx of one gray, a 50 KB stream
    path = tmp_path / "scan.pdf"
    path.write_bytes(one_image_pdf(1000, 1000, px, zlib.compress(bytes(px * px), 9)))
    document = pypdfium2.PdfDocument(str(path))
    try:
        image, _dpi = pdf_page_image(document, 0)
    finally:
        document.close()
    assert image.width * image.height <= MAX_PAGE_PIXELS


def test_a_low_resolution_image_is_not_blown_up_past_the_budget() -> None:
    from pipeline.ingest.ocr import MAX_PAGE_PIXELS, _resample

    image, dpi = _resample(Image.new("L", (4000, 4000), 255), 20.0)  # 200 inches square at 20 dpi
    assert image.width * image.height <= MAX_PAGE_PIXELS and dpi == pytest.approx(image.width / 200, rel=0.01)
    same, same_dpi = _resample(Image.new("L", (2480, 3508), 255), 300.0)  # an A4 scan stays as it is
    assert same.size == (2480, 3508) and same_dpi == 300.0


@needs_ocr
def test_an_absurdly_large_page_is_refused_with_a_code_and_not_rendered(tmp_path: Path) -> None:
    import time

    from pipeline.ingest.options import ReadOptions

    path = tmp_path / "huge.pdf"
    path.write_bytes(one_image_pdf(14400, 100, 1))  # the largest page PDF allows: 200 inches square
    assert path.stat().st_size < 2000
    started = time.monotonic()
    source = load_document(path, "huge.pdf", ReadOptions(ocr=True))
    assert time.monotonic() - started < 5  # a render at 300 dpi (3.6 Gpx) would take minutes and ~4 GB
    assert [code for code, _ in source.warnings] == ["PAGE_TOO_LARGE"]
    assert "page 1" in source.warnings[0][1] and "200 × 200 inches" in source.warnings[0][1]
    assert not source.pages_needing_ocr and source.pages[0].method == "none"
    document = pypdfium2.PdfDocument(str(path))
    try:
        with pytest.raises(IngestError) as refused:
            pdf_page_image(document, 0)
    finally:
        document.close()
    assert refused.value.code == "PAGE_TOO_LARGE"


def _png_header(path: Path, width: int, height: int) -> None:
    """A gray PNG declaring ``width`` × ``height`` pixels, with almost no data."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


def test_an_image_file_of_too_many_pixels_is_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    _png_header(path, 12000, 10000)  # 120 Mpx: under Pillow's own bomb limit
    with pytest.warns(Image.DecompressionBombWarning), pytest.raises(IngestError) as refused:
        image_file(path, "huge.png")
    assert refused.value.code == "IMAGE_TOO_LARGE" and "huge.png" in str(refused.value)
    _png_header(path, 20000, 10000)  # over Pillow's own limit: the same code
    with pytest.raises(IngestError) as refused:
        image_file(path, "huge.png")
    assert refused.value.code == "IMAGE_TOO_LARGE"


def test_a_later_frame_over_the_pixel_limit_refuses_the_file(tmp_path: Path) -> None:
    path = tmp_path / "pages.tif"
    small = Image.new("L", (200, 100), 255)
    small.save(path, save_all=True, append_images=[small, Image.new("1", (11000, 10000), 1)], compression="packbits")
    with pytest.raises(IngestError) as refused:
        image_file(path, "pages.tif")
    assert refused.value.code == "IMAGE_TOO_LARGE" and "page 3 is 11000 × 10000 pixels" in str(refused.value)


def _text_frame(line: str) -> Image.Image:
    from PIL import ImageDraw, ImageFont

    frame = Image.new("L", (2000, 300), 255)
    font = ImageFont.truetype("DejaVuSans.ttf", 48)  # 11.5 pt at 300 dpi
    ImageDraw.Draw(frame).text((100, 110), line, font=font, fill=0)
    return frame


@needs_ocr
def test_every_frame_of_a_multi_page_tiff_is_read_as_a_page(tmp_path: Path) -> None:
    lines = [f"Trang {n}: kinh phí {n}.250 triệu đồng, đạt {n}5% kế hoạch năm 2024." for n in (1, 2, 3)]
    frames = [_text_frame(line) for line in lines]
    path = tmp_path / "scan.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:], compression="tiff_deflate", dpi=(300, 300))
    assert Image.open(path).n_frames == 3
    document = load_document(path, "scan.tif")
    assert [page.page for page in document.pages] == [1, 2, 3]
    assert all(page.method == "ocr" and not page.needs_ocr for page in document.pages)
    for number in (1, 2, 3):
        text = " ".join(block.text for block in document.blocks if block.page == number)
        assert f"{number}.250 triệu đồng" in text and f"{number}5%" in text, text


@needs_ocr
def test_an_image_whose_data_is_cut_short_is_a_corrupt_image(tmp_path: Path) -> None:
    path = tmp_path / "cut.png"
    Image.effect_noise((400, 400), 60).save(path)  # noise: the data does not compress to a few bytes
    path.write_bytes(path.read_bytes()[:5000])  # the header reads; decoding the pixels fails
    with pytest.raises(IngestError) as refused:
        load_document(path, "cut.png")
    assert refused.value.code == "CORRUPT_IMAGE" and "page 1 is not a readable image" in str(refused.value)


@needs_ocr
def test_a_time_limit_while_tesseract_reads_stops_tesseract() -> None:
    from pipeline.ingest.ocr import _Recognition
    from tests.test_batch import _running

    noise = Image.effect_noise((4000, 4000), 128).point(lambda value: 0 if value < 100 else 255)
    recognition = _Recognition(noise, 300)  # about 15 s of Tesseract's CPU
    pid = recognition.process.pid
    try:
        with pytest.raises(DocumentTimeout), time_limit(0.5, "noise.png"):
            recognition.words()
        deadline = time.monotonic() + 5
        while _running(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(pid), "tesseract read on after the time limit"
    finally:
        if _running(pid):
            os.kill(pid, signal.SIGKILL)
        recognition.process.wait()


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("kết quá triên khai các Nghị quyét", "kết quả triển khai các Nghị quyết"),  # marks Tesseract was sure of
        ("nhập khâu và khân trương", "nhập khẩu và khẩn trương"),
        ("trên địa bàn tỉnh Đắk Nông", "trên địa bàn tỉnh Đắk Nông"),  # "bàn tính" is a word, but "tỉnh" no misreading
        ("hỗ trợ thủy lợi nhỏ", "hỗ trợ thủy lợi nhỏ"),  # nor "thủy lôi"
        ("thịt bỏ lòng", "thịt bỏ lòng"),  # "bộ lòng" is a word the reports do not use
        ("chi bố sung", "chi bố sung"),  # "chi bộ" and "bổ sung": no one reading
        ("kinh doanh tại chợ thị trấn", "kinh doanh tại chợ thị trấn"),  # "tại chỗ" is too rare in reports to decide
        ("Cộng hoà xã hội chủ nghĩa", "Cộng hoà xã hội chủ nghĩa"),  # the dictionary's "cộng hoà" is "cộng hòa"
        ("Hội thánh Đức Chúa Trời", "Hội thánh Đức Chúa Trời"),
    ],
)
def test_a_compound_of_the_dictionary_restores_a_confident_mark(read: str, meant: str) -> None:
    assert correct_text(read, confident=[True] * len(read.split())) == meant


@needs_ocr
def test_a_poor_text_layer_over_a_table_is_replaced_by_ocr() -> None:
    # DN-053 p. 2: an invisible OCR layer without marks ("Doi ttivng thanh tra") over a ruled table;
    # OCR's reading is judged with its table's rows, as the layer's is
    document = load_document(Path(__file__).parent / "data" / "dn053_p2.pdf")
    assert [p.method for p in document.pages] == ["ocr"]
    text = " ".join(b.text for b in document.blocks)
    assert "Đối tượng thanh tra, kiểm tra" in text and "Đắk Nông" in text
