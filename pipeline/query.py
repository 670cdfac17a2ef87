"""Typed read-only queries over the store, shared by the CLI, the web page and notebooks."""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar


from pipeline import facts
from pipeline import filters as filter_registry
from pipeline.filters import DOCUMENTS, Filter, FilterValues, QueryError
from pipeline.normalize import fold_accents

from pipeline.search_index import (
    FACETS_TABLE,
    FTS_TABLE,
    QueryPhrase,
    SearchArrays,
    category_bits,
    fts_expression,
    integers_of,
    plain_tokens,
    query_phrases,
    require_search_index,
    vocabulary_table,
)
from pipeline.store import DATABASE_NAME, DocumentRow, columns

# numpy is imported by the functions that build or read the search arrays: `baocao query`
# and the other light commands never do (tests/test_cli_imports.py)
if TYPE_CHECKING:
    import numpy as np


MAX_GROUPS = 200


@dataclass(frozen=True)
class RecurringGroup:
    """Items of several reports that say the same thing."""

    group_id: str
    items: int
    documents: int
    years: tuple[int, ...]
    example: str


@dataclass
class DifficultySummary:
    """What the difficulties table holds: documents, items per kind and category, largest groups."""

    documents_with_items: int = 0
    items_by_kind: Counter[str] = field(default_factory=Counter)
    items_by_category: Counter[str] = field(default_factory=Counter)
    largest_groups: list[RecurringGroup] = field(default_factory=list)


def open_read_only(out_dir: Path) -> sqlite3.Connection:
    """A read-only connection to ``out_dir/reports.sqlite``."""
    return sqlite3.connect(f"file:{Path(out_dir) / DATABASE_NAME}?mode=ro", uri=True)


def difficulty_summary(out_dir: Path, top_groups: int = 5) -> DifficultySummary:
    """Counts of difficulty items and the recurring groups reported by the most documents."""
    summary = DifficultySummary()
    connection = open_read_only(out_dir)
    try:
        summary.documents_with_items = connection.execute('SELECT COUNT(DISTINCT doc_id) FROM "difficulties"').fetchone()[0]
        for kind, count in connection.execute('SELECT kind, COUNT(*) FROM "difficulties" GROUP BY kind'):
            summary.items_by_kind[kind] = count
        for (categories,) in connection.execute('SELECT categories FROM "difficulties"'):
            summary.items_by_category.update(json.loads(categories or "[]"))
        rows = connection.execute(
            'SELECT d.group_id, COUNT(*), COUNT(DISTINCT d.doc_id), GROUP_CONCAT(DISTINCT doc.year), MIN(d.text) '
            'FROM "difficulties" d JOIN "documents" doc USING (doc_id) WHERE d.group_id IS NOT NULL '
            "GROUP BY d.group_id HAVING COUNT(*) > 1 ORDER BY COUNT(DISTINCT d.doc_id) DESC, COUNT(*) DESC, d.group_id "
            "LIMIT ?",
            (top_groups,),
        ).fetchall()
    finally:
        connection.close()
    for group_id, items, documents, years, example in rows:
        year_values = tuple(sorted(int(y) for y in str(years).split(",") if y and y != "None")) if years else ()
        summary.largest_groups.append(RecurringGroup(group_id, items, documents, year_values, example))
    return summary


@dataclass(frozen=True)
class ComplaintMember:
    """One item of a shared complaint, with the document that reports it."""

    id: int
    doc_id: str
    issuer: str | None
    province: str | None
    year: int | None
    kind: str
    text: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class SharedComplaint:
    """A group of items that state the same problem or request, across the agencies that report it."""

    group_id: str
    agencies: int
    provinces: tuple[str, ...]
    years: tuple[int, ...]
    documents: int
    members: tuple[ComplaintMember, ...]


def agency_key(issuer: str | None, doc_id: str) -> str:
    """The key that counts agencies: the agency's one name (``documents.agency``, else the issuer as
    printed), case, accents and spacing aside. A document without either counts as an agency of its own.
    """
    return " ".join(fold_accents(issuer).split()) if issuer else f"\0{doc_id}"


def shared_complaints(
    connection: sqlite3.Connection, min_agencies: int = 2, limit: int | None = MAX_GROUPS,
    group_id: str | None = None,
) -> list[SharedComplaint]:
    """Groups of items reported by at least ``min_agencies`` issuers: most agencies first.

    Then more provinces, more documents, and the group id for a stable order. Each group lists
    its members in document order, so that the same complaint can be read side by side. With
    ``group_id``, only that group (if it reaches ``min_agencies``).
    """
    # a group of fewer documents than min_agencies cannot have that many agencies: leave it in SQLite
    rows = connection.execute(
        'SELECT d.rowid, d.group_id, d.doc_id, COALESCE(doc.agency, doc.issuer), doc.province, doc.year, d.kind, d.text, d.categories '
        'FROM "difficulties" d JOIN "documents" doc USING (doc_id) '
        'WHERE d.group_id IN (SELECT group_id FROM "difficulties" WHERE group_id IS NOT NULL '
        "AND (? IS NULL OR group_id = ?) GROUP BY group_id HAVING COUNT(DISTINCT doc_id) >= ?) "
        "ORDER BY d.group_id, doc.source_path, d.start",
        (group_id, group_id, min_agencies),
    ).fetchall()
    members: dict[str, list[ComplaintMember]] = {}
    for rowid, group_id, doc_id, issuer, province, year, kind, text, categories in rows:
        members.setdefault(group_id, []).append(
            ComplaintMember(rowid, doc_id, issuer, province, year, kind, text, tuple(json.loads(categories or "[]")))
        )
    groups = []
    for group_id, items in members.items():
        agencies = len({agency_key(m.issuer, m.doc_id) for m in items})
        if agencies < min_agencies:
            continue
        groups.append(
            SharedComplaint(
                group_id=group_id,
                agencies=agencies,
                provinces=tuple(sorted({m.province for m in items if m.province})),
                years=tuple(sorted({int(m.year) for m in items if m.year is not None})),
                documents=len({m.doc_id for m in items}),
                members=tuple(items),
            )
        )
    groups.sort(key=lambda g: (-g.agencies, -len(g.provinces), -g.documents, g.group_id))
    return groups if limit is None else groups[: max(0, limit)]


