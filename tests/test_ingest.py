"""Ingestion backends on real corpus files, plus a few tiny synthetic files built in tmp_path.

Corpus files are looked up by their ID prefix, first in the repo's sample ``corpus/`` and then in
the read-only shared corpus beside the repo (``../shared/corpus``); nothing is ever written there.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import shutil
import unicodedata
import zipfile
from pathlib import Path

import docx
import pdfplumber
import pypdfium2
import pytest
from lxml import etree

from pipeline.document import assemble
from pipeline.ingest import load_document
from pipeline.ingest.layout import Line, Segment, drop_running_lines
from pipeline.ingest.model import SourceDocument
from pipeline.ingest.txt import decode_text_bytes
from pipeline.normalize import normalize_text
from tests.conftest import SHARED_CORPUS, corpus_file

needs_antiword = pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword is not installed")


def squash(text: str) -> str:
    """Collapse all whitespace, for comparing texts produced by different readers."""
    return " ".join(text.split())


_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def encode_cp1258(text: str) -> bytes:
    """Encode Vietnamese text the way Windows-1258 stores it: base letter + combining tone mark.

    Python's cp1258 codec only maps precomposed letters that exist in the code page (â, ơ, ư, đ,
    ...), so toned letters are split into that base letter and one of the five combining tones.
    """
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        tone = "".join(c for c in decomposed if c in _TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
        out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


# --------------------------------------------------------------------------------------------
# TXT
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def qt001_path() -> Path:
    return corpus_file("QT-001", ".txt")


@pytest.fixture(scope="module")
def qt001(qt001_path: Path) -> SourceDocument:
    return load_document(qt001_path)


def test_qt001_utf8_one_block_per_non_blank_line(qt001: SourceDocument, qt001_path: Path) -> None:
    lines = [line.strip() for line in qt001_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert qt001.file_format == "txt"
    assert qt001.provenance["encoding"] == "utf-8"
    assert [b.text for b in qt001.blocks] == lines
    assert qt001.pages == [] and qt001.page_count is None
    kinds = {b.text: b.kind for b in qt001.blocks}
    assert kinds["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"] == "heading"
    assert kinds["BÁO CÁO"] == "heading"
    assert kinds["Phần thứ nhất"] == "heading"
    assert all(b.kind == "list_item" for b in qt001.blocks if b.text.startswith("- "))


def _utf16_be_with_bom(text: str) -> bytes:
    return codecs.BOM_UTF16_BE + text.encode("utf-16-be")


REENCODINGS = [
    pytest.param(lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), "utf-8-sig", id="utf-8-bom"),
    pytest.param(lambda t: t.replace("\n", "\r\n").encode("utf-8"), "utf-8", id="utf-8-crlf"),
    pytest.param(lambda t: t.encode("utf-16"), "utf-16", id="utf-16-bom-native"),
    pytest.param(_utf16_be_with_bom, "utf-16", id="utf-16-bom-be"),
    pytest.param(lambda t: t.encode("utf-16-le"), "utf-16-le", id="utf-16-le-no-bom"),
    pytest.param(lambda t: t.encode("utf-16-be"), "utf-16-be", id="utf-16-be-no-bom"),
    pytest.param(encode_cp1258, "cp1258", id="windows-1258"),
]


@pytest.mark.parametrize(("encode", "expected_encoding"), REENCODINGS)
def test_qt001_reencoded_gives_same_normalised_text(
    encode, expected_encoding: str, qt001: SourceDocument, qt001_path: Path, tmp_path: Path
) -> None:
    original = qt001_path.read_text(encoding="utf-8")
    data = encode(original)
    target = tmp_path / "QT-001-reencoded.txt"
    target.write_bytes(data)

    text, encoding = decode_text_bytes(data, str(target))
    assert encoding == expected_encoding
    assert normalize_text(text) == normalize_text(original)

    document = load_document(target)
    assert document.file_format == "txt"
    assert document.provenance["encoding"] == expected_encoding
    assert [normalize_text(b.text) for b in document.blocks] == [normalize_text(b.text) for b in qt001.blocks]
    assert assemble(document).text == assemble(qt001).text


def test_cp1258_tones_are_composed_by_the_decoder(qt001_path: Path) -> None:
    """Windows-1258 stores tones as combining marks; the decoder composes them (NFC), so block
    classification sees the same letters as for UTF-8."""
    original = qt001_path.read_text(encoding="utf-8")
    data = encode_cp1258(original)
    assert not unicodedata.is_normalized("NFC", data.decode("cp1258"))
    text, encoding = decode_text_bytes(data, "x.txt")
    assert encoding == "cp1258"
    assert text == unicodedata.normalize("NFC", original)


def test_cp1258_text_keeps_block_kinds(qt001: SourceDocument, qt001_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "QT-001-cp1258.txt"
    target.write_bytes(encode_cp1258(qt001_path.read_text(encoding="utf-8")))
    document = load_document(target)
    differences = [
        (b.text, b.kind, a.kind) for a, b in zip(document.blocks, qt001.blocks, strict=True) if a.kind != b.kind
    ]
    assert differences == []


# --------------------------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ld014_path() -> Path:
    return corpus_file("LD-014", ".docx")


@pytest.fixture(scope="module")
def ld014(ld014_path: Path) -> SourceDocument:
    return load_document(ld014_path)


def test_ld014_header_table_row(ld014: SourceDocument) -> None:
    assert ld014.file_format == "docx"
    first = ld014.blocks[0]
    assert first.kind == "table_row"
    assert first.cells is not None and len(first.cells) == 2
    left, right = first.cells
    assert left.startswith("ỦY BAN NHÂN DÂN")
    assert "TỈNH LÂM ĐỒNG" in left
    assert right.startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert "Độc lập - Tự do - Hạnh phúc" in right
    assert first.text == "\t".join(cell.replace("\n", " ") for cell in first.cells)


def test_ld014_heading_bao_cao_follows_header(ld014: SourceDocument) -> None:
    texts = [b.text for b in ld014.blocks]
    index = texts.index("BÁO CÁO")
    assert ld014.blocks[index].kind == "heading"
    assert all(b.kind == "table_row" for b in ld014.blocks[:index])
    assert index < texts.index("I. THỰC TRẠNG TỔ CHỨC VÀ HOẠT ĐỘNG CỦA HỘI") < texts.index(
        "II. CÔNG TÁC QUẢN LÝ NHÀ NƯỚC ĐỐI VỚI HỘI"
    )


@pytest.mark.parametrize(
    ("pattern", "minimum"),
    [(r"^[a-d]\) ", 4), (r"^- ", 5)],
    ids=["lettered-a)", "dash"],
)
def test_ld014_list_items(ld014: SourceDocument, pattern: str, minimum: int) -> None:
    matching = [b for b in ld014.blocks if b.kind != "table_row" and re.match(pattern, b.text)]
    assert len(matching) >= minimum
    assert [b.text for b in matching if b.kind != "list_item"] == []


def test_ld014_blocks_in_document_order(ld014: SourceDocument, ld014_path: Path) -> None:
    """Same sequence of paragraphs and table rows as python-docx's own body iteration."""
    expected: list[object] = []
    for item in docx.Document(str(ld014_path)).iter_inner_content():
        if isinstance(item, docx.text.paragraph.Paragraph):
            if squash(item.text):
                expected.append(squash(item.text))
        else:
            for row in item.rows:
                cells = [squash(cell.text) for cell in row.cells]
                if any(cells):
                    expected.append(cells)
    got = [
        [squash(c) for c in b.cells] if b.kind == "table_row" else squash(b.text)
        for b in ld014.blocks
        if b.kind != "footnote"
    ]
    assert len(expected) > 30
    assert got == expected


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _notes(xml: bytes) -> list[tuple[str, str]]:
    """(id, text) of every real footnote in a footnotes.xml part."""
    root = etree.fromstring(xml)
    notes = []
    for note in root.iterchildren(f"{{{W_NS}}}footnote"):
        if note.get(f"{{{W_NS}}}type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        paragraphs = ["".join(t.text or "" for t in p.iter(f"{{{W_NS}}}t")) for p in note.iter(f"{{{W_NS}}}p")]
        text = squash(" ".join(paragraphs))
        if text:
            notes.append((note.get(f"{{{W_NS}}}id"), text))
    return notes


@pytest.fixture(scope="module")
def docx_with_footnotes() -> tuple[Path, list[tuple[str, str]]]:
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {SHARED_CORPUS}")
    for path in sorted(SHARED_CORPUS.glob("*.docx")):
        with zipfile.ZipFile(path) as archive:
            if "word/footnotes.xml" not in archive.namelist():
                continue
            notes = _notes(archive.read("word/footnotes.xml"))
        if notes:
            return path, notes
    pytest.skip("no corpus DOCX has real footnotes")


def test_docx_footnotes_become_footnote_blocks(docx_with_footnotes: tuple[Path, list[tuple[str, str]]]) -> None:
    path, notes = docx_with_footnotes
    document = load_document(path)
    footnotes = [b for b in document.blocks if b.kind == "footnote"]
    assert [squash(b.text) for b in footnotes] == [text for _, text in notes]
    assert [b.style for b in footnotes] == [f"footnote {note_id}" for note_id, _ in notes]
    # notes come after the body text, not in the middle of it
    first_note = document.blocks.index(footnotes[0])
    assert all(b.kind == "footnote" for b in document.blocks[first_note:])
    assert first_note > 10


_BOX_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)


