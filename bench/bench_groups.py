"""The same complaint joined across agencies: ``assign_groups`` against a reader's groups on items nobody wrote rules from.

``--unseen ITEMS.tsv`` holds the items (columns ``id``, ``url``, ``agency``, ``kind``, ``text``,
``categories``; tab-separated, no quoting) and ``--groups GROUPS.tsv`` a reader's labels for them
(``id``, ``group``; empty when no other item states that problem), made blind: without running
the pipeline or reading its code. The items are grouped twice: alone, and mixed with every gold
item of ``../shared/gold`` and the helpers' sets under ``tests/data`` (as in a store, where a
complaint has many unrelated neighbours); pairs are scored over the unseen items only. Pairs of
items from two different agencies are scored apart: they are the joins the office comes for.
The gold's own group F1 is what ``baocao eval`` prints. ``--second GROUPS.tsv`` adds
another reader's blind labels of the same items: how far two readers agree bounds what any
grouping can be asked to reach. ``--half dev|test`` scores only the
pairs of items whose page falls in that half (CRC-32 of the URL, even = dev): rules may be
written from the dev half's pairs; the test half is only ever read as these totals.

Usage: python bench/bench_groups.py --unseen items.tsv --groups groups.tsv [--second groups2.tsv] [--half dev|test]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import zlib
from pathlib import Path

from pipeline.extract.categories import read_gold_items
from pipeline.extract.groups import assign_groups, pairwise_scores

ROOT = Path(__file__).resolve().parents[1]
DISTRACTORS = [ROOT.parent / "shared" / "gold", *sorted((ROOT / "tests" / "data").glob("gold_blind*")),
               ROOT / "tests" / "data" / "gold_heldout"]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def _cross_agency(
    keys: list[str], agency: dict[str, str], gold: dict[str, str | None], predicted: dict[str, str]
) -> tuple[int, int, int]:
    """Pairs of items of two different agencies: (joined by both, by the reader, by the grouping)."""
    both = by_reader = by_grouping = 0
    for first, second in itertools.combinations(keys, 2):
        if agency[first] == agency[second]:
            continue
        reader = gold[first] is not None and gold[first] == gold[second]
        grouping = predicted[first] == predicted[second]
        both += reader and grouping
        by_reader += reader
        by_grouping += grouping
    return both, by_reader, by_grouping


def main() -> None:
    """Print pairwise precision, recall and F1 of the grouping on the unseen items."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unseen", type=Path, required=True)
    parser.add_argument("--groups", type=Path, required=True)
    parser.add_argument("--second", type=Path, help="another reader's groups of the same items")
    parser.add_argument("--half", choices=["dev", "test"], help="score only the pairs of one half of the pages")
    args = parser.parse_args()
    items = {row["id"]: row for row in _rows(args.unseen)}
    gold = {row["id"]: (row["group"].strip() or None) for row in _rows(args.groups)}
    missing = sorted(set(items) - set(gold))
    if missing:
        raise SystemExit(f"{args.groups}: no group row for {', '.join(missing[:5])}")
    unseen = [(key, items[key]["text"]) for key in sorted(items)]
    keys = sorted(items)  # the items scored; all of them are grouped
    if args.half:
        parity = 0 if args.half == "dev" else 1
        keys = [key for key in keys if zlib.crc32(items[key]["url"].encode("utf-8")) % 2 == parity]
    agency = {key: items[key]["agency"] for key in keys}
    distractors = []
    for folder in DISTRACTORS:
        if folder.is_dir():
            distractors.extend((f"~{doc}:{n}", text) for n, (doc, text, _, _) in enumerate(read_gold_items(folder)))
    labelled = sum(1 for key in keys if gold[key] is not None)
    print(f"{len(keys)} unseen items scored, {labelled} in {len({gold[key] for key in keys if gold[key]})} reader groups; "
          f"{len(distractors)} gold items as neighbours")
    print(f"{'grouped':<28} {'precision':>9} {'recall':>7} {'F1':>6}   cross-agency pairs: joined right / reader / grouping")
    runs: list[tuple[str, dict[str, str]]] = []
    if args.second:
        second = {row["id"]: row["group"].strip() for row in _rows(args.second)}
        runs.append(("a second reader", {key: second.get(key) or "\0" + key for key in items}))
    runs += [(label, assign_groups(pool)) for label, pool in
             (("the unseen items alone", unseen), ("with the gold items", unseen + distractors))]
    for label, predicted in runs:
        precision, recall, f1 = pairwise_scores({key: gold[key] for key in keys}, predicted)
        both, by_reader, by_grouping = _cross_agency(keys, agency, gold, predicted)
        print(f"{label:<28} {precision:>9.3f} {recall:>7.3f} {f1:>6.3f}   {both} / {by_reader} / {by_grouping}")


if __name__ == "__main__":
    main()