def group_agencies(connection: sqlite3.Connection, group_ids: Sequence[str | None]) -> dict[str, int]:
    """How many agencies report each of ``group_ids`` (for a page of hits: one query)."""
    wanted = sorted({g for g in group_ids if g})
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    keys: dict[str, set[str]] = {}
    for group_id, issuer, doc_id in connection.execute(
        f'SELECT d.group_id, COALESCE(doc.agency, doc.issuer), d.doc_id FROM "difficulties" d JOIN "documents" doc USING (doc_id) '
        f"WHERE d.group_id IN ({marks})",
        wanted,
    ):
        keys.setdefault(group_id, set()).add(agency_key(issuer, doc_id))
    return {group_id: len(agencies) for group_id, agencies in keys.items()}


# --------------------------------------------------------------------------------------------
# Search, citations, amounts and document pages: the functions the web page, the `query`
# command and notebooks share. Every value reaches SQLite as a parameter; page sizes are capped.
# --------------------------------------------------------------------------------------------

MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000
EXPORT_LIMIT = 100_000
KINDS = facts.kinds_of("difficulty")


def fact_kinds() -> tuple[str, ...]:
    """The kinds of fact shown on a document page, items first (the order spans nest in at equal offsets)."""
    return tuple(f.kind for f in facts.highlighted() if f.kind)

T = TypeVar("T")


class DifficultyFilters(FilterValues):
    """The filters of a difficulty search (declared in :mod:`pipeline.filters`); unset means "any".

    ``q`` is searched accent-insensitively in the item text (see
    :func:`pipeline.search_index.fts_expression`); ``province`` and ``issuer`` match when the
    accent-folded value contains the accent-folded filter (``lam dong`` matches ``Lâm Đồng``);
    ``doc_type`` matches the folded kind of the document exactly (``documents.doc_kind``: ``bao cao`` =
    ``BÁO CÁO``, ``cong van`` a letter that prints no type); ``kind``,
    ``category`` and ``year`` match exactly.
    """

    __slots__ = ()

    def __init__(self, values: Mapping[str, Any] | None = None, **more: Any) -> None:
        super().__init__("difficulties", values, **more)


@dataclass(frozen=True)
class DifficultyHit:
    """One difficulty / limitation / cause / recommendation item with its document's metadata.

    ``doc_number`` and ``issued_date`` are the document's as printed or, where the header leaves
    them blank for a digital signature to stamp, as stamped (``documents.stamped_number``,
    ``stamped_date``): what a reader of the item needs to find the document.
    """

    id: int
    doc_id: str
    kind: str
    text: str
    section: str | None
    categories: list[str]
    group_id: str | None
    start: int
    end: int
    page: int | None
    title: str | None
    doc_type: str | None
    doc_number: str | None
    issuer: str | None
    issued_date: str | None
    year: int | None
    province: str | None
    source_path: str
    score: float | None = None


@dataclass(frozen=True)
class Mention:
    """One citation of a code inside a citing document."""

    text: str
    sentence: str | None
    start: int
    end: int
    page: int | None
    code: str | None
    doc_kind: str | None
    issued_date: str | None
    issuer: str | None


@dataclass(frozen=True)
class CitingDocument:
    """A document that cites a given code, with each of its mentions."""

    doc_id: str
    title: str | None
    doc_type: str | None
    doc_number: str | None
    issuer: str | None
    issued_date: str | None
    year: int | None
    province: str | None
    source_path: str
    mentions: list[Mention]


@dataclass(frozen=True)
class AmountHit:
    """A money amount with its sentence and its document's metadata."""

    doc_id: str
    text: str
    value: float
    currency: str
    role: str | None
    sentence: str | None
    start: int
    end: int
    page: int | None
    title: str | None
    doc_type: str | None
    issuer: str | None
    issued_date: str | None
    year: int | None
    province: str | None
    source_path: str


@dataclass(frozen=True)
class Count:
    """How many results share one value (a year, a category)."""

    value: str | int | None
    count: int


