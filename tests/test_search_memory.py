"""The difficulty search with the store's facets in memory (``search_difficulties(..., arrays=...)``)
gives what the SQL gives, and what plain SQL counts over the FTS index give, on the store extracted
from the four sample documents (see ``test_web_api.build_search_db``)."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from spacy.language import Language
from test_web_api import build_search_db

from pipeline.filters import FilterValues
from pipeline.query import _search_in_memory, connect_read_only, search_difficulties
from pipeline.search_index import (
    FTS_TABLE,
    SearchArrays,
    build_search_index,
    fts_expression,
    load_search_arrays,
    vocabulary_table,
)
from pipeline.store import connect

QUERIES = ["can bo", "cán bộ", "dat dai", "tin dung", "hanh chinh", "xa hoi", "can", "dat", "chuyen doi*", "kinh*",
           "co che, chinh sach", "don vi su nghiep cong lap", "nghi dinh so*", "can bo quan ly", "ngan sach nha nuoc", "can bo, dat dai", '"von" dau tu*',
           "quy hoach", "zzzz", "a b c"]
FILTERS: list[dict[str, Any]] = [{}, {"year": 2020}, {"kind": "recommendation"}, {"kind": "difficulty", "year": 2018},
                                 {"province": "lam dong"}, {"category": "đất đai"}, {"doc_type": "bao cao"},
                                 {"issuer": "ubnd"}]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, nlp: Language) -> Path:
    return build_search_db(tmp_path_factory, nlp)


@pytest.fixture(scope="module")
def connection(db: Path) -> sqlite3.Connection:
    return connect_read_only(db)


@pytest.fixture(scope="module")
def arrays(connection: sqlite3.Connection) -> SearchArrays:
    return load_search_arrays(connection)


# each filter as plain SQL over the wide tables
_PLAIN_FILTERS = {
    "year": "doc.year = ?",
    "kind": "d.kind = ?",
    "province": "instr(baocao_fold(doc.province), ?) > 0",
    "issuer": "instr(baocao_fold(doc.agency), ?) > 0",
    "doc_type": "baocao_fold(doc.doc_kind) = ?",
}


def _plain_sql(connection: sqlite3.Connection, q: str | None, filters: dict[str, Any]) -> tuple[int, Counter, Counter]:
    """(total, by year, by category) counted with plain SQL over the wide tables and the FTS table."""
    clauses, params = ["1"], []
    if q:
        clauses.append(f'd.rowid IN (SELECT rowid FROM "{FTS_TABLE}" WHERE "{FTS_TABLE}" MATCH ?)')
        params.append(fts_expression(q))
    for name, clause in _PLAIN_FILTERS.items():
        if name in filters:
            clauses.append(clause)
            params.append(filters[name])
    by_year: Counter = Counter()
    by_category: Counter = Counter()
    for year, categories in connection.execute(
        'SELECT doc.year, d.categories FROM "difficulties" d JOIN "documents" doc USING (doc_id) '
        f"WHERE {' AND '.join(clauses)}", params,
    ):
        names = json.loads(categories or "[]")
        if "category" in filters and filters["category"] not in names:
            continue
        by_year[year] += 1
        by_category.update(names)
    return sum(by_year.values()), by_year, by_category


def test_arrays_hold_every_item(connection: sqlite3.Connection, arrays: SearchArrays) -> None:
    assert arrays.rows == connection.execute('SELECT COUNT(*) FROM "difficulties"').fetchone()[0] >= 10
    assert list(arrays.ids) == [r for (r,) in connection.execute('SELECT rowid FROM "difficulties" ORDER BY rowid')]
    # the sizes bm25 uses: every token of the item in the index, both columns
    tokens = dict(connection.execute(f"SELECT doc, COUNT(*) FROM {vocabulary_table(connection, 'instance')} GROUP BY doc").fetchall())
    assert list(arrays.length) == [tokens.get(int(rowid), 0) for rowid in arrays.ids]
    years = dict(connection.execute('SELECT d.rowid, COALESCE(doc.year, 0) FROM "difficulties" d JOIN "documents" doc USING (doc_id)'))
    assert list(arrays.year) == [years[int(rowid)] for rowid in arrays.ids]


@pytest.mark.parametrize("q", [None, *QUERIES])
def test_memory_gives_the_sql_page_and_plain_counts(connection: sqlite3.Connection, arrays: SearchArrays, q: str | None) -> None:
    for filters in FILTERS:
        values = {**filters, **({"q": q} if q else {})}
        total, by_year, by_category = _plain_sql(connection, q, filters)
        for page, size in ((1, 20), (1, 3), (2, 3), (4, 2)):
            sql = search_difficulties(connection, page=page, size=size, **values)
            memory = _search_in_memory(connection, arrays, FilterValues("difficulties", values), page, min(size, 100))
            assert memory is not None, values  # answered in memory, not by falling back to SQL
            assert memory.total == sql.total == total, values
            assert {c.value: c.count for c in memory.by_year} == {(y or None): n for y, n in by_year.items()}
            assert {c.value: c.count for c in memory.by_category} == dict(by_category)
            assert (memory.by_year, memory.by_category) == (sql.by_year, sql.by_category)
            assert memory.items == sql.items, (values, page, size)  # same hits, same order, same bm25 scores


def test_memory_ranks_every_hit_as_fts5_bm25(connection: sqlite3.Connection, arrays: SearchArrays) -> None:
    for q in ("can bo", "dat", "chinh sach, ho tro", "kinh*", "don vi su nghiep", "nghi dinh so*", "can bo quan ly, htx"):
        expected = connection.execute(
            f'SELECT rowid, bm25("{FTS_TABLE}") FROM "{FTS_TABLE}" WHERE "{FTS_TABLE}" MATCH ? ORDER BY 2, 1',
            (fts_expression(q),),
        ).fetchall()
        assert expected, q
        got = [(h.id, h.score) for h in search_difficulties(connection, q=q, size=100, arrays=arrays).items]
        assert got == expected[:100], q


def test_what_the_arrays_do_not_hold_runs_in_sql(connection: sqlite3.Connection, arrays: SearchArrays) -> None:
    # a word FTS5 would tokenise itself (full-width letters) is left to FTS5
    wide = FilterValues("difficulties", {"q": "ｃａｎ ｂｏ"})
    assert _search_in_memory(connection, arrays, wide, 1, 20) is None
    assert search_difficulties(connection, filters=wide, arrays=arrays) == search_difficulties(connection, filters=wide)
    assert search_difficulties(connection, q="!!", arrays=arrays).total == 0


def test_an_empty_store(tmp_path: Path) -> None:
    connection = connect(tmp_path / "empty.sqlite")
    build_search_index(connection)
    connection.close()
    reader = connect_read_only(tmp_path / "empty.sqlite")
    empty = load_search_arrays(reader)
    assert empty.rows == 0
    for values in ({}, {"q": "can bo"}, {"year": 2020, "q": "dat*"}):
        page = search_difficulties(reader, arrays=empty, **values)
        assert (page.total, page.items, page.by_year, page.by_category) == (0, [], [], [])


def test_docsize_records_are_decoded_as_fts5_varints() -> None:
    from pipeline.search_index import _sizes, _varint_sum

    def varint(n: int) -> bytes:
        out = [n & 0x7F]
        while n := n >> 7:
            out.append(0x80 | (n & 0x7F))
        return bytes(reversed(out))

    for records in ([(3, 2), (127, 126), (), (5,)], [(128, 300), (16383, 1)], [(16384, 2), (2_000_000, 7), (1, 1)]):
        blobs = [b"".join(varint(n) for n in r) for r in records]
        assert [_varint_sum(b) for b in blobs] == [sum(r) for r in records]
        data = np.frombuffer(b"".join(blobs), dtype=np.uint8)
        assert _sizes(np.array([len(b) for b in blobs]), data).tolist() == [sum(r) for r in records]
