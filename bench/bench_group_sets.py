"""Groups on each labelled set: ``assign_groups`` over every item of one set against its own labels.

Each gold folder (``../shared/gold`` and the helpers' ``tests/data/gold_blind*``,
``gold_heldout``) was grouped by its own annotator, so pairs are scored within a set only. LD-034
(a twin of LD-033) is left out, as the category training table leaves it out.

Usage: python bench/bench_group_sets.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipeline.extract.groups import assign_groups, pairwise_scores

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = [ROOT.parent / "shared" / "gold", *sorted((ROOT / "tests" / "data").glob("gold_blind*")),
           ROOT / "tests" / "data" / "gold_heldout"]
TWINS = {"LD-034"}


def main() -> None:
    """Print pairwise precision, recall and F1 per labelled set."""
    for folder in FOLDERS:
        items: list[tuple[str, str]] = []
        gold: dict[str, str | None] = {}
        for path in sorted(folder.rglob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or "recommendations" not in data or data.get("id") in TWINS:
                continue
            for number, item in enumerate(data["difficulties"] + data["recommendations"]):
                key = f"{data['id']}:{number}"
                items.append((key, item["text"]))
                gold[key] = item.get("group")
        if len(items) < 2:
            continue
        precision, recall, f1 = pairwise_scores(gold, assign_groups(items))
        sys.stdout.write(f"{folder.name:14} items {len(items):3}  P {precision:.3f}  R {recall:.3f}  F1 {f1:.3f}\n")


if __name__ == "__main__":
    main()