@dataclass
class Page(Generic[T]):
    """One page of a result: the total over all pages, the items of this page, and counts."""

    total: int
    page: int
    size: int
    items: list[T]
    by_category: list[Count] = field(default_factory=list)
    by_year: list[Count] = field(default_factory=list)

    @property
    def pages(self) -> int:
        """Number of pages of ``size`` items."""
        return max(1, -(-self.total // self.size)) if self.size else 1


@dataclass(frozen=True)
class FactSpan:
    """An extracted fact located in ``documents.text`` (``text[start:end]``)."""

    kind: str
    start: int
    end: int
    text: str
    label: str
    id: str


@dataclass(frozen=True)
class DocumentDetail:
    """A document's metadata, its normalised text and every extracted fact span in it.

    Here and in the hits, ``doc_type`` is what the document is (``documents.doc_kind``: a công văn
    prints no type name but is one).
    """

    doc_id: str
    source_path: str
    file_format: str
    status: str
    doc_type: str | None
    doc_number: str | None
    issuer: str | None
    place: str | None
    issued_date: str | None
    year: int | None
    title: str | None
    signer: str | None
    province: str | None
    text: str
    spans: list[FactSpan]
    difficulties: list[DifficultyHit]

    @property
    def counts(self) -> dict[str, int]:
        """Number of spans of each fact kind."""
        found = Counter(span.kind for span in self.spans)
        return {kind: found.get(kind, 0) for kind in fact_kinds()}


Facets = dict[str, list[Any]]
"""The values the drop-down filters can take, by facet key (``provinces``, ``years`` …)."""


def connect_read_only(db_path: Path | str) -> sqlite3.Connection:
    """A read-only, query-only connection to a store file, ready for the functions of this module.

    Raises ``FileNotFoundError`` when the file does not exist (SQLite would otherwise fail with
    an unhelpful "unable to open database file"), and ``sqlite3.DatabaseError`` naming the missing
    columns for a store an older version wrote (``baocao extract`` brings it up to date).
    """
    path = Path(db_path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such database (run `baocao extract ... --out DIR` first)")
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    connection.execute("PRAGMA query_only = 1")
    present = {row[1] for row in connection.execute('PRAGMA table_info("documents")')}
    missing = [name for name, _, _ in columns(DocumentRow) if name not in present] if present else []
    if missing:
        connection.close()
        # a store of an older version, read before any extract migrated it
        raise sqlite3.DatabaseError(
            f"{path}: written by an older baocao (no column {', '.join(missing)} in documents); "
            "run `baocao extract` on it again to bring it up to date"
        )
    prepare(connection)
    return connection


def prepare(connection: sqlite3.Connection) -> None:
    """Register ``baocao_fold(text)`` (accent folding) on a connection; idempotent."""
    connection.create_function("baocao_fold", 1, _fold_or_none, deterministic=True)


def _fold_or_none(value: object) -> str | None:
    return fold_accents(str(value)) if value is not None else None


def _page_bounds(page: int, size: int) -> tuple[int, int]:
    if not isinstance(page, int) or page < 1 or page > MAX_PAGE:
        raise QueryError(f"page must be an integer from 1 to {MAX_PAGE}, not {page!r}")
    if not isinstance(size, int) or size < 1:
        raise QueryError(f"size must be a positive integer, not {size!r}")
    return page, min(size, MAX_PAGE_SIZE)


def _clause(f: Filter, column: str, value: Any) -> tuple[str, list[object]]:
    """The SQL test of one filter on ``column`` (an aliased, quoted column) and its parameters."""
    if f.match in ("contains", "text"):
        return f"instr(baocao_fold({column}), ?) > 0", [fold_accents(value)]
    if f.match == "folded":
        return f"baocao_fold({column}) = ?", [fold_accents(value)]
    if f.match == "equals":
        return f"{column} = ?", [value]
    if f.match == "has":
        return f"EXISTS (SELECT 1 FROM json_each({column}) j WHERE j.value = ?)", [value]
    if f.match == "at_least":
        return f"{column} >= ?", [float(value)]
    if f.match == "at_most":
        return f"{column} <= ?", [float(value)]
    raise ValueError(f"filter {f.name}: unknown match {f.match!r}")


def _column(alias: str, column: str) -> str:
    return f'{alias}."{column}"'


def _filter_values(search: str, filters: Mapping[str, Any] | None, values: Mapping[str, Any]) -> FilterValues:
    """``filters`` and keyword ``values`` of a search as one cleaned :class:`FilterValues`."""
    if isinstance(filters, FilterValues) and not values:
        if filters.search != search:
            raise QueryError(f"filters of the {filters.search} search given to the {search} search")
        return filters
    return FilterValues(search, {**(filters or {}), **values})


_HIT_COLUMNS = (
    'd.rowid, d.doc_id, d.kind, d.text, d.section, d.categories, d.group_id, d.start, d."end", d.page, '
    "doc.title, doc.doc_kind, COALESCE(doc.doc_number, doc.stamped_number), doc.issuer, "
    "COALESCE(doc.issued_date, doc.stamped_date), doc.year, doc.province, doc.source_path"
)


def _hit(row: Sequence[object], score: float | None = None) -> DifficultyHit:
    categories = json.loads(row[5]) if row[5] else []  # type: ignore[arg-type]
    return DifficultyHit(
        id=row[0], doc_id=row[1], kind=row[2], text=row[3], section=row[4],  # type: ignore[arg-type]
        categories=list(categories), group_id=row[6], start=row[7], end=row[8], page=row[9],  # type: ignore[arg-type]
        title=row[10], doc_type=row[11], doc_number=row[12], issuer=row[13], issued_date=row[14],  # type: ignore[arg-type]
        year=row[15], province=row[16], source_path=row[17], score=score,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class _DifficultySQL:
    source: str
    where: str
    params: list[object]
    order: str
    outer_order: str
    score: str
    empty: bool = False


_YEAR_SHIFT = 40  # counts are grouped by one integer key: year << 40 | category bit mask


# columns that the narrow facets table mirrors (filters on them need not read the wide tables)
_FACET_COLUMNS = {(DOCUMENTS, "year"): "x.year", ("difficulties", "kind"): "x.kind", ("difficulties", "doc_id"): "x.doc_id"}


def _difficulty_sql(connection: sqlite3.Connection, filters: FilterValues) -> _DifficultySQL:
    """SQL over the narrow ``difficulties_facets`` table (and the FTS table when ``q`` is given)."""
    prepare(connection)
    require_search_index(connection)
    clauses: list[str] = []
    params: list[object] = []
    empty = False
    # the first text filter on the item text goes through the FTS index (and ranks); others are plain tests
    text_filter, q = next(((f, v) for f, v in filters.items_with_filters()
                           if f.match == "text" and f.table == "difficulties" and f.column == "text"), (None, None))
    if q:
        expression = fts_expression(q)
        empty = expression is None
        source = f'"{FTS_TABLE}" f JOIN "{FACETS_TABLE}" x ON x.id = f.rowid'
        clauses.append(f'"{FTS_TABLE}" MATCH ?')
        params.append(expression or '""')
        score, order, outer_order = f'bm25("{FTS_TABLE}")', "score, x.id", "r.score, r.id"
    else:
        source = f'"{FACETS_TABLE}" x'
        score, order, outer_order = "NULL", "x.year DESC, x.id", "r.year DESC, r.id"
    doc_clauses: list[str] = []
    doc_params: list[object] = []
    item_clauses: list[str] = []
    item_params: list[object] = []
    for f, value in filters.items_with_filters():
        if f is text_filter:
            continue
        if f.table == "difficulties" and f.column == "categories" and f.match == "has":
            bit = category_bits(connection).get(value)
            if bit is None:
                empty = True  # a category no item has
            else:
                clauses.append("(x.cats & ?) != 0")
                params.append(bit)
        elif (f.table, f.column) in _FACET_COLUMNS:
            clause, values = _clause(f, _FACET_COLUMNS[f.table, f.column], value)
            clauses.append(clause)
            params.extend(values)
        elif f.table == DOCUMENTS:
            clause, values = _clause(f, _column("doc", f.column), value)
            doc_clauses.append(clause)
            doc_params.extend(values)
        else:
            clause, values = _clause(f, _column("d", f.column), value)
            item_clauses.append(clause)
            item_params.extend(values)
    if item_clauses:
        clauses.append(f"x.id IN (SELECT d.rowid FROM \"difficulties\" d WHERE {' AND '.join(item_clauses)})")
        params.extend(item_params)
    if doc_clauses:
        # document filters are evaluated once over the (small) documents table, not per item
        clauses.append(f"x.doc_id IN (SELECT doc.doc_id FROM \"documents\" doc WHERE {' AND '.join(doc_clauses)})")
        params.extend(doc_params)
    where = " AND ".join(clauses) if clauses else "1"
    return _DifficultySQL(source, where, params, order, outer_order, score, empty)


CountsCache = MutableMapping[FilterValues, tuple[int, list[Count], list[Count]]]


def _difficulty_counts(
    connection: sqlite3.Connection, sql: _DifficultySQL
) -> tuple[int, list[Count], list[Count]]:
    """(total, counts by category, counts by year) of every item the query matches."""
    names = {bit: name for name, bit in category_bits(connection).items()}
    by_year: Counter[int | None] = Counter()
    by_category: Counter[str] = Counter()
    low = (1 << _YEAR_SHIFT) - 1
    for key, count in connection.execute(
        f"SELECT (COALESCE(x.year, 0) << {_YEAR_SHIFT}) | x.cats, COUNT(*) FROM {sql.source} WHERE {sql.where} GROUP BY 1",
        sql.params,
    ):
        year = key >> _YEAR_SHIFT
        by_year[year or None] += count
        cats = key & low
        for bit, name in names.items():
            if cats & bit:
                by_category[name] += count
    return (
        sum(by_year.values()),
        [Count(name, n) for name, n in sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0]))],
        [Count(y, n) for y, n in sorted(by_year.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))],
    )


