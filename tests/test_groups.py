"""Recurring groups: same complaint across documents, deterministic ids."""

from __future__ import annotations

import random

from pipeline.extract.groups import assign_groups

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
    expected = assign_groups(ITEMS)
    for seed in range(5):
        shuffled = ITEMS[:]
        random.Random(seed).shuffle(shuffled)
        assert assign_groups(shuffled) == expected


def test_group_id_depends_only_on_members() -> None:
    alone = assign_groups(ITEMS[2:3])
    with_others = assign_groups(ITEMS)
    assert alone["QT-001#8"] == with_others["QT-001#8"]
    assert with_others["DN-001#1"].startswith("g") and len(with_others["DN-001#1"]) == 13