def _text_box_run(text: str, with_fallback: bool = True) -> etree._Element:
    """A w:r holding a text box the way Word writes it: DrawingML choice + VML fallback."""
    content = f"<w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>"
    vml = f'<w:pict><v:shape id="box" style="width:80pt;height:24pt"><v:textbox>{content}</v:textbox></v:shape></w:pict>'
    if not with_fallback:
        return etree.fromstring(f"<w:r {_BOX_NS}>{vml}</w:r>")
    drawing = (
        '<w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" '
        'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>'
        '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
        '<wp:extent cx="1000000" cy="300000"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
        '<wp:docPr id="100" name="Text Box 1"/><wp:cNvGraphicFramePr/><a:graphic>'
        '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
        '<wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="1000000" cy="300000"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr>'
        f"<wps:txbx>{content}</wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>"
    )
    return etree.fromstring(
        f'<w:r {_BOX_NS}><mc:AlternateContent><mc:Choice Requires="wps">{drawing}</mc:Choice>'
        f"<mc:Fallback>{vml}</mc:Fallback></mc:AlternateContent></w:r>"
    )


@pytest.mark.parametrize("with_fallback", [True, False], ids=["drawingml+vml-fallback", "vml-only"])
def test_docx_text_box_read_once_after_its_anchor(tmp_path: Path, with_fallback: bool) -> None:
    document = docx.Document()
    document.add_paragraph("Đoạn mở đầu của báo cáo.")
    anchor = document.add_paragraph("Đoạn có khung văn bản.")
    anchor._p.append(_text_box_run("Nội dung trong khung văn bản", with_fallback))
    document.add_paragraph("Đoạn kết thúc.")
    path = tmp_path / "text_box.docx"
    document.save(str(path))

    blocks = load_document(path).blocks
    texts = [b.text for b in blocks]
    assert texts == [
        "Đoạn mở đầu của báo cáo.",
        "Đoạn có khung văn bản.",
        "Nội dung trong khung văn bản",
        "Đoạn kết thúc.",
    ]
    assert blocks[2].style == "text box"