def search_difficulties(
    connection: sqlite3.Connection,
    *,
    filters: Mapping[str, Any] | None = None,
    page: int = 1,
    size: int = 20,
    counts_cache: CountsCache | None = None,
    arrays: SearchArrays | None = None,
    **values: Any,
) -> Page[DifficultyHit]:
    """Difficulty items matching the filters, ranked by bm25 when ``q`` is given (else newest first).

    The filters are those of the ``difficulties`` search in :mod:`pipeline.filters` (``q``,
    ``province``, ``issuer``, ``year``, ``doc_type``, ``kind``, ``category`` …), given as keyword
    arguments or as ``filters`` (a mapping or :class:`~pipeline.filters.FilterValues`).
    Returns one page (``size`` capped at :data:`MAX_PAGE_SIZE`) with the total number of
    matching items and their counts by category and by year (over all pages). A ``q`` with
    no searchable word (only punctuation) matches nothing. ``counts_cache`` (any mapping, e.g.
    a bounded dict kept by a server over a read-only database) keeps the counts per filter set
    so that paging does not recount. ``arrays`` (:func:`pipeline.search_index.load_search_arrays`
    of this store, kept by a server while the store does not change) lets the filters of the
    facets table, the counts and the bm25 ranking run in memory over the hits' rowids (same
    totals, counts, order and scores as the SQL; ``counts_cache`` is then not needed and not
    used); without it, or for a filter the arrays do not hold or a query word FTS5 would
    tokenise differently (not plain ASCII once folded), everything runs in SQL. Raises :class:`QueryError` on a malformed or unknown filter and
    :class:`~pipeline.search_index.SearchIndexMissing` when the database has no search index.
    """
    filters = _filter_values("difficulties", filters, values)
    page, size = _page_bounds(page, size)
    sql = _difficulty_sql(connection, filters)
    if sql.empty:
        return Page(total=0, page=page, size=size, items=[])
    if arrays is not None:
        found = _search_in_memory(connection, arrays, filters, page, size)
        if found is not None:
            return found
    counts = counts_cache.get(filters) if counts_cache is not None else None
    if counts is None:
        counts = _difficulty_counts(connection, sql)
        if counts_cache is not None:
            counts_cache[filters] = counts
    total, by_category, by_year = counts
    items = []
    if total > (page - 1) * size:
        items = [_hit(row, row[18]) for row in connection.execute(
            f"SELECT {_HIT_COLUMNS}, r.score FROM (SELECT x.id, x.year, {sql.score} AS score FROM {sql.source} "
            f"WHERE {sql.where} ORDER BY {sql.order} LIMIT ? OFFSET ?) r "
            'JOIN "difficulties" d ON d.rowid = r.id JOIN "documents" doc ON doc.doc_id = d.doc_id '
            f"ORDER BY {sql.outer_order}",
            [*sql.params, size, (page - 1) * size],
        )]
    return Page(total=total, page=page, size=size, items=items, by_category=by_category, by_year=by_year)


