"""The number finders on public Vietnamese text-normalisation test cases (issue 16: ≥ 95%).

Usage: python bench/bench_public_forms.py --cases CASES.tsv

``CASES.tsv`` (kept outside the repository: third-party data) has a header and the columns
``source, kind, text, expected, currency[, ref]``: ``kind`` is ``money``, ``percent`` or
``date``; ``expected`` is the amount in the currency's base unit (``currency`` an ISO code), the
percentage as a number, or an ISO date. The cases are the report-style forms of other projects'
test suites, chosen by a rule written down with them (see that file's README), with the expected
value read from each source's own normalised reading.

Each case's text goes through ``normalize_text`` (as every document does) and then the finder of
its kind. A case is right when that finder reports exactly one fact and it has the expected value:
money its value and currency, a percentage its value, a date one day (``date == end_date``) equal
to the expected ISO date. Prints cases, right and share per kind and per source, then every miss
with what was found.
"""

from __future__ import annotations

import argparse
import csv
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.extract.dates import find_dates
from pipeline.extract.money import find_money
from pipeline.extract.percent import find_percentages
from pipeline.normalize import normalize_text


@dataclass(frozen=True)
class Case:
    """One public case: where it comes from, its kind, the text and the value it should give."""

    source: str
    kind: str
    text: str
    expected: str
    currency: str


def read_cases(path: Path) -> list[Case]:
    """The cases of a ``source, kind, text, expected, currency[, ref]`` TSV file with a header."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [Case(r["source"], r["kind"], r["text"], r["expected"], r.get("currency") or "") for r in rows]


def _same_number(found: float, expected: str) -> bool:
    return math.isclose(found, float(expected), rel_tol=1e-9, abs_tol=1e-9)


def _money(case: Case) -> tuple[list[str], bool]:
    found = list(find_money(normalize_text(case.text)))
    shown = [f"{m.value:g} {m.currency} ({m.text!r})" for m in found]
    right = len(found) == 1 and _same_number(found[0].value, case.expected) and found[0].currency == case.currency
    return shown, right


def _percent(case: Case) -> tuple[list[str], bool]:
    found = list(find_percentages(normalize_text(case.text)))
    shown = [f"{m.value:g} ({m.text!r})" for m in found]
    right = len(found) == 1 and _same_number(found[0].value, case.expected)
    return shown, right


def _date(case: Case) -> tuple[list[str], bool]:
    found = list(find_dates(normalize_text(case.text)))
    shown = [f"{m.date}..{m.end_date} {m.granularity} ({m.text!r})" for m in found]
    right = len(found) == 1 and found[0].date == found[0].end_date == case.expected
    return shown, right


FINDERS: dict[str, Callable[[Case], tuple[list[str], bool]]] = {
    "money": _money,
    "percent": _percent,
    "date": _date,
}


def _share(right: int, total: int) -> str:
    return f"{right / total:6.1%}" if total else "     -"


def main() -> None:
    """Score every case and print the tables and the misses."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=Path, required=True)
    args = parser.parse_args()
    cases = read_cases(args.cases)
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_source: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for case in cases:
        shown, right = FINDERS[case.kind](case)
        for tally in (by_kind[case.kind], by_kind["all"], by_source[(case.source, case.kind)]):
            tally[0] += 1
            tally[1] += right
        if not right:
            expected = f"{case.expected} {case.currency}".strip()
            misses.append((case, expected, shown))

    print(f"{len(cases)} cases from {args.cases}")
    print(f"\n{'kind':<10}{'cases':>7}{'right':>7}{'share':>8}")
    for kind in ("money", "percent", "date", "all"):
        total, right = by_kind.get(kind, [0, 0])
        print(f"{kind:<10}{total:>7}{right:>7}{_share(right, total):>8}")
    print(f"\n{'source':<42}{'kind':<9}{'cases':>6}{'right':>7}{'share':>8}")
    for (source, kind), (total, right) in sorted(by_source.items()):
        print(f"{source:<42}{kind:<9}{total:>6}{right:>7}{_share(right, total):>8}")
    print(f"\nmisses ({len(misses)}):")
    for case, expected, shown in misses:
        print(f"  [{case.kind}] {case.text!r}: expected {expected}; found {shown or 'nothing'}")


if __name__ == "__main__":
    main()
