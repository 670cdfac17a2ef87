"""Search latency of the coordination office's page on a store of 1,000,000 difficulty items.

Usage: python bench/bench_search.py [--source DB] [--items N] [--repeat R] [--keep DIR]

Builds, in a temporary folder, a store whose ``difficulties`` table holds N items (default
1,000,000) made by replicating the real items of SOURCE (default ``extracted/reports.sqlite``;
when it is absent, ``corpus/`` is extracted first) with variations: each copy drops about one
word in ten and puts in words drawn from the real items' vocabulary, and belongs to a synthetic
document (100 items per document) with a year from 2015 to 2026, one of the real provinces,
issuers and document types. Then it builds the FTS index with
``pipeline.search_index.build_search_index`` and times ``pipeline.query.search_difficulties``
(total, counts by category and year, first page of 20) for a few queries, R times each
(after one warm-up run), and prints median and p95 in milliseconds. Not a test: nothing is
asserted.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from pipeline.query import connect_read_only, search_difficulties
from pipeline.search_index import build_search_index
from pipeline.store import DATABASE_NAME, connect

REPO = Path(__file__).resolve().parents[1]
ITEMS_PER_DOCUMENT = 100

QUERIES: list[tuple[str, dict[str, object]]] = [
    ("q=dat dai", {"q": "dat dai"}),
    ("q=tin dung", {"q": "tin dung"}),
    ("q=can bo", {"q": "can bo"}),
    ("q=hanh chinh", {"q": "hanh chinh"}),
    ("q=co che, chinh sach + year=2020", {"q": "co che, chinh sach", "year": 2020}),
    ("q=can bo + province=lam dong + kind=recommendation", {"q": "can bo", "province": "lam dong", "kind": "recommendation"}),
    ("q=can bo, page 50", {"q": "can bo", "page": 50}),
    ("q=chuyen doi* (prefix)", {"q": "chuyen doi*"}),
    ("no q, year=2020 + category=đất đai", {"year": 2020, "category": "đất đai"}),
]


def _source_database(source: Path | None) -> Path:
    if source is not None:
        return source
    default = REPO / "extracted" / DATABASE_NAME
    if default.is_file():
        return default
    from pipeline.batch import extract

    out = Path(tempfile.mkdtemp(prefix="bench_search_source_"))
    extract([REPO / "corpus"], out)
    return out / DATABASE_NAME


def _vary(words: list[str], vocabulary: list[str], rng: random.Random) -> str:
    varied = []
    for word in words:
        roll = rng.random()
        if roll < 0.10:
            continue
        if roll < 0.15:
            varied.append(rng.choice(vocabulary))
        varied.append(word)
    return " ".join(varied or words)


def build_store(source: Path, target_dir: Path, items: int, seed: int = 7) -> Path:
    """A store of ``items`` varied copies of SOURCE's difficulty items, with its FTS index."""
    rng = random.Random(seed)
    with sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True) as real:
        base = real.execute('SELECT kind, text, section, categories, group_id, "end" - start FROM "difficulties"').fetchall()
        documents = real.execute(
            'SELECT doc_type, issuer, place, province FROM "documents" WHERE doc_id IN (SELECT doc_id FROM "difficulties")'
        ).fetchall()
    if not base:
        raise SystemExit(f"{source} has no difficulty items to replicate")
    vocabulary = sorted({w for _, text, *_ in base for w in text.split()})
    split = [text.split() for _, text, *_ in base]
    db = target_dir / DATABASE_NAME
    connection = connect(db)
    n_docs = -(-items // ITEMS_PER_DOCUMENT)
    with connection:
        doc_rows = []
        for n in range(n_docs):
            doc_type, issuer, place, province = rng.choice(documents)
            year = rng.randint(2015, 2026)
            doc_rows.append((
                f"{n:016x}", f"synthetic/{n}.txt", "txt", None, 0, "ok", doc_type, f"{n}/BC-UBND", issuer, place,
                f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", year, f"Báo cáo tổng hợp số {n}", None,
                province, "", "bench", 0, "utf-8",
            ))
        names = ("doc_id, source_path, file_format, pages, ocr_pages, status, doc_type, doc_number, issuer, place, "
                 "issued_date, year, title, signer, province, text, pipeline_version, file_size, encoding")
        connection.executemany(f'INSERT INTO "documents" ({names}) VALUES ({", ".join("?" * 19)})', doc_rows)

        def item_rows():  # type: ignore[no-untyped-def]
            for i in range(items):
                b = rng.randrange(len(base))
                kind, _, section, categories, group_id, length = base[b]
                start = (i % ITEMS_PER_DOCUMENT) * 1000
                yield (f"{i // ITEMS_PER_DOCUMENT:016x}", kind, _vary(split[b], vocabulary, rng), section, categories,
                       group_id, start, start + length, None)

        connection.executemany('INSERT INTO "difficulties" (doc_id, kind, text, section, categories, group_id, start, "end", page) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", item_rows())
    started = time.perf_counter()
    build_search_index(connection)
    index_seconds = time.perf_counter() - started
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    print(f"built {items:,} items in {n_docs:,} documents; build_search_index: {index_seconds:.1f} s; "
          f"database {db.stat().st_size / 1e6:.0f} MB")
    return db


def time_queries(db: Path, repeat: int) -> list[tuple[str, int, float, float]]:
    """(label, total, median ms, p95 ms) for every query of QUERIES."""
    connection = connect_read_only(db)
    results = []
    try:
        for label, params in QUERIES:
            page = search_difficulties(connection, **params)  # type: ignore[arg-type]  # warm-up
            timings = []
            for _ in range(repeat):
                started = time.perf_counter()
                search_difficulties(connection, **params)  # type: ignore[arg-type]
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))]
            results.append((label, page.total, statistics.median(timings), p95))
    finally:
        connection.close()
    return results


def main() -> None:
    """Build the synthetic store, time the queries, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=None, help="store whose items are replicated")
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", type=Path, default=None, help="build the store in this folder and keep it")
    args = parser.parse_args()
    source = _source_database(args.source)
    target = args.keep or Path(tempfile.mkdtemp(prefix="bench_search_"))
    target.mkdir(parents=True, exist_ok=True)
    try:
        db = target / DATABASE_NAME
        if not db.is_file():
            db = build_store(source, target, args.items)
        results = time_queries(db, args.repeat)
    finally:
        if args.keep is None:
            shutil.rmtree(target, ignore_errors=True)
    print(f"\n{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}; {args.repeat} runs per query\n")
    print("| query | matching items | median ms | p95 ms |")
    print("|---|---:|---:|---:|")
    for label, total, median, p95 in results:
        print(f"| {label} | {total:,} | {median:.1f} | {p95:.1f} |")
    print(json.dumps({label: {"total": total, "median_ms": round(m, 1), "p95_ms": round(p, 1)}
                      for label, total, m, p in results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