# --------------------------------------------------------------------------------------------
# The same search over SearchArrays: the posting lists of the query's terms are read from the
# index (an fts5vocab instance table), the hits' facets and sizes from memory; counting and
# ranking are numpy operations over the hits instead of one SQL lookup per hit.
# --------------------------------------------------------------------------------------------

_BM25_K1 = 1.2  # FTS5's bm25 constants (fts5_aux.c)
_BM25_B = 0.75


def _phrase_hits(connection: sqlite3.Connection, phrase: QueryPhrase) -> tuple[np.ndarray, np.ndarray]:
    """(rowids ascending, occurrences in each) of one FTS5 phrase, in its column only.

    A phrase of several tokens occurs where its tokens follow each other (offsets o, o+1 …);
    a prefix phrase's last token is every term that starts with it. The test on the column is
    left out when the terms occur in no other column (it costs half the time of a broad term).
    """
    import numpy as np
    instances, columns = vocabulary_table(connection, "instance"), vocabulary_table(connection, "col")
    starts: np.ndarray | None = None
    last = len(phrase.tokens) - 1
    for j, token in enumerate(phrase.tokens):
        if phrase.prefix and j == last:
            test, args = "term >= ? AND term < ?", [token, token[:-1] + chr(ord(token[-1]) + 1)]
        else:
            test, args = "term = ?", [token]
        elsewhere = connection.execute(f"SELECT 1 FROM {columns} WHERE {test} AND col != ? LIMIT 1", [*args, phrase.column])
        if elsewhere.fetchone() is not None:
            test, args = f"{test} AND col = ?", [*args, phrase.column]
        if last == 0:  # one token: how often it occurs in each item is all bm25 needs
            (docs,) = connection.execute(f"SELECT group_concat(doc) FROM {instances} WHERE {test}", args).fetchone()
            rowids, counts = np.unique(integers_of(docs), return_counts=True)
            return rowids, counts
        docs, offsets = connection.execute(
            f"SELECT group_concat(doc), group_concat(offset) FROM {instances} WHERE {test}", args).fetchone()
        keys = ((integers_of(docs) << 32) | integers_of(offsets)) - j
        starts = np.unique(keys) if starts is None else np.intersect1d(starts, keys)
    if starts is None:  # (a phrase always has a token)
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.unique(starts >> 32, return_counts=True)


def _text_query(filters: FilterValues) -> tuple[Filter | None, str | None]:
    """The filter searched through the FTS index and its value (as in :func:`_difficulty_sql`)."""
    return next(((f, v) for f, v in filters.items_with_filters()
                 if f.match == "text" and f.table == "difficulties" and f.column == "text"), (None, None))


def _document_column(connection: sqlite3.Connection, arrays: SearchArrays, column: str) -> tuple[np.ndarray, list[Any]]:
    """(index into the distinct values of each document in ``arrays.doc_ids``, the distinct values)
    of a ``documents`` column, read once per arrays. The codes have one more, last, element -1,
    which ``arrays.doc`` = -1 (an item without a documents row) picks."""
    import numpy as np
    found = arrays.document_columns.get(column)
    if found is None:
        values: dict[Any, int] = {}
        codes = np.full(len(arrays.doc_ids) + 1, -1, dtype=np.int32)
        for doc_id, value in connection.execute(f'SELECT doc_id, "{column}" FROM "documents"'):
            index = arrays.doc_index.get(doc_id)
            if index is not None:
                codes[index] = values.setdefault(value, len(values))
        codes.flags.writeable = False
        found = arrays.document_columns[column] = (codes, list(values))
    return found


