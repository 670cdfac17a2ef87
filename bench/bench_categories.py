"""Primary-category agreement: the shipped classifier against two human readers of the GUIDE.

The first labels are those of the gold files (``../shared/gold``, written by the gold's author)
and of the helper-annotated blind and held-out sets (``tests/data/gold_blind*``,
``tests/data/gold_heldout``); the second are ``tests/data/category_second_annotator.tsv``, made
blind by another reader. Where two readers agree far more often than the classifier agrees with
either, the classifier, not the labels, is what falls short. ``--unseen FILE`` adds a set nobody
wrote rules from (a TSV with the columns ``kind``, ``text``, ``categories``, primary first,
``" | "``-separated), scored once per run.

Usage: python bench/bench_categories.py [--unseen /path/items.tsv [--unseen-second /path/labels.tsv]]
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from pathlib import Path

from pipeline.extract.categories import classify, read_gold_items

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SETS = {
    "gold": [ROOT.parent / "shared" / "gold"],
    "blind (helpers)": [DATA / "gold_blind", DATA / "gold_blind2", DATA / "gold_blind3"],
    "held-out (helpers)": [DATA / "gold_heldout"],
}


def _second_labels() -> dict[tuple[str, str], list[str]]:
    labels = {}
    for line in (DATA / "category_second_annotator.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        doc, _, categories, _, text = line.split("\t", 4)
        labels[(doc, text)] = categories.split(" | ")
    return labels


def main() -> None:
    """Print, per set, how often each pair of readers agrees on the primary category."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unseen", type=Path, help="TSV of items nobody wrote rules from")
    parser.add_argument(
        "--unseen-second", type=Path,
        help="another reader's blind labels of the --unseen items (columns id, categories; primary first)",
    )
    args = parser.parse_args()
    second = _second_labels()
    print(f"{'set':<20} {'items':>5} {'2nd reader=1st':>15} {'model=1st':>10} {'model=2nd':>10}")
    seen: set[tuple[str, str]] = set()
    for name, folders in SETS.items():
        counts = defaultdict(int)
        for folder in folders:
            for doc, text, kind, labels in read_gold_items(folder):
                if (doc, text) in seen or (doc, text) not in second:
                    continue
                seen.add((doc, text))
                guess = classify(text, kind)[0]
                other = second[(doc, text)][0]
                counts["items"] += 1
                counts["readers"] += other == labels[0]
                counts["model first"] += guess == labels[0]
                counts["model second"] += guess == other
        n = counts["items"] or 1
        print(
            f"{name:<20} {counts['items']:>5} {counts['readers'] / n:>15.3f} "
            f"{counts['model first'] / n:>10.3f} {counts['model second'] / n:>10.3f}"
        )
    if args.unseen:
        with args.unseen.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
        guesses = [classify(r["text"], r["kind"])[0] for r in rows]
        right = sum(guess == r["categories"].split(" | ")[0] for guess, r in zip(guesses, rows))
        readers = model_second = ""
        if args.unseen_second:
            with args.unseen_second.open(encoding="utf-8") as handle:
                other = {r["id"]: r["categories"].split(" | ")[0] for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)}
            readers = f"{sum(other[r['id']] == r['categories'].split(' | ')[0] for r in rows) / len(rows):.3f}"
            model_second = f"{sum(other[r['id']] == guess for guess, r in zip(guesses, rows)) / len(rows):.3f}"
        print(f"{'unseen: ' + args.unseen.parent.name:<20} {len(rows):>5} {readers:>15} {right / len(rows):>10.3f} {model_second:>10}")


if __name__ == "__main__":
    main()
