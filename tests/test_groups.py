"""Recurring groups: same complaint across documents, deterministic ids."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from pipeline.data import read_table
from pipeline.extract.groups import (
    assign_groups,
    expand_abbreviations,
    head_clause,
    item_concepts,
    pairwise_scores,
)
from tests.conftest import GOLD

ITEMS = [
    ("DN-001#1", "Bên cạnh những kết quả đã nêu, một số hạn chế trong triển khai nhiệm vụ đó là vấn đề kinh phí "
                 "đảm bảo cho công tác CCHC còn thấp; số lượng TTHC được cung cấp trực tuyến ở mức độ 3 và 4 chiếm tỷ lệ chưa cao."),
    ("DN-002#1", "Bên cạnh những kết quả đã đạt được, một số hạn chế trong triển khai nhiệm vụ đó là vấn đề kinh phí "
                 "đảm bảo cho công tác CCHC còn thấp; số lượng TTHC được cung cấp trực tuyến ở mức độ 3 và 4 chiếm tỷ lệ chưa cao."),
    ("QT-001#8", "Trình độ cán bộ quản lý HTX thấp, đa số là cán bộ làm việc bằng kinh nghiệm, thiếu cán bộ trẻ hiểu biết về thị trường."),
    ("LD-033#2", "Phương thức, thủ đoạn hoạt động của các đối tượng ngày càng tinh vi: sử dụng công nghệ cao, mạng xã hội."),
    ("QT-001#6", "Công tác dồn điền đổi thửa vùng sản xuất cây lương thực vẫn còn chậm, ruộng đất manh mún."),
]


def test_near_identical_items_share_a_group_and_unrelated_do_not() -> None:
    groups = assign_groups(ITEMS)
    assert groups["DN-001#1"] == groups["DN-002#1"]
    others = [groups[key] for key in ("QT-001#8", "LD-033#2", "QT-001#6")]
    assert len(set(others)) == 3
    assert groups["DN-001#1"] not in others


def test_groups_do_not_depend_on_input_order() -> None:
    expected = assign_groups(ITEMS + list(SENTENCES.items()))
    for seed in range(5):
        shuffled = ITEMS + list(SENTENCES.items())
        random.Random(seed).shuffle(shuffled)
        assert assign_groups(shuffled) == expected


def test_group_id_depends_only_on_members() -> None:
    alone = assign_groups(ITEMS[2:3])
    with_others = assign_groups(ITEMS)
    assert alone["QT-001#8"] == with_others["QT-001#8"]
    assert with_others["DN-001#1"].startswith("g") and len(with_others["DN-001#1"]) == 13


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(ValueError):
        assign_groups([("a", "Thiếu kinh phí."), ("a", "Thiếu cán bộ.")])


# --- reworded complaints (sentences written for these tests, not taken from any report) -------

SENTENCES = {
    # staff shortage in commune land administration: three wordings, the last a request
    "A1": "Đội ngũ công chức địa chính cấp xã còn thiếu, một người phải kiêm nhiệm nhiều việc nên việc cập nhật biến động đất đai chưa kịp thời.",
    "A2": "Nhân lực làm công tác địa chính ở cấp xã còn mỏng, chưa đáp ứng được khối lượng hồ sơ đất đai ngày càng lớn.",
    "A3": "Đề nghị tỉnh bổ sung biên chế công chức địa chính cho các xã có khối lượng hồ sơ đất đai lớn.",
    # staff shortage too, but of doctors: another complaint
    "F1": "Trạm y tế xã thiếu bác sĩ, nhiều trạm chưa có bác sĩ làm việc thường xuyên.",
    # dependency on State support, worded differently by two agencies
    "B1": "Nhiều tổ hợp tác vẫn còn tâm lý trông chờ, ỷ lại vào nguồn hỗ trợ của Nhà nước, chưa chủ động tìm kiếm thị trường.",
    "B2": "Các hợp tác xã nông nghiệp hoạt động còn thụ động, nặng tư tưởng bao cấp, chờ đợi sự hỗ trợ từ ngân sách.",
    # propaganda on administrative reform: its money and its form are two complaints
    "C1": "Kinh phí dành cho công tác tuyên truyền cải cách hành chính còn hạn hẹp, chưa đáp ứng yêu cầu.",
    "C2": "Hình thức tuyên truyền về cải cách hành chính còn đơn điệu, chưa thu hút được người dân quan tâm.",
    # land: fragmentation (and the request that remedies it) vs site clearance
    "D1": "Ruộng đất còn manh mún, nhỏ lẻ, gây khó khăn cho việc cơ giới hóa sản xuất.",
    "D2": "Công tác bồi thường, giải phóng mặt bằng các dự án còn chậm do người dân chưa đồng thuận với giá đất bồi thường.",
    "D3": "Đề nghị đẩy mạnh dồn điền đổi thửa, khuyến khích tích tụ ruộng đất để sản xuất hàng hóa quy mô lớn.",
    # online services: low uptake vs unstable software
    "E1": "Tỷ lệ hồ sơ nộp trực tuyến còn thấp, người dân vẫn quen đến nộp trực tiếp tại bộ phận một cửa.",
    "E2": "Phần mềm một cửa điện tử thường xuyên bị lỗi, đường truyền không ổn định làm gián đoạn việc tiếp nhận hồ sơ.",
    "E3": "Hệ thống dịch vụ công trực tuyến hay bị gián đoạn, phần mềm chưa ổn định.",
    # funding of the farmers' association and the request for it
    "G1": "Kinh phí chi thường xuyên cho hoạt động của Hội Nông dân xã còn hạn hẹp, không đủ để tổ chức các lớp tập huấn cho hội viên.",
    "G2": "Đề nghị bố trí kinh phí hằng năm cho hoạt động của Hội Nông dân cấp xã.",
    # fire safety at markets: equipment (and its request) vs traders' awareness
    "H1": "Trang thiết bị phục vụ công tác phòng cháy, chữa cháy tại các chợ còn thiếu, nhiều thiết bị đã xuống cấp.",
    "H2": "Ý thức chấp hành quy định về phòng cháy, chữa cháy của các hộ kinh doanh tại chợ chưa cao.",
    "H3": "Đề nghị đầu tư, bổ sung trang thiết bị chữa cháy cho các chợ trên địa bàn.",
    # family affairs staff at the grassroots
    "I1": "Công chức văn hóa - xã hội cấp xã phải kiêm nhiệm nhiều lĩnh vực, không đủ người theo dõi công tác gia đình.",
    "I2": "Đội ngũ làm công tác gia đình ở cơ sở chủ yếu kiêm nhiệm, thiếu cán bộ chuyên trách.",
    # transport projects: slow disbursement (and the request) vs site clearance
    "J1": "Việc giải ngân vốn đầu tư công các dự án giao thông còn chậm, tỷ lệ giải ngân thấp.",
    "J2": "Đề nghị các chủ đầu tư đẩy nhanh tiến độ giải ngân vốn đầu tư công cho các công trình giao thông.",
    "J3": "Công tác bồi thường, giải phóng mặt bằng các dự án giao thông gặp nhiều vướng mắc.",
    # land data: not shared vs overdue land certificates
    "K1": "Hệ thống cơ sở dữ liệu đất đai chưa được kết nối, chia sẻ với các ngành thuế, tư pháp.",
    "K2": "Dữ liệu đất đai giữa các cơ quan chưa đồng bộ, chưa liên thông nên người dân phải nộp lại giấy tờ.",
    "K3": "Nhiều hồ sơ cấp giấy chứng nhận quyền sử dụng đất còn tồn đọng, giải quyết quá hạn.",
    # environment: citizens' awareness vs money for waste collection
    "L1": "Người dân còn thói quen xả rác bừa bãi, ý thức bảo vệ môi trường chưa cao.",
    "L2": "Nhận thức của một bộ phận người dân về giữ gìn vệ sinh môi trường còn hạn chế.",
    "L3": "Kinh phí thu gom, xử lý rác thải ở nông thôn còn thiếu.",
}

SAME_COMPLAINT = [
    ("A1", "A2"), ("A1", "A3"), ("A2", "A3"), ("B1", "B2"), ("D1", "D3"), ("E2", "E3"), ("G1", "G2"),
    ("H1", "H3"), ("I1", "I2"), ("J1", "J2"), ("L1", "L2"),
    ("D2", "J3"),  # site clearance held up, in two places: the same complaint
]
# Known miss: K1 and K2 share the concept (land data not shared) but, among the other land
# items here, too few subject words ("đất đai" only) for a concept every sector has.
MISSED = [("K1", "K2")]
DIFFERENT_COMPLAINT = [
    ("A1", "F1"), ("A2", "F1"), ("A3", "F1"), ("C1", "C2"), ("C1", "G1"), ("D1", "D2"), ("D2", "D3"),
    ("E1", "E2"), ("E1", "E3"), ("H1", "H2"), ("H2", "H3"), ("J1", "J3"), ("J2", "J3"), ("K1", "K3"),
    ("K2", "K3"), ("L1", "L3"), ("L2", "L3"), ("A1", "K3"), ("B1", "D1"), ("G2", "L3"),
]


@pytest.fixture(scope="module")
def sentence_groups() -> dict[str, str]:
    return assign_groups(list(SENTENCES.items()))


@pytest.mark.parametrize(
    ("first", "second"),
    SAME_COMPLAINT + [pytest.param(*pair, marks=pytest.mark.xfail(strict=True)) for pair in MISSED],
)
def test_reworded_same_complaint_is_joined(sentence_groups: dict[str, str], first: str, second: str) -> None:
    assert sentence_groups[first] == sentence_groups[second]


@pytest.mark.parametrize(("first", "second"), DIFFERENT_COMPLAINT)
def test_different_complaints_on_one_topic_stay_apart(
    sentence_groups: dict[str, str], first: str, second: str
) -> None:
    assert sentence_groups[first] != sentence_groups[second]


def test_the_same_pairs_hold_among_other_items() -> None:
    groups = assign_groups(ITEMS + list(SENTENCES.items()))
    assert all(groups[first] == groups[second] for first, second in SAME_COMPLAINT)
    assert all(groups[first] != groups[second] for first, second in DIFFERENT_COMPLAINT)


@pytest.mark.parametrize(
    ("concept", "wordings"),
    [
        ("staff_shortage", ["Đơn vị còn thiếu biên chế.", "Nhân lực còn mỏng so với nhiệm vụ.",
                            "Xã thiếu cán bộ chuyên môn.", "Đề nghị bổ sung biên chế cho phòng."]),
        ("dependency", ["Hội còn trông chờ vào sự hỗ trợ của Nhà nước.", "Một số HTX còn thụ động, ỷ lại."]),
        ("funding_shortage", ["Kinh phí phục vụ công tác kiểm tra còn hạn chế.", "Đề nghị cấp kinh phí cho đội."]),
        ("procedure_delay", ["Nhiều hồ sơ giải quyết quá hạn.", "Việc xử lý hồ sơ còn chậm trễ."]),
        ("contribution_arrears", ["Nhiều doanh nghiệp còn nợ bảo hiểm xã hội của người lao động.",
                                  "Một số đơn vị chậm đóng, trốn đóng bảo hiểm kéo dài."]),
        ("land_clearance", ["Việc đền bù giải tỏa mặt bằng còn chậm.", "Mặt bằng thi công chưa được bàn giao đủ."]),
        ("staff_shortage", ["Trường chưa tuyển đủ giáo viên theo định mức.", "Bệnh viện khó tuyển bác sĩ trẻ."]),
        ("staff_incentive", ["Nhiều viên chức y tế xin nghỉ việc vì thu nhập thấp.", "Giáo viên bỏ việc do áp lực công việc."]),
        ("legal_basis", ["Quy định còn chung chung, khó áp dụng trong thực tế.", "Đề nghị Bộ ban hành văn bản hướng dẫn."]),
    ],
)
def test_wordings_of_one_complaint_share_a_concept(concept: str, wordings: list[str]) -> None:
    for wording in wordings:
        assert concept in item_concepts(wording), wording


def test_concept_parts_stay_inside_one_clause() -> None:
    assert "funding_shortage" in item_concepts("Kinh phí phục vụ công tác phòng, chống ma túy còn hạn chế.")
    assert "funding_shortage" not in item_concepts("Kinh phí đã được cấp đủ. Trình độ cán bộ còn hạn chế.")


def test_concept_table_is_well_formed() -> None:
    names = set()
    for row in read_table("group_concepts.tsv"):
        assert len(row) == 4, row[0]
        name, weight, scope, phrases = row
        assert name not in names
        names.add(name)
        assert 0 < float(weight) <= 1
        assert scope in {"any", "own"}
        assert all(phrase.strip() and phrase == phrase.lower() for phrase in phrases.split(" ; ")), name


def test_abbreviations_are_spelled_out_but_not_inside_codes() -> None:
    assert expand_abbreviations("Một số HTX chưa thực hiện TTHC.") == (
        "Một số hợp tác xã chưa thực hiện thủ tục hành chính."
    )
    assert expand_abbreviations("Nghị quyết số 57-NQ/TW về KHCN") == (
        "Nghị quyết số 57-NQ/TW về khoa học công nghệ"
    )


def test_head_clause_is_the_first_sentence_or_clause() -> None:
    text = "Lực lượng làm công tác kiểm tra còn mỏng; trang thiết bị còn thiếu. Kinh phí hạn hẹp."
    assert head_clause(text) == "Lực lượng làm công tác kiểm tra còn mỏng"
    assert head_clause("Về nhân sự: thiếu.") == "Về nhân sự: thiếu."


# --- pairwise scores --------------------------------------------------------------------------


def test_pairwise_scores_count_pairs() -> None:
    gold = {"a": "x", "b": "x", "c": "x", "d": None, "e": "y", "f": "y"}
    # predicted: {a, b}, {c, d}, {e}, {f}: one of 4 gold pairs found, 1 of 2 predicted pairs right
    predicted = {"a": "1", "b": "1", "c": "2", "d": "2", "e": "3", "f": "4"}
    precision, recall, f1 = pairwise_scores(gold, predicted)
    assert precision == pytest.approx(0.5)
    assert recall == pytest.approx(0.25)
    assert f1 == pytest.approx(2 * 0.5 * 0.25 / 0.75)


def test_pairwise_scores_edge_cases() -> None:
    assert pairwise_scores({"a": "x", "b": "x"}, {"a": "1", "b": "1"}) == (1.0, 1.0, 1.0)
    # nothing predicted together: precision 1 by convention, recall 0
    assert pairwise_scores({"a": "x", "b": "x"}, {"a": "1"}) == (1.0, 0.0, 0.0)
    # gold keys missing from the prediction are singletons; extra predicted keys are ignored
    assert pairwise_scores({"a": None, "b": None}, {"a": "1", "b": "1", "z": "1"}) == (0.0, 1.0, 0.0)


# --- gold ---------------------------------------------------------------------------------------

TWIN = "LD-034"  # DOCX twin of LD-033: the same items, so pairs between twins are trivially joined


def _gold_items(skip: tuple[str, ...] = ()) -> tuple[list[tuple[str, str]], dict[str, str | None]]:
    if not GOLD.is_dir():
        pytest.skip(f"gold annotations not found in {GOLD}")
    items: list[tuple[str, str]] = []
    gold: dict[str, str | None] = {}
    for path in sorted(GOLD.glob("*.json")) + sorted((GOLD / "difficulties").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if document["id"] in skip:
            continue
        for field in ("difficulties", "recommendations"):
            for index, item in enumerate(document.get(field, [])):
                key = f"{document['id']}/{field}/{index}"
                items.append((key, item["text"]))
                gold[key] = item["group"]
    return items, gold


@pytest.mark.parametrize(("skip", "minimum"), [((), 0.84), ((TWIN,), 0.84)])
def test_gold_pairwise_f1(skip: tuple[str, ...], minimum: float) -> None:
    # measured: P 0.853 R 0.889 F1 0.871 with the twin, P 0.800 R 0.941 F1 0.865 without it
    items, gold = _gold_items(skip)
    predicted = assign_groups(items)
    precision, recall, f1 = pairwise_scores(gold, predicted)
    assert f1 >= minimum, (precision, recall, f1)
    # average link keeps groups small: the largest gold group has 6 items
    assert max(Counter(predicted.values()).values()) <= 8


def test_a_step_of_the_paperwork_names_no_problem_and_joins_no_group() -> None:
    # two agencies' tờ trình close alike: what they ask is the draft's procedure, not a complaint
    paperwork = "Kính đề nghị Văn phòng UBND tỉnh thẩm định, trình Chủ tịch UBND tỉnh ký duyệt, ban hành./."
    report_by = ("Số liệu của các bộ, ngành, địa phương đề nghị gửi về Bộ Nội vụ trước ngày 10 tháng 8 năm 2025 để "
                 "tổng hợp theo quy định. Rất mong nhận được sự phối hợp chặt chẽ của các bộ, ngành, địa phương./.")
    late = "Đề nghị Bộ Nội vụ sớm ban hành văn bản hướng dẫn thực hiện Nghị định số 126/2024/NĐ-CP."
    groups = assign_groups([
        ("a1", paperwork), ("b1", paperwork), ("a2", report_by), ("b2", report_by.replace("10 tháng 8", "15 tháng 9")),
        ("a3", late), ("b3", "Kiến nghị Bộ Nội vụ sớm ban hành văn bản hướng dẫn Nghị định 126/2024/NĐ-CP."),
    ])
    assert groups["a1"] != groups["b1"] and groups["a2"] != groups["b2"]
    assert len({groups["a1"], groups["a2"], groups["b1"], groups["b2"], groups["a3"]}) == 5
    # a complaint about issuing guidance is one: the same request from two agencies is joined
    assert groups["a3"] == groups["b3"]