def _memory_mask(
    connection: sqlite3.Connection, arrays: SearchArrays, filters: FilterValues, text_filter: Filter | None,
) -> Callable[[np.ndarray | None], np.ndarray] | None:
    """A function of positions (None = all items) giving which pass the filters other than ``q``,
    or None when a filter is not held by the arrays (then the search runs in SQL).

    A filter on a documents column is the SQL test of :func:`_clause` run once on each distinct
    value of the column (a few dozen provinces, not 10,000 documents), then looked up per item.
    """
    import numpy as np
    tests: list[Callable[[np.ndarray | slice], np.ndarray]] = []
    doc_filters: list[tuple[Filter, Any]] = []
    for f, value in filters.items_with_filters():
        if f is text_filter:
            continue
        if f.table == "difficulties" and f.column == "categories" and f.match == "has":
            bit = arrays.category_bits.get(value, 0)  # (a category no item has: _difficulty_sql said so first)
            tests.append(lambda at, bit=bit: (arrays.cats[at] & bit) != 0)
        elif (f.table, f.column, f.match) == (DOCUMENTS, "year", "equals"):
            tests.append(lambda at, year=int(value): arrays.year[at] == year)
        elif (f.table, f.column, f.match) == ("difficulties", "kind", "equals"):
            code = arrays.kinds.index(value) if value in arrays.kinds else -1
            tests.append(lambda at, code=code: arrays.kind[at] == code)
        elif f.table == DOCUMENTS:
            doc_filters.append((f, value))
        else:
            return None
    for f, value in doc_filters:
        codes, values = _document_column(connection, arrays, f.column)
        try:
            listed = json.dumps(values)
        except (TypeError, ValueError):  # a value JSON cannot carry: leave the filter to SQL
            return None
        clause, found = _clause(f, "j.value", value)
        passing = np.zeros(len(values) + 1, dtype=bool)  # the extra last one: no documents row (code -1)
        for (n,) in connection.execute(f"SELECT j.key FROM json_each(?) j WHERE {clause}", [listed, *found]):
            passing[n] = True
        tests.append(lambda at, passing=passing, codes=codes: passing[codes[arrays.doc[at]]])

    def mask(positions: np.ndarray | None) -> np.ndarray:
        at: np.ndarray | slice = slice(None) if positions is None else positions
        keep = np.ones(arrays.rows if positions is None else positions.size, dtype=bool)
        for test in tests:
            keep &= test(at)
        return keep

    return mask


def _bm25(
    connection: sqlite3.Connection, arrays: SearchArrays, phrases: list[QueryPhrase],
) -> tuple[np.ndarray, np.ndarray]:
    """(positions in ``arrays``, bm25 scores) of the items matching every phrase (FTS5's AND).

    The score is FTS5's ``bm25()`` with its constants and column weights 1, computed the same
    way: IDF from the rows of each phrase over the whole index, the item's size over all
    columns, the table's mean size.
    """
    import numpy as np
    hits = [_phrase_hits(connection, phrase) for phrase in phrases]
    matched = hits[0][0]
    for rowids, _ in hits[1:]:
        matched = np.intersect1d(matched, rowids, assume_unique=True)
    positions = np.searchsorted(arrays.ids, matched)
    inside = positions < arrays.rows
    inside[inside] = arrays.ids[positions[inside]] == matched[inside]
    matched, positions = matched[inside], positions[inside]
    rows, avgdl = arrays.rows, arrays.average_length
    size = arrays.length[positions]
    score = np.zeros(matched.size, dtype=np.float64)
    for rowids, counts in hits:
        idf = math.log((rows - rowids.size + 0.5) / (rowids.size + 0.5))
        if idf <= 0.0:
            idf = 1e-6
        freq = counts[np.searchsorted(rowids, matched)].astype(np.float64)
        score += idf * ((freq * (_BM25_K1 + 1.0)) / (freq + _BM25_K1 * (1 - _BM25_B + _BM25_B * size / avgdl)))
    return positions, -1.0 * score


def _memory_counts(arrays: SearchArrays, positions: np.ndarray) -> tuple[int, list[Count], list[Count]]:
    """(total, counts by category, counts by year) of the items at ``positions``."""
    import numpy as np
    year_counts = np.bincount(arrays.year_code[positions], minlength=arrays.years.size)
    by_year = [Count(int(y) or None, int(n)) for y, n in zip(arrays.years, year_counts) if n]
    by_year.sort(key=lambda c: (c.value is None, c.value or 0))
    mask_counts = np.bincount(arrays.mask_code[positions], minlength=arrays.masks.size)
    by_category: Counter[str] = Counter()
    for name, bit in arrays.category_bits.items():
        n = int(mask_counts[(arrays.masks & bit) != 0].sum())
        if n:
            by_category[name] = n
    return (
        int(positions.size),
        [Count(name, n) for name, n in sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0]))],
        by_year,
    )


def _search_in_memory(
    connection: sqlite3.Connection, arrays: SearchArrays, filters: FilterValues, page: int, size: int,
) -> Page[DifficultyHit] | None:
    """:func:`search_difficulties` over ``arrays``, or None when the arrays cannot answer it
    (a filter they do not hold, a query word FTS5 would tokenise differently)."""
    import numpy as np
    text_filter, q = _text_query(filters)
    mask = _memory_mask(connection, arrays, filters, text_filter)
    if mask is None:
        return None
    first, last = (page - 1) * size, page * size
    scores: np.ndarray | None = None
    if q:
        phrases = query_phrases(q)
        if not phrases or not plain_tokens(phrases):
            return None
        positions, scores = _bm25(connection, arrays, phrases)
        keep = mask(positions)
        positions, scores = positions[keep], scores[keep]
        chosen = np.zeros(0, dtype=np.int64)
        if first < positions.size:
            candidates = np.arange(positions.size)
            if last < positions.size:  # only the items scoring at most the page's last score need sorting
                candidates = np.nonzero(scores <= np.partition(scores, last - 1)[last - 1])[0]
            order = candidates[np.lexsort((arrays.ids[positions[candidates]], scores[candidates]))]
            chosen = order[first:last]
        page_positions, page_scores = positions[chosen], scores[chosen]
    else:
        keep = mask(None)
        positions = np.nonzero(keep)[0]
        newest = arrays.newest_first[keep[arrays.newest_first]]
        page_positions, page_scores = newest[first:last], None
    total, by_category, by_year = _memory_counts(arrays, positions)
    wanted = [int(i) for i in arrays.ids[page_positions]]
    rows = {}
    if wanted:
        rows = {row[0]: row for row in connection.execute(
            f'SELECT {_HIT_COLUMNS} FROM "difficulties" d JOIN "documents" doc ON doc.doc_id = d.doc_id '
            f'WHERE d.rowid IN ({", ".join("?" * len(wanted))})',
            wanted,
        )}
    items = [
        _hit(rows[rowid], None if page_scores is None else float(page_scores[n]))
        for n, rowid in enumerate(wanted) if rowid in rows
    ]
    return Page(total=total, page=page, size=size, items=items, by_category=by_category, by_year=by_year)


