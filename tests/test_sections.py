"""Section tree: numbering schemes, levels read from the outline, extents, footnotes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.document import DocumentText, TextBlock, assemble
from pipeline.extract.sections import find_sections, marker_of
from pipeline.ingest import load_document

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def make_doc(lines: list[str | tuple[str, str]]) -> DocumentText:
    """A DocumentText from lines; a ``(kind, text)`` tuple sets the block kind."""
    blocks, offset, texts = [], 0, []
    for index, line in enumerate(lines):
        kind, text = line if isinstance(line, tuple) else ("paragraph", line)
        blocks.append(TextBlock(index, kind, offset, offset + len(text), text, None, "text", None, None,
                                "footnote 1" if kind == "footnote" else None, False))
        texts.append(text)
        offset += len(text) + 1
    return DocumentText("\n".join(texts), tuple(blocks))


@pytest.mark.parametrize(
    ("line", "scheme", "number"),
    [
        ("I. ĐẶC ĐIỂM TÌNH HÌNH", "roman", "I"),
        ("VII. Kiến nghị, đề xuất", "roman", "VII"),
        ("2.1 Tồn tại, hạn chế, khó khăn, vướng mắc:", "multi2", "2.1"),
        ("6.2. Về hạ tầng công nghệ thông tin", "multi2", "6.2"),
        ("2.1.3 Về kinh phí", "multi3", "2.1.3"),
        ("5. *Những khó khăn, tồn tại, kiến nghị, đề xuất giải pháp khắc phục*", "arabic", "5"),
        ("đ) Phân loại địa bàn liên quan đến ma túy:", "letter", "đ"),
        ("(1) Hội Cựu giáo chức tỉnh có Văn bản số 16/CGC.BT", "paren", "1"),
        ("Phần thứ ba", "part", "Phần thứ ba"),
        ("PHẦN II", "part", "PHẦN II"),
        ("- Nguyên nhân khách quan:", "dash", None),
        ("+ Đề nghị tính toán đưa ra định mức phân bổ dự toán", "plus", None),
        ("• Hạ tầng còn yếu", "dot", None),
        ("1.156.846 trường hợp đã được cập nhật", None, None),
        ("I/2025 như đề xuất của Hội là không đảm bảo điều kiện", None, None),
        ("“4. Nhiệm kỳ đại hội:", None, None),
        ("2025 và Công văn số 3191/SXD-VP", None, None),
        # numbers as many agencies type them, a slash and a space: "1/", "b/", "II/"
        ("1/ Tồn tại, hạn chế", "arabic", "1"),
        ("b/ Phần thể thức văn bản dự thảo:", "letter", "b"),
        ("IV/ KIẾN NGHỊ, ĐỀ XUẤT", "roman", "IV"),
        ("1/2024 là năm đầu tiên", None, None),
        ("V/v thực hiện Thông báo số 496-TB/TU", None, None),
        ("* Khó khăn: thiếu vốn", "dot", None),
        ("*Những khó khăn*", None, None),
    ],
)
def test_marker_of(line: str, scheme: str | None, number: str | None) -> None:
    found_scheme, found_number, _ = marker_of(line)
    assert (found_scheme, found_number) == (scheme, number)


def test_levels_follow_the_order_schemes_appear_in() -> None:
    doc = make_doc([
        "BÁO CÁO kết quả thực hiện nhiệm vụ năm 2025 của Sở Nội vụ tỉnh gửi Ủy ban nhân dân tỉnh xem xét",
        ("heading", "I. KẾT QUẢ"),
        ("heading", "1. Về tổ chức"),
        "Nội dung về tổ chức của các hội trên địa bàn.",
        ("heading", "a) Hội cấp tỉnh:"),
        "- Có 24 hội.",
        ("heading", "2. Về hoạt động"),
        "Hoạt động ổn định.",
        ("heading", "II. ĐỀ XUẤT"),
        "Đề nghị Bộ Nội vụ sửa đổi Nghị định.",
        ("footnote", "Chú thích cuối trang."),
    ])
    sections = find_sections(doc)
    by_heading = {s.heading: s for s in sections}
    assert [s.level for s in sections] == [1, 2, 3, 2, 1]
    assert by_heading["Về tổ chức"].parent_id == by_heading["KẾT QUẢ"].section_id
    assert by_heading["Hội cấp tỉnh:"].number == "a"
    assert doc.text[by_heading["Về hoạt động"].end - 1] == "."  # ends before "II."
    assert by_heading["KẾT QUẢ"].end < by_heading["ĐỀ XUẤT"].start
    # the footnote after the last section does not extend it
    assert doc.text[by_heading["ĐỀ XUẤT"].start : by_heading["ĐỀ XUẤT"].end].endswith("Nghị định.")


def test_part_line_takes_its_title_and_letter_levels_nest() -> None:
    doc = assemble(load_document(CORPUS / "LD-033__BC_TONG_KET_CHIEN_LUOC_PCMT_11-2025.doc"))
    sections = find_sections(doc)
    parts = [s for s in sections if s.number and s.number.startswith("Phần")]
    assert [p.number for p in parts] == ["Phần thứ nhất", "Phần thứ hai", "Phần thứ ba"]
    assert parts[2].heading.startswith("KIẾN NGHỊ, ĐỀ XUẤT")
    assert all(p.level == 1 for p in parts)
    causes = next(s for s in sections if s.number == "2.2")
    children = [s for s in sections if s.parent_id == causes.section_id]
    assert [c.heading for c in children] == ["Nguyên nhân khách quan:", "Nguyên nhân chủ quan:"]
    assert all(c.level == causes.level + 1 for c in children)


def test_qt001_sections_and_extent() -> None:
    doc = assemble(load_document(CORPUS / "QT-001__BC_NTM_2020_LMHTX_Quang_Tri.txt"))
    sections = find_sections(doc)
    five = next(s for s in sections if s.number == "5")
    six = next(s for s in sections if s.number == "6")
    assert five.heading.startswith("Những khó khăn, tồn tại")
    assert five.end < six.start
    assert "quy\nmô lớn" in doc.text[five.start : five.end]
    assert [s.number for s in sections if s.parent_id == six.section_id] == ["6.1", "6.2"]
    assert "Nơi nhận" not in doc.text[six.start : six.end] and "Noi nhận" not in doc.text[six.start : six.end]


@pytest.mark.parametrize("source", ["ocr", "text"])
def test_marks_a_scan_reads_in_the_margin_do_not_hide_a_lines_number(source: str) -> None:
    # DN-054's scan as OCR read it: "li a/ phần nội dung:", then dashes, then "b/ …"
    lines = ["IV. Kết luận và kiến nghị:", "li a/ phần nội dung:", "- Hàng năm cân đối nguồn vốn cho Đề án.",
             "l ~ Về quy định mức hỗ trợ thấp hơn mức Nghị định.", "b/ phần thể thức văn bản Dự thảo:",
             "- Phần căn cứ cần sửa lại."]
    doc = make_doc(lines)
    doc = DocumentText(doc.text, tuple(replace(block, source=source) for block in doc.blocks))
    from pipeline.extract.sections import build_outline

    schemes = [(doc.blocks[node.first].text[:6], node.scheme, node.level) for node in build_outline(doc)]
    if source == "ocr":
        # the letters are siblings under IV, each with its dash under it; "~" is no bullet
        assert schemes == [("IV. Kế", "roman", 1), ("li a/ ", "letter", 2), ("- Hàng", "dash", 3),
                           ("b/ phầ", "letter", 2), ("- Phần", "dash", 3)]
    else:
        # a text layer prints what it prints: "li a/" is no number there
        assert ("li a/ ", "letter", 2) not in schemes
