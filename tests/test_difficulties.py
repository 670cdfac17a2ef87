"""Difficulty / recommendation items: headings, item splitting, gold documents, scoring."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.document import CELL_SEPARATOR, DocumentText, TextBlock, assemble
from pipeline.extract.difficulties import find_difficulties, heading_kinds, is_kind_label, score_items
from pipeline.extract.sections import body_bounds, body_parts, build_outline, quoted_blocks
from pipeline.ingest import load_document

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
GOLD = SHARED / "gold"


def make_doc(lines: list[str | tuple[str, str]], page: int | None = None) -> DocumentText:
    """A DocumentText from lines; a ``(kind, text)`` tuple sets the block kind (a table row's cells
    are its text split at tabs)."""
    blocks, offset, texts = [], 0, []
    for index, line in enumerate(lines):
        kind, text = line if isinstance(line, tuple) else ("paragraph", line)
        cells = tuple(text.split(CELL_SEPARATOR)) if kind == "table_row" else None
        blocks.append(TextBlock(index, kind, offset, offset + len(text), text, page, "text", None, cells, None, False))
        texts.append(text)
        offset += len(text) + 1
    return DocumentText("\n".join(texts), tuple(blocks))


INTRO = "Thực hiện Công văn của Ủy ban nhân dân tỉnh, Sở Nội vụ báo cáo kết quả thực hiện nhiệm vụ như sau:"


@pytest.mark.parametrize(
    ("heading", "kinds"),
    [
        ("5. *Những khó khăn, tồn tại, kiến nghị, đề xuất giải pháp khắc phục*", ["difficulty", "limitation", "recommendation"]),
        ("2. Tồn tại, hạn chế; khó khăn, vướng mắc và nguyên nhân", ["limitation", "difficulty", "cause"]),
        ("2.2 Nguyên nhân:", ["cause"]),
        # the heading words after "của" / "dẫn đến" say whose causes: the section holds causes only
        ("III. NGUYÊN NHÂN CỦA HẠN CHẾ, KHUYẾT ĐIỂM", ["cause"]),
        ("2. Nguyên nhân của những tồn tại, hạn chế", ["cause"]),
        ("Nguyên nhân dẫn đến những hạn chế, yếu kém", ["cause"]),
        ("Khó khăn của doanh nghiệp và kiến nghị", ["difficulty", "recommendation"]),
        ("Nguyên nhân chủ quan", ["cause"]),
        ("VII. Kiến nghị, đề xuất", ["recommendation"]),
        ("IV. ĐỀ XUẤT, KIẾN NGHỊ", ["recommendation"]),
        ("KIẾN NGHỊ, ĐỀ XUẤT NÂNG CAO HIỆU LỰC, HIỆU QUẢ CÔNG TÁC PHÒNG, CHỐNG MA TÚY", ["recommendation"]),
        ("Kiến nghị, đề xuất đối với Bộ, ngành, Trung ương", ["recommendation"]),
        ("3. Ý kiến đề xuất của Sở Nội vụ", ["recommendation"]),
        ("2. Những khó khăn, hạn chế", ["difficulty", "limitation"]),
        ("III. Kết quả đạt được, tồn tại, hạn chế", ["limitation"]),
        ("Đề nghị phê duyệt Đề án tổ chức Đại hội hợp nhất Hội Công chứng viên", []),
        ("Kiến nghị xử lý vi phạm", []),
        ("2. Kiến nghị biện pháp xử lý", ["recommendation"]),
        ("1. Cơ sở pháp lý đề xuất UBND tỉnh phê duyệt Đề án", []),
        ("V/v báo cáo liên quan đến đề xuất cho phép thành lập Hội", []),
        ("Kết quả thực hiện tiếp nhận, xử lý phản ánh, kiến nghị của các cá nhân, tổ chức", []),
        ("b) Theo dõi, đôn đốc, phối hợp với các sở, ban, ngành tham mưu, đề xuất và tổ chức thực hiện các nhiệm vụ", []),
        ("6. Mục tiêu nhiệm vụ giải pháp năm 2021", []),
        ("Những mặt hạn chế", ["limitation"]),
        ("Một số vấn đề còn vướng mắc", ["difficulty"]),
        ("2. Những hạn chế, khuyết điểm và nguyên nhân", ["limitation", "cause"]),
        ("III. GIẢI PHÁP VÀ KIẾN NGHỊ", ["recommendation"]),
        ("Những mặt làm được", []),
    ],
)
def test_heading_kinds(heading: str, kinds: list[str]) -> None:
    assert heading_kinds(heading) == kinds


def test_bullets_with_a_page_wrap_and_a_mixed_heading() -> None:
    doc = make_doc([
        INTRO,
        ("heading", "3. Những khó khăn, vướng mắc, kiến nghị"),
        "- Nguồn vốn hỗ trợ cho hợp tác xã còn hạn chế, khó tiếp cận tín dụng;",
        "- Công tác dồn điền đổi thửa còn chậm, ruộng đất manh mún, việc tích tụ ruộng đất cho sản xuất quy",
        "mô lớn còn bất cập.",
        "- Đề nghị UBND tỉnh bố trí kinh phí hỗ trợ đào tạo cán bộ hợp tác xã.",
        ("heading", "4. Phương hướng nhiệm vụ năm 2021"),
        "- Tiếp tục tuyên truyền về kinh tế tập thể.",
    ])
    items = find_difficulties(doc)
    # the heading names no shortcoming word, so a non-request item is a difficulty
    assert [item.kind for item in items] == ["difficulty", "difficulty", "recommendation"]
    assert items[1].text.endswith("sản xuất quy mô lớn còn bất cập.")
    assert doc.text[items[1].start : items[1].end].count("\n") == 1
    assert not items[0].text.startswith("-")
    assert items[0].text.endswith("tín dụng")
    assert all(item.section == "3. Những khó khăn, vướng mắc, kiến nghị" for item in items)


def test_group_labels_set_kind_and_are_not_items() -> None:
    doc = make_doc([
        INTRO,
        ("heading", "VII. Kiến nghị, đề xuất"),
        "- Kiến nghị, đề xuất đối với Bộ, ngành, Trung ương:",
        "+ Đề nghị các Bộ ban hành Thông tư hướng dẫn thực hiện Nghị định.",
        "+ Đề nghị tính toán định mức phân bổ dự toán, biên chế cho phù hợp.",
        "- Kiến nghị đề xuất đối với UBND tỉnh:",
        "+ Phê duyệt Đề án vị trí việc làm của các đơn vị sự nghiệp công lập.",
        "Trên đây là báo cáo tình hình thực hiện công tác năm 2018./.",
    ])
    items = find_difficulties(doc)
    assert len(items) == 3
    assert {item.kind for item in items} == {"recommendation"}
    assert items[2].section == "Kiến nghị đề xuất đối với UBND tỉnh:"
    assert not any("Trên đây" in item.text for item in items)


def test_paragraph_items_skip_lead_in_and_closing() -> None:
    doc = make_doc([
        INTRO,
        ("heading", "III. ĐÁNH GIÁ CHUNG"),
        ("heading", "1. Những kết quả đạt được"),
        "Các hội hoạt động đúng quy định của pháp luật và Điều lệ.",
        ("heading", "2. Những khó khăn, hạn chế"),
        "Bên cạnh những kết quả đã đạt được vẫn còn một số khó khăn, hạn chế như:",
        "Một số quy định tại Nghị định không còn phù hợp với thực tiễn, ảnh hưởng khó khăn đến quản lý hội.",
        "Hoạt động của một số Hội còn mang tính hình thức, hiệu quả chưa cao.",
        ("heading", "IV. ĐỀ XUẤT, KIẾN NGHỊ"),
        "Đề nghị Bộ Nội vụ sớm trình Chính phủ sửa đổi Nghị định số 126/2024/NĐ-CP.",
        "UBND tỉnh báo cáo Bộ Nội vụ về tình hình tổ chức, hoạt động và quản lý Hội năm 2025./.",
    ])
    items = find_difficulties(doc)
    assert [item.text[:12] for item in items] == ["Một số quy đ", "Hoạt động củ", "Đề nghị Bộ N"]
    assert [item.kind for item in items] == ["difficulty", "limitation", "recommendation"]


def test_inline_label_and_explicit_none() -> None:
    doc = make_doc([
        INTRO,
        ("heading", "5. VỀ PHÁT TRIỂN CÔNG DÂN SỐ"),
        "- Nhận xét, đánh giá:",
        "+ Tồn tại, hạn chế: Trình độ am hiểu về công nghệ thông tin của một bộ phận người dân còn hạn chế.",
        "+ Các nhiệm vụ trọng tâm trong thời gian tới: duy trì thu nhận hồ sơ.",
        ("heading", "III. KIẾN NGHỊ, ĐỀ XUẤT: Không."),
    ])
    items = find_difficulties(doc)
    assert len(items) == 1
    assert items[0].text.startswith("Trình độ am hiểu")
    assert items[0].kind == "limitation"
    assert items[0].section == "Tồn tại, hạn chế:"


def test_statements_outside_sections_are_not_items() -> None:
    doc = make_doc([
        INTRO,
        ("heading", "V. Đánh giá chung"),
        "Bên cạnh những kết quả, một số hạn chế là kinh phí cho công tác cải cách hành chính còn thấp.",
        "Đề nghị đơn vị tổng hợp lấy kết quả giải quyết thủ tục hành chính từ Trung tâm.",
    ])
    assert find_difficulties(doc) == []


def _gold(doc_id: str) -> tuple[dict, DocumentText]:
    gold = json.loads((GOLD / f"{doc_id}.json").read_text(encoding="utf-8"))
    return gold, assemble(load_document(CORPUS / gold["source"]))


@pytest.mark.parametrize("doc_id", ["QT-001", "LD-014", "DN-001", "LD-033", "DN-002", "LD-024"])
def test_gold_documents(doc_id: str) -> None:
    gold, doc = _gold(doc_id)
    expected = gold["difficulties"] + gold["recommendations"]
    found = find_difficulties(doc)
    tp, fp, fn, missed, extra = score_items(expected, found)
    assert (fp, fn) == (0, 0), (missed, [item.text for item in extra])
    assert tp == len(expected)


def test_qt001_page_crossing_item_and_offsets() -> None:
    _, doc = _gold("QT-001")
    items = find_difficulties(doc)
    assert len(items) == 8
    crossing = items[5]
    assert "quy mô lớn còn bách cập" in crossing.text
    assert "\n" in doc.text[crossing.start : crossing.end]
    for item in items:
        assert doc.text[item.start : item.end].replace("\n", " ").strip(" ;.") .startswith(item.text[:20])


def test_ld014_mixed_heading_kinds() -> None:
    _, doc = _gold("LD-014")
    items = find_difficulties(doc)
    assert [item.kind for item in items] == ["difficulty", "limitation", "recommendation"]


def test_ld033_causes_under_sub_headings() -> None:
    _, doc = _gold("LD-033")
    causes = [item for item in find_difficulties(doc) if item.kind == "cause"]
    assert len(causes) == 7
    assert causes[0].section == "Nguyên nhân khách quan:"
    assert {item.section for item in causes[1:]} == {"Nguyên nhân chủ quan:"}


def test_score_items_is_one_to_one() -> None:
    gold = ["Trình độ cán bộ quản lý HTX thấp", "Ruộng đất manh mún"]
    found = ["Trình độ cán bộ quản lý HTX còn thấp", "Trình độ cán bộ quản lý HTX thấp", "Khác hẳn"]
    tp, fp, fn, missed, extra = score_items(gold, found)
    assert (tp, fp, fn) == (1, 2, 1)
    assert missed == ["Ruộng đất manh mún"]
    assert "Khác hẳn" in extra


def test_a_lead_in_that_asks_announces_recommendations_anywhere() -> None:
    # a công văn's request list has no heading naming it: a lead-in sentence announces it
    doc = make_doc([
        ("heading", "SỞ XÂY DỰNG"),
        "Số: 25/SXD-QLN",
        ("heading", "V/v góp ý dự thảo Quy chế quản lý nhà ở công vụ"),
        "Kính gửi: Sở Tài chính.",
        "Sở Xây dựng nhận được Công văn số 118/STC-QLCS ngày 10/3/2025 của Sở Tài chính về việc đề nghị góp ý dự thảo Quy chế.",
        "Sau khi nghiên cứu, Sở Xây dựng có một số ý kiến góp ý như sau:",
        "- Tại Điều 5 dự thảo, đề nghị bổ sung đối tượng được thuê nhà ở công vụ là giáo viên vùng khó khăn.",
        "- Đề nghị làm rõ trách nhiệm bảo trì nhà ở công vụ giữa đơn vị quản lý và người thuê.",
        "Trên đây là ý kiến góp ý của Sở Xây dựng./.",
    ])
    items = find_difficulties(doc)
    assert [item.kind for item in items] == ["recommendation", "recommendation"]
    assert items[0].text.startswith("Tại Điều 5 dự thảo")
    assert items[1].section == "Sau khi nghiên cứu, Sở Xây dựng có một số ý kiến góp ý như sau:"


def test_a_lead_in_that_names_shortcomings_announces_them_anywhere() -> None:
    # a results section turns to its shortcomings in one sentence, with no heading naming them
    doc = make_doc([
        INTRO,
        ("heading", "I. Kết quả thực hiện"),
        "Năm 2025, toàn tỉnh đã tổ chức 120 lớp tập huấn cho cán bộ cấp xã.",
        "Bên cạnh những kết quả đạt được, vẫn còn những tồn tại, hạn chế như sau:",
        "- Một số xã chưa bố trí cán bộ chuyên trách theo dõi công tác này;",
        "- Kinh phí bảo đảm cho hoạt động còn hạn hẹp.",
        "Nguyên nhân của những hạn chế trên là do:",
        "a) Nhận thức của một số cấp ủy chưa đầy đủ;",
        "b) Địa bàn rộng, giao thông đi lại khó khăn.",
        "Trong năm 2026, Sở tiếp tục tham mưu triển khai các nhiệm vụ được giao.",
        ("heading", "II. Phương hướng, nhiệm vụ"),
        "Sở Nội vụ hạn chế các trường hợp sau:",
        "- Cử cán bộ đi tập huấn không đúng chuyên môn.",
    ])
    items = find_difficulties(doc)
    assert [(item.kind, item.text) for item in items] == [
        ("limitation", "Một số xã chưa bố trí cán bộ chuyên trách theo dõi công tác này"),
        ("limitation", "Kinh phí bảo đảm cho hoạt động còn hạn hẹp."),
        ("cause", "Nhận thức của một số cấp ủy chưa đầy đủ"),
        ("cause", "Địa bàn rộng, giao thông đi lại khó khăn."),  # the next paragraph is body again
    ]
    assert items[0].section == "Bên cạnh những kết quả đạt được, vẫn còn những tồn tại, hạn chế như sau:"


def test_an_announced_list_is_read_only_where_it_is_marked() -> None:
    # in running text nothing says where an unmarked list of difficulties would stop
    doc = make_doc([
        INTRO,
        ("heading", "I. Kết quả thực hiện"),
        "Trong quá trình triển khai, Hội gặp một số khó khăn, vướng mắc sau:",
        "Nguồn kinh phí hoạt động của Hội chủ yếu do hội viên đóng góp.",
        "Năm 2025, Hội kết nạp thêm 45 hội viên mới.",
    ])
    assert find_difficulties(doc) == []


def test_a_forwarded_letter_after_the_signature_is_read_as_a_document_of_its_own() -> None:
    # a cover letter forwards a ministry's letter: after the cover's signature tail the attached
    # letter has its own header (the motto) and its own body, whose listed shortcomings are items
    doc = make_doc([
        ("heading", "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"),
        "Số: 651/SLĐTBXH-VP",
        ("heading", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        "Kính gửi: Các phòng chuyên môn, đơn vị trực thuộc Sở.",
        "Thực hiện Công văn số 1360/UBND-NC ngày 01/4/2019 của UBND tỉnh, Giám đốc Sở đề nghị các đơn vị thực hiện nghiêm các quy định (có văn bản kèm theo).",
        "Nơi nhận:",
        "- Như trên;",
        ("heading", "BỘ TƯ PHÁP"),
        "Số: 904/BTP-TCTHADS",
        ("heading", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        "Kính gửi: Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương",
        "Kết quả giám sát đã chỉ ra bên cạnh những kết quả đạt được, việc thi hành án hành chính vẫn còn những tồn tại, hạn chế như:",
        "(1) Tỷ lệ người đại diện của Ủy ban nhân dân không tham gia đối thoại ngày càng tăng;",
        "(2) Còn không ít bản án của Tòa án chưa được thi hành trong nhiều năm.",
        "Bộ Tư pháp trân trọng đề nghị Chủ tịch Ủy ban nhân dân các tỉnh quan tâm chỉ đạo thực hiện./.",
        "Nơi nhận:",
    ])
    assert body_parts(doc.blocks) == [(4, 5), (11, 15)]
    items = find_difficulties(doc)
    assert [(item.kind, item.text[:30]) for item in items] == [
        ("limitation", "Tỷ lệ người đại diện của Ủy ba"),
        ("limitation", "Còn không ít bản án của Tòa án"),
    ]


def test_the_thanks_and_wishes_that_close_a_letter_are_not_items() -> None:
    # an association's letter: its request, then the formulas that close any letter
    doc = make_doc([
        ("heading", "HIỆP HỘI TÔM BÌNH THUẬN"),
        "Số: 12/HHTBT-VP",
        ("heading", "V/v đề nghị đổi tên Hiệp hội"),
        "Kính gửi: Sở Nội vụ tỉnh Lâm Đồng",
        "Do thay đổi phạm vi hoạt động, Hiệp hội kính đề nghị được đổi tên như sau:",
        "- Tên hiện tại: Hiệp hội Tôm Bình Thuận;",
        "- Tên đề nghị: Hiệp hội Tôm Lâm Đồng.",
        "Rất mong được UBND tỉnh Lâm Đồng, Sở Nội vụ tỉnh Lâm Đồng xem xét, chấp thuận.",
        "Xin trân trọng cảm ơn!",
    ])
    # one request, its particulars listed under it (as the gold of LD-093 reads it), and no formula
    assert [item.text for item in find_difficulties(doc)] == [
        "Do thay đổi phạm vi hoạt động, Hiệp hội kính đề nghị được đổi tên như sau: - Tên hiện tại: Hiệp hội "
        "Tôm Bình Thuận; - Tên đề nghị: Hiệp hội Tôm Lâm Đồng.",
    ]


def test_a_request_retold_or_used_as_a_noun_is_not_an_item() -> None:
    doc = make_doc([
        ("heading", "SỞ NỘI VỤ"),
        "Số: 40/SNV-TCBC",
        ("heading", "V/v thẩm định dự thảo Quyết định kiện toàn Ban Chỉ đạo"),
        "Kính gửi: Công an tỉnh.",
        "Sở Nội vụ nhận được Công văn số 512/CAT-PV01 của Công an tỉnh đề nghị thẩm định dự thảo Quyết định.",
        "Theo đề nghị của Công an tỉnh, thành phần Ban Chỉ đạo gồm 15 thành viên.",
        "Năm 2023, Sở Nội vụ đã tham mưu UBND tỉnh ban hành Quyết định số 12/2023/QĐ-UBND về quy chế hoạt động.",
        "Sở Nội vụ cơ bản thống nhất với dự thảo; đồng thời, đề nghị Công an tỉnh bổ sung đại diện Sở Y tế vào thành phần Ban Chỉ đạo.",
        "Trên đây là ý kiến thẩm định của Sở Nội vụ./.",
    ])
    items = find_difficulties(doc)
    assert [item.text[:30] for item in items] == ["Sở Nội vụ cơ bản thống nhất vớ"]


def test_under_a_recommendation_heading_the_rationale_is_not_an_item() -> None:
    doc = make_doc([
        INTRO,
        ("heading", "3. Ý kiến đề xuất của Sở Nội vụ"),
        "Thời gian qua, Hiệp hội hoạt động tích cực, đóng góp cho sự phát triển kinh tế - xã hội của tỉnh.",
        "Vì vậy, Sở Nội vụ đề xuất Chủ tịch Ủy ban nhân dân tỉnh cho phép Hiệp hội gia hạn tổ chức đại hội đến hết tháng 9.",
    ])
    items = find_difficulties(doc)
    assert [item.text[:8] for item in items] == ["Vì vậy, "]


HELD_OUT = Path(__file__).resolve().parent / "data" / "gold_heldout"


def _held_out_score(ids: list[str]) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for gold_id in ids:
        gold = json.loads((HELD_OUT / f"{gold_id}.json").read_text(encoding="utf-8"))
        source = sorted(CORPUS.glob(f"{gold_id}__*"))
        assert source, f"{gold_id} missing from {CORPUS}"
        found = find_difficulties(assemble(load_document(source[0])))
        t, p, n, _, _ = score_items(gold["difficulties"] + gold["recommendations"], found)
        tp, fp, fn = tp + t, fp + p, fn + n
    return tp, fp, fn


def test_items_on_held_out_gold() -> None:
    # annotated by a helper who did not run the code; the finder was then scored on them once,
    # with one round of fixes of general rules (0.256 before, 0.764 after): a regression guard,
    # not a blind score any more
    tp, fp, fn = _held_out_score(["DN-003", "DN-013", "LD-085", "LD-086"])
    assert tp + fn >= 20
    assert 2 * tp / (2 * tp + fp + fn) >= 0.74


def test_items_on_held_out_scans(monkeypatch: pytest.MonkeyPatch) -> None:
    # three scanned reports transcribed from their page images by a helper; read by OCR here.
    # Scored blind once (F1 0.786: P 0.846, R 0.733 on 15 items), nothing tuned on them since
    monkeypatch.setenv("BAOCAO_OCR", "1")
    tp, fp, fn = _held_out_score(["DN-029", "DN-031", "DN-054"])
    assert tp + fn == 15
    assert 2 * tp / (2 * tp + fp + fn) >= 0.75


def test_a_table_column_of_difficulties_and_requests_gives_items() -> None:
    def row(*cells: str) -> tuple[str, str]:
        return ("table_row", "\t".join(cells))

    lines: list[str | tuple[str, str]] = [
        INTRO,
        row("STT", "Đơn vị", "Khó khăn, vướng mắc", "Kiến nghị, đề xuất"),
        row("1", "Xã A", "Thiếu cán bộ địa chính có chuyên môn", "Đề nghị bổ sung biên chế công chức địa chính"),
        row("2", "Xã B", "Không", ""),
        row("3", "Xã C", "Kinh phí đo đạc bản đồ chưa được bố trí", "Bố trí kinh phí đo đạc năm 2026"),
    ]
    doc = make_doc(lines)
    items = find_difficulties(doc)
    assert [(item.kind, item.text) for item in items] == [
        ("difficulty", "Thiếu cán bộ địa chính có chuyên môn"),
        ("recommendation", "Đề nghị bổ sung biên chế công chức địa chính"),
        ("difficulty", "Kinh phí đo đạc bản đồ chưa được bố trí"),
        ("recommendation", "Bố trí kinh phí đo đạc năm 2026"),
    ]
    assert all(doc.text[item.start : item.end] == item.text for item in items)
    assert items[0].section == "Khó khăn, vướng mắc"


def test_a_content_free_closing_is_not_a_request() -> None:
    doc = make_doc([
        ("heading", "SỞ NỘI VỤ"),
        "Số: 41/TTr-SNV",
        ("heading", "TỜ TRÌNH"),
        ("heading", "Về việc hợp nhất các hội cùng lĩnh vực"),
        "Kính gửi: Chủ tịch Ủy ban nhân dân tỉnh.",
        "Thực hiện Kế hoạch sắp xếp các hội, Sở Nội vụ đã rà soát hồ sơ của các hội có cùng lĩnh vực hoạt động.",
        "Sở Nội vụ kính trình Chủ tịch Ủy ban nhân dân tỉnh xem xét cho phép hợp nhất Hội Làm vườn của ba tỉnh cũ.",
        "Sở Nội vụ kính trình Chủ tịch Ủy ban nhân dân tỉnh xem xét, quyết định./.",
    ])
    items = find_difficulties(doc)
    assert [item.text[-30:] for item in items] == ["t Hội Làm vườn của ba tỉnh cũ."]


def test_a_request_ending_in_xem_xet_is_not_taken_for_the_closing() -> None:
    doc = make_doc([
        INTRO,
        ("heading", "III. KIẾN NGHỊ"),
        "Đề nghị Bộ Tài chính ban hành hướng dẫn mức chi để các địa phương xem xét.",
        "Đề nghị bố trí kinh phí đào tạo cán bộ hợp tác xã năm 2026.",
        "Kính đề nghị Bộ Tài chính xem xét, chỉ đạo./.",
    ])
    items = find_difficulties(doc)
    assert [item.text[:22] for item in items] == ["Đề nghị Bộ Tài chính b", "Đề nghị bố trí kinh ph"]


def test_an_announced_list_ends_at_the_first_closing_line() -> None:
    doc = make_doc([
        ("heading", "SỞ TƯ PHÁP"),
        "Số: 12/STP-XDKT",
        ("heading", "V/v góp ý dự thảo Quyết định"),
        "Kính gửi: Sở Nội vụ.",
        "Sau khi nghiên cứu, Sở Tư pháp có ý kiến góp ý như sau:",
        "- Về Điều 3, đề nghị chỉnh sửa thời hạn gửi hồ sơ cho phù hợp với Nghị định.",
        "Trên đây là ý kiến góp ý của Sở Tư pháp.",
        "Đề nghị Sở Nội vụ tổng hợp, hoàn thiện./.",
    ])
    items = find_difficulties(doc)
    assert items and items[0].text.endswith("phù hợp với Nghị định.")
    assert not any("Trên đây" in item.text for item in items)


def test_a_header_repeated_after_a_page_break_is_not_an_item() -> None:
    header = "STT\tĐơn vị\tKhó khăn, vướng mắc"
    lines = [INTRO, ("table_row", header), ("table_row", "1\tXã A\tThiếu cán bộ địa chính"),
             ("table_row", header), ("table_row", "2\tXã B\tKinh phí đo đạc chưa được bố trí")]
    doc = make_doc(lines)
    items = find_difficulties(doc)
    assert [item.text for item in items] == ["Thiếu cán bộ địa chính", "Kinh phí đo đạc chưa được bố trí"]


def test_a_quoted_legal_text_keeps_its_numbers_out_of_the_outline() -> None:
    # a report quotes the clause it wants amended, numbering and all: the quotation's "a)", "b)"
    # are the law's, not listed requests of the report
    doc = make_doc([
        ("heading", "SỞ TƯ PHÁP"),
        "Số: 12/STP-XDKT",
        ("heading", "V/v góp ý dự thảo Quyết định"),
        "Kính gửi: Sở Nội vụ.",
        "Sở Tư pháp đề nghị Sở Nội vụ sửa đổi khoản 2 Điều 5 của dự thảo như sau:",
        "“2. Hồ sơ đề nghị công nhận gồm:",
        "a) Đơn đề nghị công nhận của tổ chức;",
        "b) Bản sao quyết định thành lập.”",
        "Trên đây là ý kiến góp ý của Sở Tư pháp./.",
    ])
    body_start, body_end = body_bounds(doc.blocks)
    assert quoted_blocks(doc.blocks, body_start, body_end) == {5, 6, 7}
    assert all(node.first < 5 or node.first > 7 for node in build_outline(doc))
    texts = [item.text for item in find_difficulties(doc)]
    assert not any(text.startswith(("Đơn đề nghị", "Bản sao")) for text in texts)


def test_a_quotation_left_open_says_nothing() -> None:
    blocks = make_doc([INTRO, "Theo “Kế hoạch số 5 của tỉnh", "1. Rà soát hồ sơ.", "2. Tổng hợp kết quả."]).blocks
    assert quoted_blocks(blocks, 0, len(blocks)) == set()


def test_a_line_that_closes_a_quoted_name_and_goes_on_is_the_letter_s_own() -> None:
    # a scan's lines are blocks: a name in quotes breaks over two ("“Hội thánh Đức" / "Chúa Trời”
    # nêu trên. Đồng thời, đề nghị …"); the second line goes on in the letter's words (DA-002)
    doc = make_doc([
        ("heading", "CÔNG AN TP ĐÀ NẴNG PHÒNG AN CHÍNH TRỊ NỘI BỘ"),
        "Số: 115/CV-PA83",
        ("heading", "V/v thông báo hoạt động của tà đạo"),
        "Kính gửi: Sở Giáo dục và Đào tạo thành phố.",
        "Phòng PA83 xin thông báo các cơ sở giáo dục biết về hoạt động của “Hội thánh Đức",
        "Chúa Trời” nêu trên. Đồng thời, đề nghị các cơ quan, trường học có biện pháp",
        "tuyên truyền, quản lý trong học sinh, sinh viên.",
    ])
    body_start, body_end = body_bounds(doc.blocks)
    assert quoted_blocks(doc.blocks, body_start, body_end) == set()
    assert [item.kind for item in find_difficulties(doc)] == ["recommendation"]


def test_the_members_of_a_proposed_board_are_one_item_with_the_proposal() -> None:
    doc = make_doc([
        INTRO,
        ("heading", "III. Đề xuất"),
        "1. Đề nghị Ủy ban nhân dân tỉnh công nhận Ban vận động thành lập Hội gồm các ông, bà có tên sau:",
        "- Trưởng ban: Ông Nguyễn Văn An, Chủ tịch Hội Luật gia.",
        "- Phó Trưởng ban: Bà Trần Thị Bình, Phó Giám đốc Sở Tư pháp.",
        "- Thành viên: Ông Lê Văn Cường, Trưởng phòng Tư pháp.",
        "2. Giao Sở Nội vụ hướng dẫn Ban vận động hoàn thiện hồ sơ thành lập Hội.",
    ])
    items = find_difficulties(doc)
    assert len(items) == 2
    assert items[0].text.startswith("Đề nghị Ủy ban nhân dân tỉnh công nhận")
    assert "Lê Văn Cường" in items[0].text
    assert items[1].text.startswith("Giao Sở Nội vụ")


def test_under_a_heading_naming_strengths_items_start_where_the_text_turns() -> None:
    doc = make_doc([
        INTRO,
        ("heading", "2. Đánh giá ưu điểm, tồn tại, hạn chế"),
        "Công tác cải cách thủ tục hành chính được quan tâm, tỷ lệ hồ sơ giải quyết đúng hạn đạt cao.",
        "Tuy nhiên, việc số hóa hồ sơ tại cấp xã còn chậm, chưa đáp ứng yêu cầu.",
        "Trang thiết bị phục vụ bộ phận một cửa còn thiếu, nhiều máy tính đã cũ.",
        ("heading", "3. Phương hướng nhiệm vụ năm 2026"),
    ])
    texts = [item.text for item in find_difficulties(doc)]
    assert [text[:20] for text in texts] == ["Tuy nhiên, việc số h", "Trang thiết bị phục "]


def test_a_second_request_in_a_later_paragraph_is_its_own_item() -> None:
    doc = make_doc([
        INTRO,
        ("heading", "IV. Kiến nghị"),
        "- Đề nghị Bộ Tài chính sớm ban hành hướng dẫn mức chi cho công tác số hóa hồ sơ.",
        "Ngoài ra, đề nghị Ủy ban nhân dân tỉnh bố trí kinh phí mua sắm máy quét cho cấp xã.",
        "- Đề nghị Sở Nội vụ tổ chức tập huấn cho công chức một cửa.",
    ])
    texts = [item.text for item in find_difficulties(doc)]
    assert [text[:22] for text in texts] == ["Đề nghị Bộ Tài chính s", "Ngoài ra, đề nghị Ủy b", "Đề nghị Sở Nội vụ tổ c"]


def test_the_tail_of_a_heading_broken_over_two_lines_is_not_an_item() -> None:
    doc = make_doc([
        INTRO,
        ("heading", "2. Khó khăn, vướng mắc trong thực hiện chính sách đối với người"),
        "có công với cách mạng",
        "Kinh phí hỗ trợ cải thiện nhà ở cho người có công được bố trí chậm.",
        "Hồ sơ xác nhận liệt sĩ còn tồn đọng do thiếu giấy tờ gốc.",
    ])
    texts = [item.text for item in find_difficulties(doc)]
    assert [text[:22] for text in texts] == ["Kinh phí hỗ trợ cải th", "Hồ sơ xác nhận liệt sĩ"]


def test_an_announced_list_goes_on_through_an_item_numbered_like_its_first() -> None:
    # a long list whose 3rd item the reader took for a heading (bold, short) is still one list
    doc = make_doc([
        ("heading", "SỞ NỘI VỤ"),
        "Số: 40/SNV-TCBC",
        ("heading", "V/v đề xuất sắp xếp các hội"),
        "Kính gửi: Ủy ban nhân dân tỉnh.",
        "Sau khi rà soát hồ sơ của các hội có cùng lĩnh vực hoạt động, Sở Nội vụ kính đề nghị Ủy ban nhân dân tỉnh xem xét một số nội dung sau:",
        "1. Cho phép Hội Làm vườn của ba tỉnh cũ hợp nhất thành một hội.",
        "2. Giao Sở Tài chính bố trí kinh phí tổ chức đại hội hợp nhất.",
        ("heading", "3. Giao Sở Nội vụ hướng dẫn hồ sơ"),
        "Trên đây là đề xuất của Sở Nội vụ./.",
    ])
    texts = [item.text for item in find_difficulties(doc)]
    assert [text[:12] for text in texts] == ["Cho phép Hội", "Giao Sở Tài ", "Giao Sở Nội "]


def test_a_lead_in_followed_by_numbered_sections_does_not_make_them_items() -> None:
    doc = make_doc([
        ("heading", "SỞ TƯ PHÁP"),
        "Số: 15/TTr-STP",
        ("heading", "TỜ TRÌNH"),
        ("heading", "Đề nghị phê duyệt Đề án tổ chức Đại hội"),
        "Kính gửi: Ủy ban nhân dân tỉnh.",
        "Sở Tư pháp nhận được Tờ trình của Hội Công chứng viên đề nghị phê duyệt Đề án, Sở Tư pháp báo cáo như sau:",
        ("heading", "1. Cơ sở pháp lý"),
        "Thực hiện Nghị quyết số 202/2025/QH15 của Quốc hội về việc sắp xếp đơn vị hành chính cấp tỉnh.",
        ("heading", "2. Quy trình thực hiện"),
        "Ngày 12/12/2025, Sở Nội vụ có Công văn số 3542/SNV-TCCB góp ý Đề án.",
        ("heading", "3. Đề xuất"),
        "Sở Tư pháp kính đề nghị Ủy ban nhân dân tỉnh xem xét, phê duyệt Đề án tổ chức Đại hội hợp nhất.",
    ])
    texts = [item.text for item in find_difficulties(doc)]
    assert [text[:24] for text in texts] == ["Sở Tư pháp kính đề nghị "]


def test_the_petitions_citizens_bring_are_not_a_recommendation_heading() -> None:
    assert heading_kinds("Kiến nghị, phản ánh của công dân") == []
    assert heading_kinds("2. Tiếp nhận, xử lý kiến nghị, phản ánh") == []


def test_a_line_wrapped_before_a_dash_or_a_part_number_stays_in_its_sentence() -> None:
    # LD-077, a PDF: "Hội đồng Khen thưởng" | "- kỷ luật lâm thời" and "Mục II" | "Phần IV cho
    # phù hợp" are broken at line ends; the lower-case word after the marker says so
    doc = assemble(load_document(next(CORPUS.glob("LD-077__*"))))
    assert any("Hội đồng Khen thưởng - kỷ luật lâm thời" in block.text for block in doc.blocks)
    assert any("Mục II Phần IV cho phù hợp" in block.text for block in doc.blocks)
    assert not any(block.text.startswith("- kỷ luật") for block in doc.blocks)


BLIND = Path(__file__).resolve().parent / "data" / "gold_blind"


def test_items_on_blind_gold() -> None:
    # four tờ trình/công văn annotated by a helper who never ran the code: scored once blind
    # (all five with the scan DN-034: P 0.368, R 0.875); then general rules were fixed (quoted
    # law text, rosters, closing requests), so this is a regression guard now
    tp = fp = fn = 0
    for path in sorted(BLIND.glob("LD-*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        doc = assemble(load_document(CORPUS / gold["source"]))
        t, p, n, _, _ = score_items(gold["difficulties"] + gold["recommendations"], find_difficulties(doc))
        tp, fp, fn = tp + t, fp + p, fn + n
    assert tp + fn == 4
    assert (tp, fp) == (4, 0)


def test_an_announced_list_of_topics_gives_each_paragraph_under_a_topic() -> None:
    # a council's conclusions: "… đề nghị … thực hiện tốt một số nội dung sau:", then topic lines
    # ("2.1. Đối với …:") each followed by the directives on it, worded without a request verb
    doc = make_doc([
        ("heading", "HỘI ĐỒNG NHÂN DÂN HUYỆN KRÔNG NÔ"),
        "Số: 11/TB-HĐND",
        ("heading", "THÔNG BÁO Kết luận Phiên họp giải trình"),
        "Ngày 21/5/2019, Thường trực Hội đồng nhân dân huyện tổ chức Phiên họp giải trình về công tác đền bù, giải phóng mặt bằng và khai thác cát.",
        "2. Thường trực HĐND huyện đề nghị UBND huyện tiếp tục chỉ đạo thực hiện tốt một số nội dung sau:",
        ("heading", "2.1. Đối với vấn đề chống sạt lở bờ sông Krông Nô:"),
        "UBND huyện chỉ đạo các cơ quan chức năng tăng cường tuần tra, xử lý khai thác cát trái phép.",
        "Nghiên cứu chuyển đổi cơ cấu cây trồng ở những nơi xung yếu.",
        ("heading", "2.2. Đối với chương trình nông nghiệp ứng dụng công nghệ cao:"),
        "Kêu gọi các doanh nghiệp có đủ năng lực đầu tư, liên kết với nông dân.",
        "Trên đây là kết luận của Thường trực HĐND huyện./.",
    ])
    items = find_difficulties(doc)
    assert [item.text[:20] for item in items] == ["UBND huyện chỉ đạo c", "Nghiên cứu chuyển đổ", "Kêu gọi các doanh ng"]
    assert items[0].section == "2.1. Đối với vấn đề chống sạt lở bờ sông Krông Nô:"


def test_a_voucher_named_giay_de_xuat_announces_no_request() -> None:
    doc = make_doc([
        INTRO,
        ("heading", "b. Công tác chi"),
        "Nhà trường đã thực hiện một số khoản chi chưa đảm bảo quy định, một số phiếu chi không có giấy đề xuất, kế hoạch, không xuất hóa đơn, cụ thể:",
        "- Phiếu chi số 04 ngày 17/11/2016 mua két sắt số tiền 2.500.000 đồng, không có hợp đồng.",
        "- Phiếu chi số 6 ngày 26/3/2018 chi khen thưởng số tiền 1.500.000 đồng, không có danh sách ký nhận.",
    ])
    assert find_difficulties(doc) == []


def test_a_closing_request_opening_with_nay_is_an_item() -> None:
    doc = make_doc([
        ("heading", "SỞ TƯ PHÁP"),
        "Số: 788/STP-HCBT",
        ("heading", "V/v trình hồ sơ phê chuẩn kết quả Đại hội Đoàn Luật sư tỉnh nhiệm kỳ 2024 - 2029"),
        "Kính gửi: Ủy ban nhân dân tỉnh.",
        "Sở Tư pháp nhận được Văn bản số 2377/UBND-NCKS ngày 13/5/2025 của Văn phòng Ủy ban nhân dân tỉnh về việc chuyển hồ sơ Đại hội.",
        "Qua kiểm tra, hồ sơ báo cáo kết quả Đại hội của Đoàn Luật sư tỉnh đã đầy đủ theo quy định.",
        "Nay Sở Tư pháp kính trình Ủy ban nhân dân tỉnh xem xét, phê chuẩn kết quả Đại hội Đoàn Luật sư tỉnh nhiệm kỳ X (2024 - 2029)./.",
    ])
    assert [item.text[:22] for item in find_difficulties(doc)] == ["Nay Sở Tư pháp kính tr"]


def test_a_closing_request_after_an_announced_list_is_its_own_item_under_no_heading() -> None:
    # a công văn asks again in its last paragraph ("… đề nghị … ./."): the letter's closing
    # request, not the tail of the announced list's last point
    doc = make_doc([
        ("heading", "SỞ TƯ PHÁP"),
        "Số: 604/STP-BTTP",
        ("heading", "V/v hoàn thiện hồ sơ Đại hội hợp nhất các Hội"),
        "Kính gửi: Ban Chấp hành các Hội công chứng viên tỉnh.",
        "Sau khi kiểm tra hồ sơ, Sở Tư pháp đề nghị Ban Chấp hành các Hội thực hiện một số nội dung sau:",
        "- Thứ nhất: Đối với Đề án hợp nhất: đề nghị bổ sung nội dung phân định chức năng, quyền hạn của Hội.",
        "- Thứ hai: Đối với Nghị quyết: đề nghị bổ sung số và ngày thông qua Nghị quyết.",
        "Ngoài ra, đề nghị đăng ký làm việc với Sở Tư pháp trước khi họp Ban Chấp hành lâm thời.",
        "Sở Tư pháp đề nghị Ban Chấp hành các Hội khẩn trương hoàn thiện hồ sơ, gửi về Sở Tư pháp chậm nhất ngày 10/9/2025./.",
    ])
    items = find_difficulties(doc)
    assert [item.text[:22] for item in items] == [
        "Thứ nhất: Đối với Đề á", "Thứ hai: Đối với Nghị ", "Ngoài ra, đề nghị đăng", "Sở Tư pháp đề nghị Ban",
    ]
    assert items[-1].section == "" and items[-1].text.endswith("10/9/2025./.")


def test_what_ocr_reads_from_a_stamp_is_not_an_item() -> None:
    doc = make_doc([
        INTRO,
        ("heading", "II. Khó khăn, vướng mắc"),
        "Đội ngũ công chức làm công tác tiếp dân còn kiêm nhiệm, thiếu kinh nghiệm.",
        "Ậ+ r.» — Ậ A Ậ hà ` ^ ^ ^",
    ])
    assert [item.text[:20] for item in find_difficulties(doc)] == ["Đội ngũ công chức là"]


def test_the_next_part_of_a_report_ends_the_items_even_where_its_number_was_misread() -> None:
    doc = make_doc([
        INTRO,
        ("heading", "c) Nguyên nhân:"),
        "Công tác phổ biến giáo dục pháp luật về khiếu nại, tố cáo còn hạn chế.",
        "Khối lượng đơn thư còn nhiều, cán bộ làm công tác tiếp dân còn kiêm nhiệm.",
        "s: Phương hướng nhiệm vụ công tác tiếp dân cuối năm 2019.",
        "Tăng cường công tác tuyên truyền phổ biến giáo dục pháp luật đến từng thôn, bon.",
    ])
    items = find_difficulties(doc)
    assert [item.kind for item in items] == ["cause", "cause"]
    assert items[1].text.startswith("Khối lượng đơn thư")


DATA = Path(__file__).resolve().parent / "data"


@pytest.mark.parametrize(
    ("folder", "items", "floor"),
    [
        # six documents (four scans) annotated by a helper who never ran the code; scored once
        # blind (F1 0.390: P 0.536, R 0.306), then rules from the conventions were fixed with them
        # in view (topics of an announced list, kết luận thanh tra, the next part of a report)
        ("gold_blind2", 49, 0.84),
        # five scans annotated the same way, scored once blind after those fixes (F1 0.432: P
        # 0.667, R 0.320), then label lines and misread section numbers were fixed, then
        # shortcomings announced anywhere and a forwarded letter's body (DN-047): 0.605; then a
        # scanner streak no longer taken for a table (DN-047), "Nhận được Công văn này, đề nghị"
        # (DN-021) and the conditional closing instruction (DN-015): 0.714; then the instruction to
        # send the reply by a day (DN-012): 0.744
        ("gold_blind3", 25, 0.74),
    ],
)
def test_items_on_blind_gold_read_by_ocr(monkeypatch: pytest.MonkeyPatch, folder: str, items: int, floor: float) -> None:
    # a regression guard now, not a blind score: the blind figures are in each folder's README
    monkeypatch.setenv("BAOCAO_OCR", "1")
    tp = fp = fn = 0
    for path in sorted((DATA / folder).glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        doc = assemble(load_document(CORPUS / gold["source"]))
        t, p, n, _, _ = score_items(gold["difficulties"] + gold["recommendations"], find_difficulties(doc))
        tp, fp, fn = tp + t, fp + p, fn + n
    assert tp + fn == items
    assert 2 * tp / (2 * tp + fp + fn) >= floor


def test_an_unnumbered_label_line_names_the_paragraphs_after_it() -> None:
    # a scan keeps no bold: "Các nguyên nhân" is a line of its own inside the section
    doc = make_doc([
        INTRO,
        ("heading", "2.1. Các tồn tại, hạn chế"),
        "Việc phát và thu phiếu khảo sát trong nhân dân còn chậm so với kế hoạch.",
        "Các nguyên nhân",
        "Công tác tuyên truyền chưa thường xuyên, nội dung chưa phù hợp với nhận thức của nhân dân.",
        ("heading", "2.2. Nhiệm vụ trong thời gian tới"),
    ])
    items = find_difficulties(doc)
    assert [(item.kind, item.text[:12]) for item in items] == [("limitation", "Việc phát và"), ("cause", "Công tác tuy")]
    assert items[1].section == "Các nguyên nhân"


def test_the_closing_formula_nhan_duoc_cong_van_nay_asks_but_a_received_letter_is_retold() -> None:
    # "Nhận được Công văn này, đề nghị …" asks the addressee of this very letter; "nhận được Công
    # văn số … đề nghị …" retells the request of the letter received
    doc = make_doc([
        ("heading", "ỦY BAN NHÂN DÂN HUYỆN KRÔNG NÔ"),
        "Số: 964/UBND-VP",
        ("heading", "V/v chuyển nội dung kiến nghị của công dân"),
        "Kính gửi: Ban quản lý Dự án tỉnh.",
        "Ủy ban nhân dân huyện nhận được Công văn số 12/BQL-KT của Ban quản lý đề nghị cung cấp hồ sơ.",
        "Các hộ dân phản ánh công trình xả lũ gây thiệt hại hoa màu nhưng chưa được xem xét, giải quyết.",
        "Nhận được Công văn này, kính đề nghị Ban quản lý Dự án tỉnh quan tâm chỉ đạo giải quyết và phản hồi kết quả về Ủy ban nhân dân huyện trước ngày 05/7/2019./.",
    ])
    assert [item.text[:25] for item in find_difficulties(doc)] == ["Nhận được Công văn này, k"]


def test_the_instruction_to_send_the_reply_by_a_day_asks_in_a_request_document() -> None:
    # a công văn asking for comments closes by saying where and by when to send them (DN-012,
    # LD-028): a request, even with no request verb or with the verb after the thing sent; on a
    # scan the sentence runs over lines that are blocks of their own
    header = [
        ("heading", "UBND TỈNH ĐẮK NÔNG SỞ TÀI CHÍNH"),
        "Số: 27/STC-GCS",
        ("heading", "V/v góp ý dự thảo Quyết định về đơn giá thuê đất"),
        "Kính gửi: Các Sở, Ban, ngành.",
        "Sở Tài chính xây dựng dự thảo Quyết định quy định đơn giá thuê đất trên địa bàn tỉnh.",
    ]
    doc = make_doc([
        *header,
        "Văn bản góp ý gửi về Sở Tài chính, đồng thời gửi file mềm qua địa chỉ",
        "mail: stc@daknong.gov.vn trước ngày 03/6/2019 để Sở Tài chính tổng hợp./.",
    ])
    assert [item.text[:27] for item in find_difficulties(doc)] == ["Văn bản góp ý gửi về Sở Tài"]
    # what was sent, retold, asks nothing
    doc = make_doc([*header, "Các đơn vị đã gửi về Sở Tài chính trước ngày 03/6/2019 đầy đủ hồ sơ."])
    assert find_difficulties(doc) == []
    # nor does a report's account of a deadline
    doc = make_doc([
        ("heading", "UBND TỈNH ĐẮK NÔNG SỞ TÀI CHÍNH"), "Số: 28/BC-STC", ("heading", "BÁO CÁO"),
        ("heading", "Kết quả công tác tháng 5"),
        "Báo cáo tháng gửi về Sở Tài chính trước ngày 20 hằng tháng theo quy định.",
    ])
    assert find_difficulties(doc) == []


def test_the_closing_instruction_for_trouble_that_may_come_is_not_an_item() -> None:
    # "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, đề nghị … phản ánh về …" closes a plan
    # or a guiding letter: a request conditioned on trouble to come, neither a difficulty nor a request
    doc = make_doc([
        ("heading", "BỘ TÀI CHÍNH"),
        "Số: 14964/BTC-THTK",
        ("heading", "V/v công khai ngân sách trên Cổng thông tin điện tử"),
        "Kính gửi: Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương.",
        "Bộ Tài chính đề nghị Ủy ban nhân dân các tỉnh chỉ đạo Sở Tài chính rà soát chuyên mục công khai ngân sách trên Cổng thông tin điện tử của địa phương.",
        "Trong quá trình thực hiện, nếu có vướng mắc đề nghị liên hệ với Cục Tin học và Thống kê tài chính để được hướng dẫn.",
        "Nếu có khó khăn, vướng mắc, đề nghị các đơn vị phản ánh về Bộ Tài chính để phối hợp giải quyết./.",
    ])
    assert [item.text[:25] for item in find_difficulties(doc)] == ["Bộ Tài chính đề nghị Ủy b"]


def test_a_to_trinh_asks_by_submitting_something_to_be_considered() -> None:
    # Nghị định 30/2020's tờ trình: "<cơ quan> trình <cấp trên> xem xét, …" is its request, also
    # after "thống nhất" and when a scan breaks the sentence into lines; submitting retold ("đã
    # trình"), or with nothing to consider, asks nothing
    header = [
        ("heading", "HỘI ĐỒNG NHÂN DÂN TỈNH ĐẮK NÔNG"),
        "Số: 04/TTr-HĐND",
        ("heading", "TỜ TRÌNH"),
        ("heading", "Về việc miễn nhiệm chức vụ Trưởng ban Pháp chế HĐND tỉnh"),
        "Kính gửi: Hội đồng nhân dân tỉnh",
        "Xét đơn xin thôi giữ chức vụ Trưởng ban Pháp chế Hội đồng nhân dân tỉnh của ông Nguyễn Văn A.",
    ]
    closing = "Kính trình Hội đồng nhân dân tỉnh xem xét, quyết nghị./."
    doc = make_doc([
        *header,
        "Thường trực Hội đồng nhân dân tỉnh thống nhất trình Hội đồng nhân dân",
        "tỉnh xem xét miễn nhiệm chức vụ Trưởng Ban Pháp chế đối với ông Nguyễn Văn A.",
        closing,
    ])
    assert [item.text[:40] for item in find_difficulties(doc)] == ["Thường trực Hội đồng nhân dân tỉnh thống"]
    for retold in (
        "Thường trực Hội đồng nhân dân tỉnh đã trình Hội đồng nhân dân tỉnh xem xét việc này tại kỳ họp thứ 7.",
        "Thường trực Hội đồng nhân dân tỉnh trình kèm theo dự thảo Nghị quyết và hồ sơ liên quan.",
    ):
        assert find_difficulties(make_doc([*header, retold, closing])) == []


def test_a_request_paragraph_ending_with_a_colon_over_a_numbered_list_announces_it() -> None:
    # the closing request of a công văn, Nghị định 30/2020's form: "… kính đề xuất UBND tỉnh xem
    # xét, cho ý kiến chỉ đạo:" then "1. … 2. …" (no "như sau")
    doc = make_doc([
        ("heading", "SỞ Y TẾ TỈNH KHÁNH HÒA"),
        "Số: 1540/SYT-TCCB",
        ("heading", "V/v đề xuất bổ sung biên chế viên chức y tế"),
        "Kính gửi: Ủy ban nhân dân tỉnh Khánh Hòa",
        "Hiện nay, số lượng viên chức tại các trạm y tế xã chỉ đạt 72% so với định mức.",
        "Để bảo đảm hoạt động khám chữa bệnh ban đầu, Sở Y tế kính đề xuất Ủy ban nhân dân tỉnh xem xét, cho ý kiến chỉ đạo:",
        ("list_item", "1. Giao bổ sung 120 chỉ tiêu biên chế viên chức cho các trạm y tế xã năm 2024."),
        ("list_item", "2. Ban hành chính sách hỗ trợ thu hút bác sĩ về công tác tại các xã miền núi."),
        "Sở Y tế kính trình Ủy ban nhân dân tỉnh xem xét, quyết định./.",
    ])
    items = find_difficulties(doc)
    assert [(item.kind, item.text[:10]) for item in items] == [("recommendation", "Giao bổ su"), ("recommendation", "Ban hành c")]
    # a listed line ending so is a label over data, not a lead-in ("- Kiến nghị xử lý vi phạm:")
    stats = make_doc([
        INTRO,
        ("list_item", "- Số cuộc thanh tra đã kết thúc: 03 cuộc."),
        ("list_item", "- Kiến nghị xử lý vi phạm:"),
        ("list_item", "+ Xử lý hình sự: không có trường hợp chuyển cơ quan điều tra."),
        ("list_item", "+ Xử lý hành chính: 02 trường hợp, số tiền 15.000.000 đồng."),
    ])
    assert find_difficulties(stats) == []


@pytest.mark.parametrize("source", ["text", "ocr"])
def test_plain_label_lines_outside_any_heading_open_their_sections(source: str) -> None:
    # a tham luận typed plain or scanned (no bold to tell its parts): the label lines alone say them
    lines = [
        ("heading", "THAM LUẬN"),
        "Tháo gỡ khó khăn cho doanh nghiệp nhỏ và vừa trong tiếp cận vốn",
        "Thay mặt Hiệp hội, tôi xin trình bày một số ý kiến về tình hình hoạt động của doanh nghiệp.",
        "Khó khăn, vướng mắc",
        "Thứ nhất, doanh nghiệp rất khó tiếp cận vốn vay ngân hàng do thiếu tài sản bảo đảm.",
        "Thứ hai, thủ tục hoàn thuế giá trị gia tăng còn kéo dài.",
        "Nguyên nhân",
        "Các tổ chức tín dụng còn thận trọng khi cho vay tín chấp.",
        "Giải pháp, kiến nghị",
        "Một là, đề nghị Ngân hàng Nhà nước chi nhánh tỉnh chỉ đạo đơn giản hóa thủ tục cho vay.",
        "Hai là, kiến nghị Cục Thuế tỉnh rút ngắn thời gian giải quyết hồ sơ hoàn thuế.",
        "Xin trân trọng cảm ơn!",
    ]
    doc = make_doc(lines)
    doc = DocumentText(doc.text, tuple(replace(block, source=source) for block in doc.blocks))
    items = find_difficulties(doc)
    assert [(item.kind, item.section, item.text[:8]) for item in items] == [
        ("difficulty", "Khó khăn, vướng mắc", "Thứ nhất"), ("difficulty", "Khó khăn, vướng mắc", "Thứ hai,"),
        ("cause", "Nguyên nhân", "Các tổ c"),
        ("recommendation", "Giải pháp, kiến nghị", "Một là, "), ("recommendation", "Giải pháp, kiến nghị", "Hai là, "),
    ]


@pytest.mark.parametrize(
    ("line", "label"),
    [
        ("Khó khăn, vướng mắc", True),
        ("Những tồn tại, hạn chế:", True),
        ("Giải pháp, kiến nghị", True),
        ("Nguyên nhân chủ quan", True),
        ("Tồn tại, hạn chế và nguyên nhân", True),
        ("Khó khăn lớn nhất hiện nay là", False),  # a sentence broken over lines
        ("Giải pháp", False),  # remedies planned, not requests
        ("Kiến nghị xử lý vi phạm", False),  # a data label
        ("Kết quả đạt được", False),
    ],
)
def test_a_label_line_is_nothing_but_heading_words(line: str, label: bool) -> None:
    assert is_kind_label(line) is label


def test_the_paragraph_closing_a_report_with_its_own_request_is_a_recommendation() -> None:
    lines = [
        ("heading", "HỘI NÔNG DÂN TỈNH ĐỒNG THÁP"),
        "Số: 120-BC/HNDT",
        ("heading", "BÁO CÁO"),
        ("heading", "Kết quả hoạt động Quỹ Hỗ trợ nông dân 9 tháng năm 2024"),
        "Trong 9 tháng, Quỹ đã giải ngân 35 tỷ đồng cho 1.200 hộ hội viên vay vốn.",
    ]
    close = ("Để Quỹ hoạt động hiệu quả hơn, Hội Nông dân tỉnh kính đề nghị UBND tỉnh quan tâm bổ sung "
             "10 tỷ đồng vốn ủy thác cho Quỹ Hỗ trợ nông dân trong năm 2025./.")
    items = find_difficulties(make_doc([*lines, close]))
    assert [(item.kind, item.text) for item in items] == [("recommendation", close)]
    # the formula that asks for nothing in particular, and a note whose first sentence asks nothing
    # (its requests are instructions to the units that read a calendar) are none
    for other in ("Trên đây là báo cáo kết quả hoạt động của Quỹ, kính đề nghị UBND tỉnh xem xét./.",
                  "Hội Nông dân tỉnh trân trọng đề nghị Ủy ban nhân dân tỉnh quan tâm chỉ đạo thực hiện./.",
                  "Ghi chú: Lịch công tác có thể thay đổi. Trường hợp các đơn vị có đề nghị, đề nghị các cơ quan gửi về Văn phòng./."):
        assert find_difficulties(make_doc([*lines, other])) == []


def test_a_section_reporting_requests_made_and_handled_holds_no_recommendation() -> None:
    lines = [
        INTRO,
        ("heading", "3. Kiến nghị, đề xuất"),
        "Không có kiến nghị.",
        ("heading", "4. Đề nghị của Hội Cựu chiến binh phường"),
        "Tại hội nghị ngày 15/8/2024, Hội Cựu chiến binh đã đề nghị UBND phường hỗ trợ kinh phí tổ chức kỷ niệm; UBND phường đã xem xét và bố trí 5 triệu đồng.",
    ]
    assert find_difficulties(make_doc(lines)) == []
    # the association's own requests under the same heading are its recommendations
    own = [*lines[:4], "Đề nghị UBND phường hỗ trợ kinh phí tổ chức kỷ niệm ngày thành lập Hội.",
           "Kiến nghị bố trí phòng làm việc cho Hội tại trụ sở UBND phường."]
    assert [item.text[:10] for item in find_difficulties(make_doc(own))] == ["Đề nghị UB", "Kiến nghị "]


def test_sections_numbered_with_a_slash_hold_their_items() -> None:
    doc = make_doc([
        INTRO,
        "1/ Kết quả đạt được",
        "Thu ngân sách đạt 56% dự toán.",
        "2/ Tồn tại, hạn chế và nguyên nhân",
        "a/ Tồn tại, hạn chế",
        "- Hệ thống kênh mương nội đồng xuống cấp, chưa được sửa chữa.",
        "b/ Nguyên nhân",
        "- Nguồn vốn sự nghiệp bố trí cho xã còn thấp.",
        "3/ Kiến nghị",
        "Đề nghị UBND huyện bố trí kinh phí sửa chữa kênh mương nội đồng.",
    ])
    assert [(item.kind, item.section) for item in find_difficulties(doc)] == [
        ("limitation", "a/ Tồn tại, hạn chế"), ("cause", "b/ Nguyên nhân"), ("recommendation", "3/ Kiến nghị"),
    ]


def test_the_note_of_what_is_attached_is_no_item_nor_content_of_the_last_request(tmp_path: Path) -> None:
    lines = [
        "SỞ NỘI VỤ TỈNH ĐẮK LẮK", "Số: 210/TTr-SNV", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Đắk Lắk, ngày 15 tháng 5 năm 2025", "TỜ TRÌNH",
        "Về việc đề nghị phê duyệt Đề án sắp xếp đơn vị hành chính cấp xã",
        "Kính gửi: Ủy ban nhân dân tỉnh Đắk Lắk",
        "Sở Nội vụ đã phối hợp với các địa phương xây dựng Đề án.",
        "Sở Nội vụ kính trình Ủy ban nhân dân tỉnh xem xét:",
        "1. Phê duyệt Đề án sắp xếp đơn vị hành chính cấp xã năm 2025 của tỉnh.",
        "2. Trình Hội đồng nhân dân tỉnh thông qua Nghị quyết tán thành chủ trương sắp xếp.",
        "(Kèm theo dự thảo Đề án và dự thảo Nghị quyết)",
        "Nơi nhận:", "- Như trên;", "- Lưu: VT.", "GIÁM ĐỐC", "Y Nguyên",
    ]
    path = tmp_path / "to_trinh.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = find_difficulties(assemble(load_document(path)))
    assert [item.text[:12] for item in items] == ["Phê duyệt Đề", "Trình Hội đồ"]


def _read_txt(tmp_path: Path, lines: list[str]) -> list:
    path = tmp_path / "doc.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return find_difficulties(assemble(load_document(path)))


_TO_TRINH_HEAD = [
    "ỦY BAN NHÂN DÂN HUYỆN BẮC TRÀ MY", "Số: 45/TTr-UBND", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc", "Bắc Trà My, ngày 10 tháng 3 năm 2025", "TỜ TRÌNH",
    "Đề nghị phê duyệt chủ trương đầu tư và bố trí vốn dự án Nâng cấp, mở rộng tuyến đường từ trung tâm xã Trà Giác đi thôn 5",
    "Kính gửi: Ủy ban nhân dân tỉnh Quảng Nam.",
]


def test_a_lead_in_after_the_last_particular_of_a_part_announces_the_requests_after_it(tmp_path: Path) -> None:
    # the requests restart "1." inside part II after its particulars 1-7; the subject line above
    # "Kính gửi" is header, no request
    items = _read_txt(tmp_path, [
        *_TO_TRINH_HEAD,
        "II. NỘI DUNG CHỦ YẾU CỦA DỰ ÁN",
        "1. Tổng mức đầu tư dự kiến: 38,6 tỷ đồng.",
        "2. Dự án đã được Hội đồng thẩm định nội bộ của huyện thẩm định, đủ điều kiện trình phê duyệt chủ trương đầu tư.",
        "Từ những nội dung trên, Ủy ban nhân dân huyện kính trình UBND tỉnh xem xét, quyết định:",
        "1. Phê duyệt chủ trương đầu tư dự án với tổng mức đầu tư 38,6 tỷ đồng.",
        "2. Bố trí 30 tỷ đồng từ nguồn ngân sách tỉnh trong kế hoạch đầu tư công năm 2025.",
        "Nơi nhận:",
    ])
    assert [item.text[:10] for item in items] == ["Phê duyệt ", "Bố trí 30 "]


def test_a_listed_request_settled_since_and_the_particulars_of_one_request_are_no_requests(tmp_path: Path) -> None:
    settled = _read_txt(tmp_path, [
        *_TO_TRINH_HEAD[:5], "BÁO CÁO", "Kết quả công tác tháng 9 năm 2023",
        "1/ Kết quả thực hiện", "Thu ngân sách đạt 52,3% kế hoạch tháng.",
        "2/ Đề nghị của các hộ dân",
        "- Hộ ông Trần Văn Lộc đề nghị sửa chữa cống thoát nước: Ban Nhân dân ấp đã sửa chữa xong ngày 12/9/2023.",
        "- Hộ bà Lê Thị Hoa đề nghị xác nhận hồ sơ vay vốn: UBND xã đã xác nhận ngày 08/9/2023.",
    ])
    assert settled == []
    one = _read_txt(tmp_path, [
        "HIỆP HỘI TÔM BÌNH THUẬN", "Số: 01/2025", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Vĩnh Hảo, ngày 20 tháng 10 năm 2025", "ĐƠN XIN ĐỔI TÊN HIỆP HỘI", "Kính gửi: UBND tỉnh Lâm Đồng",
        "Do thay đổi phạm vi hoạt động, Hiệp hội kính đề nghị được đổi tên như sau:",
        "- Tên hiện tại: Hiệp hội Tôm Bình Thuận", "- Tên đề nghị sửa đổi: Hiệp hội Tôm Lâm Đồng",
        "Xin trân trọng cảm ơn!",
    ])
    assert [item.text for item in one] == [
        "Do thay đổi phạm vi hoạt động, Hiệp hội kính đề nghị được đổi tên như sau: - Tên hiện tại: Hiệp hội Tôm "
        "Bình Thuận - Tên đề nghị sửa đổi: Hiệp hội Tôm Lâm Đồng"
    ]


PROBE = Path(__file__).resolve().parent / "data" / "gold_probe"


def test_items_on_the_probe_documents() -> None:
    # invented documents in the forms agencies use, gold written blind by a helper; scored once
    # blind (F1 0.955), then read: a regression guard
    tp = fp = fn = 0
    for gold_path in sorted(PROBE.glob("P-*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        found = find_difficulties(assemble(load_document(gold_path.with_suffix(".txt"))))
        t, p, n, _, _ = score_items(gold["difficulties"] + gold["recommendations"], found)
        tp, fp, fn = tp + t, fp + p, fn + n
    assert tp + fn == 43
    assert 2 * tp / (2 * tp + fp + fn) >= 0.95