def iter_difficulties(
    connection: sqlite3.Connection, filters: Mapping[str, Any] | None = None, limit: int = EXPORT_LIMIT
) -> Iterator[DifficultyHit]:
    """Every item matching ``filters`` (as for :func:`search_difficulties`) in result order (at most
    ``limit``, capped at :data:`EXPORT_LIMIT`), for exports."""
    sql = _difficulty_sql(connection, _filter_values("difficulties", filters, {}))
    if sql.empty:
        return
    cursor = connection.execute(
        f"SELECT {_HIT_COLUMNS}, r.score FROM (SELECT x.id, x.year, {sql.score} AS score FROM {sql.source} "
        f"WHERE {sql.where} ORDER BY {sql.order} LIMIT ?) r "
        'JOIN "difficulties" d ON d.rowid = r.id JOIN "documents" doc ON doc.doc_id = d.doc_id '
        f"ORDER BY {sql.outer_order}",
        [*sql.params, max(0, min(limit, EXPORT_LIMIT))],
    )
    for row in cursor:
        yield _hit(row, row[18])


def all_pages(search: Callable[..., Page[T]], *args: object, limit: int = EXPORT_LIMIT, **kwargs: object) -> Iterator[T]:
    """Every item of a paged search (``search_amounts``, ``documents_citing`` …), at most ``limit``."""
    page, seen = 1, 0
    while seen < limit:
        result = search(*args, page=page, size=MAX_PAGE_SIZE, **kwargs)
        for item in result.items[: limit - seen]:
            yield item
        seen += len(result.items)
        if page >= result.pages or not result.items:
            return
        page += 1


_CODE_SPACES = re.compile(r"\s+")


def normalize_code(code: str) -> str:
    """Accent-folded, lower-case code without spaces, for matching (``1763/QĐ-UBND`` -> ``1763/qd-ubnd``)."""
    return _CODE_SPACES.sub("", fold_accents(code))


def documents_citing(connection: sqlite3.Connection, code: str, page: int = 1, size: int = 20) -> Page[CitingDocument]:
    """The documents that cite ``code`` (case-, accent- and space-insensitive), newest first, with every mention.

    ``total`` counts citing documents; ``by_year`` counts them by year of the citing document.
    """
    page, size = _page_bounds(page, size)
    key = normalize_code(code or "")
    if not key:
        raise QueryError("code must not be empty (e.g. 1763/QĐ-UBND)")
    prepare(connection)
    match = "r.code IS NOT NULL AND replace(baocao_fold(r.code), ' ', '') = ?"
    year_rows = connection.execute(
        f'SELECT doc.year, COUNT(DISTINCT r.doc_id) FROM "references" r JOIN "documents" doc USING (doc_id) '
        f"WHERE {match} GROUP BY doc.year",
        (key,),
    ).fetchall()
    total = sum(count for _, count in year_rows)
    docs = connection.execute(
        'SELECT doc.doc_id, doc.title, doc.doc_kind, COALESCE(doc.doc_number, doc.stamped_number), doc.issuer, '
        'COALESCE(doc.issued_date, doc.stamped_date), doc.year, doc.province, doc.source_path FROM "documents" doc '
        f'WHERE doc.doc_id IN (SELECT r.doc_id FROM "references" r WHERE {match}) '
        "ORDER BY doc.year IS NULL, doc.year DESC, doc.issued_date DESC, doc.doc_id LIMIT ? OFFSET ?",
        (key, size, (page - 1) * size),
    ).fetchall()
    items = []
    for row in docs:
        mentions = [
            Mention(*m)
            for m in connection.execute(
                'SELECT r.text, r.sentence, r.start, r."end", r.page, r.code, r.doc_kind, r.issued_date, r.issuer '
                f'FROM "references" r WHERE r.doc_id = ? AND {match} ORDER BY r.start',
                (row[0], key),
            )
        ]
        items.append(CitingDocument(*row, mentions=mentions))
    return Page(
        total=total, page=page, size=size, items=items,
        by_year=[Count(y, c) for y, c in sorted(year_rows, key=lambda kv: (kv[0] is None, kv[0] or 0))],
    )


def most_cited(connection: sqlite3.Connection, limit: int = 20) -> list[tuple[str, int, int]]:
    """(code, mentions, citing documents) of the most cited codes."""
    return [
        (code, mentions, documents)
        for code, mentions, documents in connection.execute(
            'SELECT code, COUNT(*), COUNT(DISTINCT doc_id) FROM "references" WHERE code IS NOT NULL AND code != \'\' '
            "GROUP BY code ORDER BY COUNT(DISTINCT doc_id) DESC, COUNT(*) DESC, code LIMIT ?",
            (max(1, min(limit, MAX_PAGE_SIZE)),),
        )
    ]