def test_docx_text_box_in_table_cell_read_once(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Ô trái"
    table.cell(0, 1).paragraphs[0]._p.append(_text_box_run("Khung trong ô"))
    path = tmp_path / "text_box_in_cell.docx"
    document.save(str(path))

    rows = [b for b in load_document(path).blocks if b.kind == "table_row"]
    assert len(rows) == 1
    assert rows[0].cells == ("Ô trái", "Khung trong ô")


def test_corpus_docx_text_boxes_are_read() -> None:
    """Any corpus DOCX with a text box has the box's text in its blocks. (At the time of writing no
    corpus DOCX has w:txbxContent, hence the synthetic tests above; this one then skips.)"""
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {SHARED_CORPUS}")
    checked = 0
    for path in sorted(SHARED_CORPUS.glob("*.docx")):
        with zipfile.ZipFile(path) as archive:
            xml = archive.read("word/document.xml")
        if b"txbxContent" not in xml:
            continue
        root = etree.fromstring(xml)
        boxes = [
            squash("".join(t.text or "" for t in p.iter(f"{{{W_NS}}}t")))
            for box in root.iter(f"{{{W_NS}}}txbxContent")
            if not any(a.tag.endswith("}Fallback") for a in box.iterancestors())
            for p in box.iter(f"{{{W_NS}}}p")
        ]
        blocks = [squash(b.text) for b in load_document(path).blocks]
        for text in filter(None, boxes):
            assert sum(text in b for b in blocks) >= 1, (path.name, text)
            checked += 1
    if not checked:
        pytest.skip("no corpus DOCX has a text box (w:txbxContent)")


@pytest.mark.parametrize(
    ("source", "name", "expected_format"),
    [
        (("LD-014", ".docx"), "really_a_docx.doc", "docx"),
        (("LD-014", ".docx"), "really_a_docx.pdf", "docx"),
        (("LD-089", ".pdf"), "really_a_pdf.docx", "pdf"),
        (("QT-001", ".txt"), "plain.text", "txt"),
        pytest.param(("LD-024", ".doc"), "really_a_doc.docx", "doc", marks=needs_antiword),
    ],
)
def test_routing_by_content_not_suffix(tmp_path: Path, source: tuple[str, str], name: str, expected_format: str) -> None:
    original = corpus_file(*source)
    copy = tmp_path / name
    shutil.copyfile(original, copy)
    document = load_document(copy)
    assert document.file_format == expected_format
    assert document.provenance["suffix"] == Path(name).suffix
    assert [b.text for b in document.blocks] == [b.text for b in load_document(original).blocks]


def test_pdf_header_after_leading_junk_is_still_a_pdf(tmp_path: Path) -> None:
    data = corpus_file("LD-089", ".pdf").read_bytes()
    path = tmp_path / "junk_before_header.bin"
    path.write_bytes(b"\r\n" * 50 + data)
    document = load_document(path)
    assert document.file_format == "pdf"
    assert any("3183/SNV-TCBC" in b.text for b in document.blocks)


# --------------------------------------------------------------------------------------------
# DOC (antiword)
# --------------------------------------------------------------------------------------------


@needs_antiword
def test_ld024_doc_structure() -> None:
    document = load_document(corpus_file("LD-024", ".doc"))
    assert document.file_format == "doc"
    assert document.provenance["reader"] == "antiword"
    first = document.blocks[0]
    assert first.kind == "heading"
    assert first.text == "THUYẾT MINH NỘI DUNG DỰ THẢO THÔNG TƯ THAY THẾ THÔNG TƯ SỐ 244/2016/TT-BTC"
    texts = [b.text for b in document.blocks]
    romans = [
        "I. SỰ CẦN THIẾT BAN HÀNH THÔNG TƯ",
        "II. MỤC ĐÍCH, QUAN ĐIỂM XÂY DỰNG THÔNG TƯ",
        "III. QUÁ TRÌNH XÂY DỰNG THÔNG TƯ",
        "IV. NỘI DUNG CƠ BẢN CỦA DỰ THẢO THÔNG TƯ",
        "V. VỀ ĐỀ ÁN THU PHÍ",
    ]
    positions = [texts.index(r) for r in romans]
    assert positions == sorted(positions)
    assert all(document.blocks[i].kind == "heading" for i in positions)
    bullets = [b for b in document.blocks if re.match(r"^[-+] \S", b.text)]
    assert len(bullets) >= 10
    assert {b.kind for b in bullets} == {"list_item"}
    assert any("656/TTg-KSTT" in t for t in texts)


@needs_antiword
def test_ld024_justification_spaces_removed_by_normalisation() -> None:
    document = load_document(corpus_file("LD-024", ".doc"))
    raw_with_runs = [b.text for b in document.blocks if "  " in b.text]
    assert raw_with_runs, "antiword output is expected to carry justification spaces"
    text = assemble(document).text
    assert "  " not in text
    assert "\u00a0" not in text


@needs_antiword
def test_ld033_doc_header_table_row() -> None:
    document = load_document(corpus_file("LD-033", ".doc"))
    assert document.file_format == "doc"
    rows = [b for b in document.blocks if b.kind == "table_row"]
    assert rows, "LD-033 has a header table"
    header = document.blocks[0]
    assert header.kind == "table_row"
    assert header.cells is not None and len(header.cells) == 2
    assert header.cells[0].startswith("ỦY BAN NHÂN DÂN")
    assert header.cells[1].startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    header_text = " ".join(" ".join(b.cells or ()) for b in document.blocks[:3])
    assert "TỈNH LÂM ĐỒNG" in header_text and "Độc lập - Tự do - Hạnh phúc" in header_text
    texts = [b.text for b in document.blocks]
    assert document.blocks[texts.index("BÁO CÁO")].kind == "heading"


# --------------------------------------------------------------------------------------------
# PDF with a text layer: DN-001
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dn001_path() -> Path:
    return corpus_file("DN-001", ".pdf")


@pytest.fixture(scope="module")
def dn001(dn001_path: Path) -> SourceDocument:
    return load_document(dn001_path)


@pytest.fixture(scope="module")
def dn001_raw_pages(dn001_path: Path) -> list[str]:
    with pdfplumber.open(str(dn001_path)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def test_dn001_pages(dn001: SourceDocument) -> None:
    assert dn001.file_format == "pdf"
    assert dn001.page_count == 21
    assert [p.page for p in dn001.pages] == list(range(1, 22))
    assert all(p.method == "text" and p.chars > 0 and not p.needs_ocr for p in dn001.pages)
    assert dn001.pages_needing_ocr == []


def test_dn001_blocks_carry_their_page(dn001: SourceDocument, dn001_raw_pages: list[str]) -> None:
    pages = [b.page for b in dn001.blocks]
    assert pages == sorted(pages)
    assert set(pages) == set(range(1, 22))
    # independent check: the start of each block is found on that page of pdfplumber's text
    flat = [squash(t) for t in dn001_raw_pages]
    checked, wrong = 0, []
    for block in dn001.blocks:
        if block.kind == "table_row":
            continue
        key = squash(block.text)[:30]
        hits = [number for number, text in enumerate(flat, start=1) if key in text]
        if len(hits) == 1:
            checked += 1
            if hits[0] != block.page:
                wrong.append((block.page, hits[0], key))
    assert checked > 150
    assert wrong == []


def test_dn001_header_in_two_columns(dn001: SourceDocument) -> None:
    header = [b for b in dn001.blocks if b.page == 1 and b.column is not None]
    left = [b.text for b in header if b.column == "left"]
    right = [b.text for b in header if b.column == "right"]
    assert left[:2] == ["UBND TỈNH ĐĂK NÔNG", "SỞ TÀI CHÍNH"]
    assert any(t.startswith("Số: 216") for t in left)
    assert right[0].startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert any("Độc lập - Tự do - Hạnh phúc" in t for t in right)
    assert any(t.startswith("Đăk Nông, ngày 14 tháng 11 năm 2018") for t in right)
    # reading order: the whole left column, then the right one
    columns = [b.column for b in header]
    assert columns == sorted(columns, key=lambda c: c != "left")
    assert not any("CỘNG HÒA" in t for t in left)
    assert not any("SỞ TÀI CHÍNH" in t for t in right)


def _line_words(texts_and_gaps: list[tuple[str, float]], size: float) -> list[dict[str, object]]:
    words, x = [], 50.0
    for text, gap in texts_and_gaps:
        words.append({"text": text, "x0": x, "x1": x + 6.0 * len(text), "size": size})
        x += 6.0 * len(text) + gap
    return words


def test_a_justified_line_stays_one_segment_and_a_column_gap_splits() -> None:
    """Gaps as measured on a scan of LD-034 page 7: a justified line stretched to 14-17.5 pt gaps
    (text about 8 pt) is one line of a paragraph, not columns; a header's column gap still splits."""
    from pipeline.ingest.layout import split_segments

    justified = _line_words([("Cocacin:", 14), ("17;", 15), ("Ketamine:", 16), ("1265;", 17.5), ("Nhóm", 15), ("Methaphetamine:", 14), ("2495;", 16), ("Nhóm", 0)], 8.0)
    assert len(split_segments(justified)) == 1
    header = _line_words([("UBND", 3), ("TỈNH", 3), ("ĐĂK", 3), ("NÔNG", 120), ("CỘNG", 3), ("HÒA", 3), ("XÃ", 3), ("HỘI", 0)], 8.0)
    assert [s.text for s in split_segments(header)] == ["UBND TỈNH ĐĂK NÔNG", "CỘNG HÒA XÃ HỘI"]
    assert len(split_segments(_line_words([("Nơi nhận:", 150), ("TM.", 0)], 8.0))) == 2


_PAGE_NUMBER_ONLY = re.compile(r"^[\s\-–]*(?:trang\s*)?\d{1,3}[\s\-–]*$", re.IGNORECASE)


def test_dn001_page_numbers_dropped(dn001: SourceDocument, dn001_raw_pages: list[str]) -> None:
    raw_numbers = [
        n for n, t in enumerate(dn001_raw_pages, start=1) if t.strip() and t.strip().split("\n")[-1].strip() == str(n)
    ]
    assert len(raw_numbers) >= 10, "the PDF prints page numbers, so this test is not vacuous"
    assert [b.text for b in dn001.blocks if _PAGE_NUMBER_ONLY.match(b.text)] == []


SENTENCE_4096 = "Thực hiện Công văn số 4096/UBND-NC, ngày 02/8/2017 của Ủy ban nhân dân tỉnh Đăk Nông"


def test_dn001_wrapped_sentence_is_one_block(dn001: SourceDocument, dn001_raw_pages: list[str]) -> None:
    assert SENTENCE_4096 not in dn001_raw_pages[0], "the sentence is wrapped in the text layer"
    assert SENTENCE_4096 in dn001_raw_pages[0].replace("\n", " ")
    holders = [b for b in dn001.blocks if SENTENCE_4096 in b.text]
    assert len(holders) == 1
    assert holders[0].page == 1 and holders[0].kind == "paragraph"
    assert "chế độ báo cáo công tác CCHC theo định kỳ" in holders[0].text


def test_dn001_ruled_table_on_page_21(dn001: SourceDocument) -> None:
    rows = [b for b in dn001.blocks if b.page == 21 and b.kind == "table_row"]
    assert len(rows) >= 3
    assert all(b.cells is not None and len(b.cells) >= 10 for b in rows)
    assert all(b.text == "\t".join(c.replace("\n", " ") for c in b.cells) for b in rows)
    cells = [tuple(squash(c) for c in b.cells) for b in rows]
    assert cells[0][:3] == ("Stt", "Tên cơ quan đơn vị", "Tổng số TTHC")
    assert "Số hồ sơ chưa hợp lệ trả lại" in cells[0]
    data = [row for row in cells if row[1] == "Sở Tài chính"]
    assert len(data) == 1
    assert data[0][0] == "1" and data[0][2] == "74"
    assert {"460", "433", "27"} <= set(data[0])
    # the note below the table is text again
    below = [b for b in dn001.blocks if b.page == 21 and b.text.startswith("Ghi chú: 27 Hồ sơ trễ hẹn")]
    assert len(below) == 1 and below[0].kind != "table_row"


# --------------------------------------------------------------------------------------------
# PDF: document codes broken at a line end ("09/2018/QĐ-" + newline + "UBND")
# --------------------------------------------------------------------------------------------

_CODE_TAIL = re.compile(r"(\d+(?:/\d+)*/[A-ZĐ][A-ZĐ0-9/-]*-)$")
_CODE_HEAD = re.compile(r"^([A-ZĐ][A-ZĐ0-9]*)\b")


def broken_codes(path: Path) -> list[str]:
    """Codes that pdfplumber's page text breaks at a line end, re-joined."""
    codes = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            lines = (page.extract_text() or "").split("\n")
            for before, after in zip(lines, lines[1:]):
                tail, head = _CODE_TAIL.search(before.rstrip()), _CODE_HEAD.match(after.strip())
                if tail and head:
                    codes.append(tail.group(1) + head.group(1))
    return codes


def test_dn001_broken_codes_rejoined(dn001: SourceDocument, dn001_path: Path) -> None:
    codes = broken_codes(dn001_path)
    assert "09/2018/QĐ-UBND" in codes
    missing = [c for c in codes if not any(c in b.text for b in dn001.blocks)]
    assert missing == []
    assert not any("QĐ- UBND" in b.text for b in dn001.blocks)


@pytest.mark.parametrize("doc_id", ["LD-043", "LD-077", "LD-083", "LD-085", "LD-089", "LD-090"])
def test_broken_codes_rejoined_in_corpus_pdf(doc_id: str) -> None:
    path = corpus_file(doc_id, ".pdf")
    codes = broken_codes(path)
    assert codes, f"{path.name}: the text layer is expected to break a code at a line end"
    blocks = load_document(path).blocks
    missing = [c for c in codes if not any(c in b.text for b in blocks)]
    assert missing == []
    for code in codes:
        split_at = code.rindex("-", 0, len(code) - 1) + 1
        spaced = code[:split_at] + " " + code[split_at:]
        assert not any(spaced in b.text for b in blocks), spaced


# --------------------------------------------------------------------------------------------
# PDF: broken font maps printing "Ƣ/ƣ" for "Ư/ư"
# --------------------------------------------------------------------------------------------


def make_text_pdf(lines: list[tuple[int, int, str]], unicode_map: dict[str, str] | None = None) -> bytes:
    """A one-page PDF drawing ``lines`` (x, y, text) in Helvetica, with a ToUnicode CMap.

    Each distinct character gets a one-byte code; the CMap maps it back to Unicode, except that
    ``unicode_map`` can send a character elsewhere -- exactly what a broken font map does.
    """
    unicode_map = unicode_map or {}
    codes = {" ": 0x20}
    for code, char in enumerate(sorted({c for _, _, t in lines for c in t} - {" "}), start=0x21):
        codes[char] = code
    assert max(codes.values()) < 0x7F
    ops = ["BT", "/F1 11 Tf"]
    for x, y, text in lines:
        ops.append(f"1 0 0 1 {x} {y} Tm <{''.join(f'{codes[c]:02X}' for c in text)}> Tj")
    ops.append("ET")
    content = "\n".join(ops).encode("ascii")
    entries = "\n".join(
        f"<{code:02X}> <{unicode_map.get(char, char).encode('utf-16-be').hex().upper()}>" for char, code in codes.items()
    )
    cmap = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
        f"{len(codes)} beginbfchar\n{entries}\nendbfchar\nendcmap\n"
        "CMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        4: b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        6: b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
    }
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for number in sorted(objects):
        out += b"%010d 00000 n \n" % offsets[number]
    file_id = hashlib.md5(content).hexdigest().encode()
    out += b"trailer\n<< /Size %d /Root 1 0 R /ID [<%s> <%s>] >>\n" % (len(objects) + 1, file_id, file_id)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


BROKEN_MAP_LINES = [
    (72, 780, "TRƯỜNG ĐẠI HỌC TÂY NGUYÊN"),
    (72, 750, "Kết quả công tác của Trường năm 2019"),
    (72, 736, "Ngân sách nhà nước cấp đủ, người lao động được trả lương đúng hạn."),
    (72, 710, "NGƯỜI KÝ: Nguyễn Văn Thường"),
]


def test_broken_font_map_pdf_oi_letters_repaired(tmp_path: Path) -> None:
    path = tmp_path / "broken_font_map.pdf"
    path.write_bytes(make_text_pdf(BROKEN_MAP_LINES, unicode_map={"Ư": "Ƣ", "ư": "ƣ"}))
    document = load_document(path)
    raw = " ".join(b.text for b in document.blocks)
    assert "Ƣ" in raw and "ƣ" in raw, "the text layer itself must carry the look-alike letters"
    text = assemble(document).text
    assert "Ƣ" not in text and "ƣ" not in text
    for word in ("TRƯỜNG", "Trường", "nước", "người", "lương", "NGƯỜI", "Thường"):
        assert re.search(rf"\b{word}\b", text), word


def test_corpus_pdf_with_oi_letters_repaired() -> None:
    """The corpus notes a PDF whose font map prints Ƣ/ƣ; if its text layer has them, none survive."""
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {SHARED_CORPUS}")
    found = []
    for path in sorted(SHARED_CORPUS.glob("*.pdf")):
        pdf = pypdfium2.PdfDocument(str(path))
        try:
            if any(c in pdf[i].get_textpage().get_text_range() for i in range(len(pdf)) for c in "Ƣƣ"):
                found.append(path)
        finally:
            pdf.close()
    if not found:
        pytest.skip("no corpus PDF has Ƣ/ƣ in its text layer; covered by test_broken_font_map_pdf_oi_letters_repaired")
    for path in found:
        text = assemble(load_document(path)).text
        assert "Ƣ" not in text and "ƣ" not in text, path.name
        assert re.search(r"\w*[Ưư]\w*", text), path.name


# --------------------------------------------------------------------------------------------
# Scans and images: no text, every page needs OCR
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("doc_id", ["DN-008", "LD-100"])
def test_scanned_pdf_pages_need_ocr(doc_id: str) -> None:
    path = corpus_file(doc_id, ".pdf")
    with pdfplumber.open(str(path)) as pdf:
        page_count = len(pdf.pages)
        assert all(page.images for page in pdf.pages), "a scan: one image per page"
    document = load_document(path)
    assert document.file_format == "pdf"
    assert len(document.pages) == page_count > 1
    assert document.pages_needing_ocr == list(range(1, page_count + 1))
    assert all(p.method == "none" for p in document.pages)
    assert document.blocks == []


@pytest.mark.parametrize("doc_id", ["DA-004", "DA-005"])
def test_corpus_image_needs_ocr(doc_id: str) -> None:
    document = load_document(corpus_file(doc_id, ".jpg"))
    assert document.file_format == "image"
    assert document.blocks == []
    assert len(document.pages) == 1
    assert document.pages_needing_ocr == [1]
    assert document.pages[0].method == "none"


@pytest.mark.parametrize(
    ("pil_format", "name"),
    [("PNG", "page.png"), ("TIFF", "page.tif"), ("JPEG", "page.jpeg"), ("PNG", "scan_without_suffix"), ("JPEG", "photo.pdf")],
)
def test_synthetic_images_are_routed_to_image(tmp_path: Path, pil_format: str, name: str) -> None:
    from PIL import Image

    path = tmp_path / name
    Image.new("L", (40, 30), color=255).save(path, format=pil_format)
    document = load_document(path)
    assert document.file_format == "image"
    assert document.pages_needing_ocr == [1]


def test_pdf_page_with_text_layer_does_not_need_ocr(tmp_path: Path) -> None:
    path = tmp_path / "plain.pdf"
    path.write_bytes(make_text_pdf(BROKEN_MAP_LINES))
    document = load_document(path)
    assert document.pages_needing_ocr == []
    assert document.pages[0].method == "text" and document.pages[0].chars >= 60
    assert "Nguyễn Văn Thường" in assemble(document).text


def _printed(text: str, top: float) -> Line:
    return Line(top=top, bottom=top + 10, segments=[Segment([{"text": text, "x0": 400.0, "x1": 500.0, "top": top, "bottom": top + 10}])])


def test_a_line_above_each_page_table_and_a_caption_are_no_running_lines_but_a_repeated_footer_is() -> None:
    table = [("STT", "Nội dung", "Dự toán"), ("1", "Thu nội địa", "1.967.948")]
    pages = []
    for number in range(1, 5):
        pages.append([
            _printed(f"Biểu số {58 + number}/CK-NSNN", 25),
            _printed("CÂN ĐỐI NGÂN SÁCH ĐỊA PHƯƠNG", 40), _printed("(Kèm theo Báo cáo của Ủy ban nhân dân tỉnh)", 55),
            _printed("Đơn vị: Triệu đồng", 70),
            Line(top=80, bottom=400, segments=[Segment([{"text": "", "x0": 50.0, "x1": 550.0}])], table=table),
            _printed("Cổng thông tin điện tử tỉnh", 800),
        ])
    drop_running_lines(pages)
    # the unit line stands between the title and the table on every page: it stays (it was among
    # the last two lines of text); so does each page's table caption, whose number alone differs;
    # the footer under the table goes, and so does the title repeated at the top of every page
    for number, page in enumerate(pages, start=1):
        texts = [ln.text for ln in page if ln.table is None]
        assert texts == [f"Biểu số {58 + number}/CK-NSNN", "(Kèm theo Báo cáo của Ủy ban nhân dân tỉnh)", "Đơn vị: Triệu đồng"]
