"""Search latency of the coordination office's page on a store of 1,000,000 difficulty items.

Usage: python bench/bench_search.py [--source DB] [--items N] [--repeat R] [--keep DIR]

With ``--keep DIR`` the store is built in DIR and kept; a later run with the same ``--keep DIR``
reuses the store found there (no ``--source`` needed, nothing is rebuilt).

Builds, in a temporary folder, a store whose ``difficulties`` table holds N items (default
1,000,000) made by replicating the real items of SOURCE (default ``extracted/reports.sqlite``;
when it is absent, ``corpus/`` is extracted first) with variations: each copy drops about one
word in ten and puts in words drawn from the real items' vocabulary, and belongs to a synthetic
document (100 items per document) with a year from 2015 to 2026, one of the real provinces,
issuers and document types. Then it builds the FTS index with
``pipeline.search_index.build_search_index`` and times ``pipeline.query.search_difficulties``
(total, counts by category and year, first page of 20) for a few queries, R times each
(after one warm-up run), and prints median and p95 in milliseconds, for the two ways it runs in
the same process, alternating run by run so that both see the same machine load: all in SQL
(``sql``: no ``arrays``) and with the store's facets in memory (``memory``: ``arrays`` from
``pipeline.search_index.load_search_arrays``, as the web page runs it). It also checks that both
give the same page (total, counts, hits and scores). Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from contextlib import closing
from pathlib import Path

from pipeline.query import connect_read_only, search_difficulties
from pipeline.search_index import build_search_index, load_search_arrays
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
# timed once more with a new read-only connection for every run, as the web page opens one per request
FRESH_CONNECTION = ("q=can bo, a new connection every run (as the web page)", {"q": "can bo"})


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


def _p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def time_queries(db: Path, repeat: int) -> tuple[float, list[dict[str, object]]]:
    """(seconds to load the arrays, one row per query of QUERIES: label, total, whether both ways
    give the same page, and median / p95 ms of the SQL and of the in-memory way)."""
    connection = connect_read_only(db)
    results: list[dict[str, object]] = []
    try:
        started = time.perf_counter()
        arrays = load_search_arrays(connection)
        load_seconds = time.perf_counter() - started
        ways = {"sql": {}, "memory": {"arrays": arrays}}
        for label, params in [*QUERIES, FRESH_CONNECTION]:
            fresh = (label, params) == FRESH_CONNECTION
            pages = {way: search_difficulties(connection, **params, **extra)  # type: ignore[arg-type]  # warm-up
                     for way, extra in ways.items()}
            timings: dict[str, list[float]] = {way: [] for way in ways}
            for _ in range(repeat):
                for way, extra in ways.items():
                    started = time.perf_counter()
                    if fresh:
                        with closing(connect_read_only(db)) as new:
                            search_difficulties(new, **params, **extra)  # type: ignore[arg-type]
                    else:
                        search_difficulties(connection, **params, **extra)  # type: ignore[arg-type]
                    timings[way].append((time.perf_counter() - started) * 1000)
            sql, memory = pages["sql"], pages["memory"]
            same = (sql.total, sql.by_category, sql.by_year, sql.items) == (
                memory.total, memory.by_category, memory.by_year, memory.items)
            row: dict[str, object] = {"label": label, "total": sql.total, "same": same}
            for way, values in timings.items():
                row[f"{way}_median"] = statistics.median(values)
                row[f"{way}_p95"] = _p95(values)
            results.append(row)
    finally:
        connection.close()
    return load_seconds, results


def main() -> None:
    """Build the synthetic store, time the queries, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=None, help="store whose items are replicated")
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", type=Path, default=None, help="build the store in this folder and keep it")
    args = parser.parse_args()
    target = args.keep or Path(tempfile.mkdtemp(prefix="bench_search_"))
    target.mkdir(parents=True, exist_ok=True)
    try:
        db = target / DATABASE_NAME
        if not db.is_file():
            db = build_store(_source_database(args.source), target, args.items)
        load_before = os.getloadavg()
        load_seconds, results = time_queries(db, args.repeat)
        load_after = os.getloadavg()
    finally:
        if args.keep is None:
            shutil.rmtree(target, ignore_errors=True)
    print(f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}; {args.repeat} runs per query and way, alternating; load average "
          f"{load_before[0]:.2f} before, {load_after[0]:.2f} after; arrays loaded in {load_seconds:.2f} s\n")
    print("| query | matching items | same page | sql median ms | sql p95 ms | memory median ms | memory p95 ms "
          "| p95 sql / memory |")
    print("|---|---:|:---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['label']} | {r['total']:,} | {'yes' if r['same'] else '**no**'} | {r['sql_median']:.1f} | "
              f"{r['sql_p95']:.1f} | {r['memory_median']:.1f} | {r['memory_p95']:.1f} | "
              f"{r['sql_p95'] / r['memory_p95']:.1f}× |")  # type: ignore[operator]
    print(json.dumps({"load_average": [load_before[0], load_after[0]], "arrays_seconds": round(load_seconds, 2),
                      "queries": [{k: round(v, 1) if isinstance(v, float) else v for k, v in r.items()} for r in results]},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