def search_amounts(
    connection: sqlite3.Connection,
    *,
    filters: Mapping[str, Any] | None = None,
    page: int = 1,
    size: int = 20,
    **values: Any,
) -> Page[AmountHit]:
    """Money amounts, largest first, filtered by the filters of the ``amounts`` search in
    :mod:`pipeline.filters` (document, ``role``, ``currency``, ``min_value``/``max_value`` …),
    given as keyword arguments or as ``filters``.

    ``q`` matches when the accent-folded sentence contains the accent-folded words.
    """
    page, size = _page_bounds(page, size)
    prepare(connection)
    clauses: list[str] = []
    params: list[object] = []
    for f, value in _filter_values("amounts", filters, values).items_with_filters():
        clause, found = _clause(f, _column("doc" if f.table == DOCUMENTS else "a", f.column), value)
        clauses.append(clause)
        params.extend(found)
    where = " AND ".join(clauses) if clauses else "1"
    source = '"amounts" a JOIN "documents" doc ON doc.doc_id = a.doc_id'
    year_rows = connection.execute(f"SELECT doc.year, COUNT(*) FROM {source} WHERE {where} GROUP BY 1", params).fetchall()
    total = sum(count for _, count in year_rows)
    rows = connection.execute(
        'SELECT a.doc_id, a.text, a.value, a.currency, a.role, a.sentence, a.start, a."end", a.page, '
        "doc.title, doc.doc_kind, doc.issuer, doc.issued_date, doc.year, doc.province, doc.source_path "
        f"FROM {source} WHERE {where} ORDER BY a.value DESC, a.doc_id, a.start LIMIT ? OFFSET ?",
        [*params, size, (page - 1) * size],
    ).fetchall()
    return Page(
        total=total, page=page, size=size, items=[AmountHit(*row) for row in rows],
        by_year=[Count(y, c) for y, c in sorted(year_rows, key=lambda kv: (kv[0] is None, kv[0] or 0))],
    )


_DOCUMENT_COLUMNS = (
    "doc_id, source_path, file_format, status, doc_kind, doc_number, issuer, place, issued_date, year, title, "
    "signer, province, text"
)


def document_detail(connection: sqlite3.Connection, doc_id: str) -> DocumentDetail | None:
    """A document with every extracted fact span (difficulty items, references, money, percent, dates).

    Spans are sorted by start, longest first; spans whose offsets fall outside the text are
    left out. Returns None when there is no such document.
    """
    row = connection.execute(f'SELECT {_DOCUMENT_COLUMNS} FROM "documents" WHERE doc_id = ?', (doc_id,)).fetchone()
    if row is None:
        return None
    text: str = row[13] or ""
    spans: list[FactSpan] = []
    difficulties = [
        _hit(r)
        for r in connection.execute(
            f'SELECT {_HIT_COLUMNS} FROM "difficulties" d JOIN "documents" doc ON doc.doc_id = d.doc_id '
            "WHERE d.doc_id = ? ORDER BY d.start",
            (doc_id,),
        )
    ]
    for fact_type in facts.highlighted():
        for fact_row in fact_rows(connection, fact_type.key, doc_id):
            start, end = int(fact_row["start"]), int(fact_row["end"])
            spans.append(FactSpan(
                fact_type.kind or fact_type.key, start, end,
                str(fact_row["text"] if "text" in fact_row else text[start:end]),
                fact_type.label_of(fact_row), f"{fact_type.anchor_prefix}{fact_row['rowid']}",
            ))
    spans = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    order = {kind: rank for rank, kind in enumerate(fact_kinds())}
    spans.sort(key=lambda s: (s.start, -s.end, order[s.kind]))
    return DocumentDetail(*row[:13], text=text, spans=spans, difficulties=difficulties)


def fact_rows(
    connection: sqlite3.Connection, key: str, doc_id: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """The rows of a fact type's table (``key`` as in the registry: ``money``, ``reference`` …) as
    mappings of its columns plus ``rowid``, in document order; only ``doc_id``'s when given, at
    most ``limit`` (all when None).

    Raises :class:`QueryError` for a key no fact type has.
    """
    try:
        fact_type = facts.fact(key)
    except KeyError as e:
        raise QueryError(str(e.args[0])) from e
    where, params = ("WHERE doc_id = ?", [doc_id]) if doc_id is not None else ("", [])
    cursor = connection.execute(
        f'SELECT rowid, * FROM "{fact_type.table}" {where} ORDER BY doc_id, start, rowid LIMIT ?',
        [*params, -1 if limit is None else max(0, limit)],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def facet_values(connection: sqlite3.Connection, search: str = "difficulties") -> Facets:
    """The values of each drop-down filter of ``search`` (those with a ``facet``), by facet key:
    its choices or suggestions, else the distinct values of its column (for a documents filter,
    over the documents that have rows in the search's table)."""
    found: Facets = {}
    for f in filter_registry.for_search(search):
        if not f.facet:
            continue
        if f.choices is not None or f.suggestions is not None:
            found[f.facet] = list((f.choices or f.suggestions)())  # type: ignore[misc]
            continue
        column = f'"{f.column}"'
        where = f'doc_id IN (SELECT DISTINCT doc_id FROM "{search}")' if f.table == DOCUMENTS else "1"
        found[f.facet] = [
            v for (v,) in connection.execute(
                f'SELECT DISTINCT {column} FROM "{f.table}" WHERE {column} IS NOT NULL AND {where} ORDER BY 1'
            )
        ]
    return found
