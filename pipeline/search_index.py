"""Accent-insensitive full-text search over difficulty items (SQLite FTS5).

``build_search_index`` (re)creates three derived tables:

* ``difficulties_fts``: a normal FTS5 table whose ``rowid`` is the ``rowid`` of the item in
  ``difficulties``; its column ``text`` holds the item text folded by
  :func:`pipeline.normalize.fold_accents` (lower case, no tone marks or diacritics, ``đ`` -> ``d``)
  and ``pairs`` every two adjacent folded syllables (:func:`syllable_pairs`), for fast phrases.
  Queries are folded the same way by :func:`fts_expression`, so ``dat dai`` finds ``đất đai`` and
  ``tín dụng`` finds ``tin dung``; results are ranked by FTS5's bm25.
* ``difficulties_facets``: one narrow row per item (``id`` = ``difficulties.rowid``, ``doc_id``,
  ``kind``, the document's ``year`` and ``cats``, the item's categories as a bit mask), so that
  filtering and counting a million matches never has to read the wide item and document rows.
* ``difficulty_categories``: the bit of each category name in ``cats``.

A server over a read-only store can also hold the facets and the FTS5 size of every item in
memory (:class:`SearchArrays`, :func:`load_search_arrays`): :func:`pipeline.query.search_difficulties`
then counts and ranks a broad query's hits with numpy instead of one SQL lookup per hit.

The table is rebuilt from scratch at the end of every ``baocao extract`` run (the rowids of
``difficulties`` change when a document is re-extracted), in one transaction, so a reader never
sees a half-built index. Because it is an ordinary FTS5 table, Datasette shows and searches it
as it is (``difficulties_fts?_search=dat+dai``).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal


from pipeline.normalize import fold_accents

# numpy is imported by the functions that build or read the search arrays: `baocao query`
# and the other light commands never do (tests/test_cli_imports.py)
if TYPE_CHECKING:
    import numpy as np

FTS_TABLE = "difficulties_fts"
FACETS_TABLE = "difficulties_facets"
CATEGORY_BITS_TABLE = "difficulty_categories"
MAX_CATEGORIES = 40  # the counts query packs the year and the category bits in one integer
TOKENIZER = "unicode61 remove_diacritics 2 tokenchars '_'"
VOCABULARY_TABLE = "baocao_fts_{}"  # a connection's temporary fts5vocab tables over difficulties_fts

# a chunk of the user's query: a "double-quoted phrase" or a run of text up to a comma/semicolon
_CHUNK = re.compile(r'"([^"]*)"|([^",;]+)')
_WORD = re.compile(r"[^\W_]+")  # a syllable: letters and digits (what unicode61 keeps as a token)
_PAIR = "_"


class SearchIndexMissing(RuntimeError):
    """The database has no full-text index (``difficulties_fts``): run ``build_search_index``."""


def build_search_index(connection: sqlite3.Connection) -> None:
    """(Re)create the accent-folded FTS5 index of ``difficulties`` in one transaction (idempotent).

    Safe to call on a store without difficulty items (the index is then empty). When the
    connection is already inside a transaction the work happens in a savepoint and the caller
    commits; otherwise it is committed here.
    """
    outer = connection.in_transaction
    connection.execute("SAVEPOINT build_search_index" if outer else "BEGIN IMMEDIATE")
    try:
        for table in (FTS_TABLE, FACETS_TABLE, CATEGORY_BITS_TABLE):
            connection.execute(f'DROP TABLE IF EXISTS "{table}"')
        connection.execute(f"CREATE VIRTUAL TABLE \"{FTS_TABLE}\" USING fts5(text, pairs, tokenize=\"{TOKENIZER}\")")
        rows = connection.execute('SELECT rowid, text FROM "difficulties"')
        connection.executemany(
            f'INSERT INTO "{FTS_TABLE}" (rowid, text, pairs) VALUES (?, ?, ?)',
            ((rowid, folded, syllable_pairs(folded)) for rowid, folded in ((r, fold_accents(t or "")) for r, t in rows)),
        )
        connection.execute(f"INSERT INTO \"{FTS_TABLE}\" (\"{FTS_TABLE}\") VALUES ('optimize')")
        _build_facets(connection)
    except BaseException:
        if outer:
            connection.execute("ROLLBACK TO build_search_index")
            connection.execute("RELEASE build_search_index")
        else:
            connection.execute("ROLLBACK")
        raise
    connection.execute("RELEASE build_search_index" if outer else "COMMIT")


def syllable_pairs(folded: str) -> str:
    """Every two adjacent syllables of a folded text joined by ``_`` (``dat dai nong`` -> ``dat_dai dai_nong``).

    Indexed in the ``pairs`` column: a phrase of several syllables is then looked up as a phrase
    of pairs, whose posting lists are short, instead of merging the very long lists of common
    folded syllables (``dat`` stands for đạt, đặt, đất …). The match is the same.
    """
    words = _WORD.findall(folded)
    return " ".join(f"{a}{_PAIR}{b}" for a, b in zip(words, words[1:]))


def _build_facets(connection: sqlite3.Connection) -> None:
    names: set[str] = set()
    combos = {}
    for (categories,) in connection.execute('SELECT DISTINCT categories FROM "difficulties"'):
        parsed = json.loads(categories) if categories else []
        combos[categories] = parsed
        names.update(parsed)
    if len(names) > MAX_CATEGORIES:
        raise ValueError(f"{len(names)} distinct categories: the search index holds at most {MAX_CATEGORIES}")
    bits = {name: 1 << n for n, name in enumerate(sorted(names))}
    masks = {categories: sum(bits[name] for name in parsed) for categories, parsed in combos.items()}
    connection.execute(f'CREATE TABLE "{CATEGORY_BITS_TABLE}" (bit INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)')
    connection.executemany(f'INSERT INTO "{CATEGORY_BITS_TABLE}" VALUES (?, ?)', [(b, n) for n, b in bits.items()])
    connection.execute(
        f'CREATE TABLE "{FACETS_TABLE}" (id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, kind TEXT NOT NULL, '
        "year INTEGER, cats INTEGER NOT NULL)"
    )
    connection.executemany(
        f'INSERT INTO "{FACETS_TABLE}" VALUES (?, ?, ?, ?, ?)',
        (
            (rowid, doc_id, kind, year, masks.get(categories, 0))
            for rowid, doc_id, kind, year, categories in connection.execute(
                'SELECT d.rowid, d.doc_id, d.kind, doc.year, d.categories FROM "difficulties" d '
                'LEFT JOIN "documents" doc ON doc.doc_id = d.doc_id ORDER BY d.rowid'
            )
        ),
    )
    connection.execute(f'CREATE INDEX "idx_{FACETS_TABLE}_year" ON "{FACETS_TABLE}" (year DESC, id)')


def category_bits(connection: sqlite3.Connection) -> dict[str, int]:
    """The bit of each category name in ``difficulties_facets.cats``."""
    return {name: bit for bit, name in connection.execute(f'SELECT bit, name FROM "{CATEGORY_BITS_TABLE}"')}


def has_search_index(connection: sqlite3.Connection) -> bool:
    """Whether the database holds the search tables (``difficulties_fts`` and its facets)."""
    names = {FTS_TABLE, FACETS_TABLE, CATEGORY_BITS_TABLE}
    found = connection.execute(
        f"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ({', '.join('?' * len(names))})",
        sorted(names),
    ).fetchone()[0]
    return found == len(names)


def require_search_index(connection: sqlite3.Connection) -> None:
    """Raise :class:`SearchIndexMissing` with an actionable message when the index is absent."""
    if not has_search_index(connection):
        raise SearchIndexMissing(
            f"the database has no search index ({FTS_TABLE}, {FACETS_TABLE}); re-run `baocao extract` with this version "
            "of baocao, or call pipeline.search_index.build_search_index on a writable connection"
        )


def _query_phrases(query: str) -> list[tuple[list[str], bool]]:
    """The phrases of what a user typed: (accent-folded syllables, whether the last is a prefix)."""
    phrases = []
    for quoted, plain in _CHUNK.findall(query):
        chunk = quoted if quoted else plain
        words = _WORD.findall(fold_accents(chunk))
        if words:
            phrases.append((words, chunk.rstrip().endswith("*")))
    return phrases


def fts_expression(query: str) -> str | None:
    """The FTS5 MATCH expression for what a user typed, or None when it holds no searchable word.

    The query is accent-folded. Text separated by commas or semicolons, or put in double quotes,
    forms phrases whose syllables must follow each other (``dat dai`` = the phrase "đất đai");
    phrases are combined with AND (``tin dung, dat dai``). A chunk ending in ``*`` matches a
    prefix of its last syllable (``chuyen doi*``). One syllable is looked up in the ``text``
    column, a phrase of several as the phrase of its syllable pairs in the ``pairs`` column.
    Only letters, digits and ``_`` reach FTS5, inside double quotes, so no user input is ever
    read as FTS5 syntax.
    """
    phrases = []
    for phrase in query_phrases(query):
        column, tokens = phrase.column, " ".join(phrase.tokens)
        phrases.append(f'{column} : "{tokens}"' + (" *" if phrase.prefix else ""))
    if not phrases:
        return None
    return " AND ".join(phrases)


def match_spans(text: str, query: str | None) -> list[tuple[int, int]]:
    """(start, end) offsets in ``text`` of the phrases of ``query``, matched accent-insensitively.

    Used to highlight why a hit matched; mirrors :func:`fts_expression` (same folding, same
    phrases, a trailing ``*`` makes the last syllable a prefix). Offsets are into ``text`` as
    given, however folding changes the length of individual characters.
    """
    if not query:
        return []
    folded_chars = []
    owner = []
    for index, char in enumerate(text):
        folded = fold_accents(char)
        folded_chars.append(folded)
        owner.extend([index] * len(folded))
    folded_text = "".join(folded_chars)
    spans = []
    for words, prefix in _query_phrases(query):
        tail = r"\w*" if prefix else r"(?!\w)"
        pattern = re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, words)) + tail)
        for match in pattern.finditer(folded_text):
            if match.end() > match.start():
                spans.append((owner[match.start()], owner[match.end() - 1] + 1))
    return sorted(set(spans))


@dataclass(frozen=True, eq=False)
class SearchArrays:
    """The facets and FTS5 sizes of every indexed item, held in memory (one position per item).

    Positions follow ``ids`` (the items' rowids, ascending). Loaded once per store by
    :func:`load_search_arrays`; valid only as long as the store is not written to (a server
    reloads them when the store's ``PRAGMA data_version`` or file changes). Read-only once built.
    """

    ids: np.ndarray  # int64 rowids of difficulties, ascending
    year: np.ndarray  # int32 year of the item's document, 0 when unknown
    kind: np.ndarray  # int16 index into ``kinds``
    kinds: tuple[str, ...]
    cats: np.ndarray  # int64 category bit mask (``difficulties_facets.cats``)
    doc: np.ndarray  # int32 index into ``doc_ids`` (-1: the item's document has no documents row)
    doc_ids: tuple[str, ...]  # every document of the store
    doc_index: dict[str, int]
    length: np.ndarray  # float64 tokens of the item in all FTS columns (what bm25 calls D)
    category_bits: dict[str, int]
    newest_first: np.ndarray  # positions in the order "year DESC (unknown last), rowid"
    years: np.ndarray  # the distinct values of ``year``, ascending
    year_code: np.ndarray  # int16 index into ``years`` (for counting with bincount)
    masks: np.ndarray  # the distinct values of ``cats``
    mask_code: np.ndarray  # int32 index into ``masks``
    # documents columns read on first use by a filter: column -> (index of each document's value, values)
    document_columns: dict[str, tuple[np.ndarray, list[Any]]] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Number of items (FTS5's row count)."""
        return int(self.ids.size)

    @property
    def average_length(self) -> float:
        """Mean tokens per item over all columns (bm25's avgdl), as FTS5 computes it."""
        return float(int(self.length.sum())) / self.rows if self.rows else 0.0


def _varint_sum(blob: bytes) -> int:
    """Sum of the varints of an FTS5 ``docsize`` record (one per column)."""
    total = value = 0
    for byte in blob:
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            total += value
            value = 0
    return total


def _sizes(lengths: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Tokens per item: the sum of the varints of each FTS5 ``docsize`` record, the records being
    ``data`` (bytes) cut into ``lengths``. Vectorised for varints of one or two bytes (up to
    16,383 tokens a column); longer ones are decoded one record at a time."""
    import numpy as np
    ends = np.cumsum(lengths)
    continued = data >= 0x80
    if (continued[:-1] & continued[1:]).any():
        blob = data.tobytes()
        return np.array([_varint_sum(blob[e - n:e]) for e, n in zip(ends.tolist(), lengths.tolist())], dtype=np.int64)
    values = np.where(continued, (data & 0x7F).astype(np.int64) << 7, data.astype(np.int64))
    running = np.concatenate(([0], np.cumsum(values)))
    return running[ends] - running[ends - lengths]


def integers_of(joined: str | None) -> np.ndarray:
    """The integers of a ``group_concat`` result (parsed in C, ~8× faster than ``str.split``)."""
    import numpy as np
    if not joined:
        return np.zeros(0, dtype=np.int64)
    return np.fromstring(joined, dtype=np.int64, sep=",")


def load_search_arrays(connection: sqlite3.Connection) -> SearchArrays:
    """Read the facets of every item and its FTS5 size into a :class:`SearchArrays` (~2 s per 1M items).

    One statement reads every column as a ``group_concat`` (one string each, parsed by numpy),
    which is several times faster than a million Python rows. Raises :class:`SearchIndexMissing`
    when the store has no search index.
    """
    import numpy as np
    require_search_index(connection)
    kinds = tuple(k for (k,) in connection.execute(f'SELECT DISTINCT kind FROM "{FACETS_TABLE}" ORDER BY kind'))
    documents = connection.execute('SELECT rowid, doc_id FROM "documents" ORDER BY rowid').fetchall()
    doc_ids = tuple(doc_id for _, doc_id in documents)
    doc_rowids = np.array([rowid for rowid, _ in documents], dtype=np.int64)
    kind_code = ("CASE x.kind " + " ".join(f"WHEN ? THEN {n}" for n in range(len(kinds))) + " ELSE -1 END") if kinds else "-1"
    ids, years, kind_codes, cats, doc_rows, sizes, records = connection.execute(
        f"SELECT group_concat(x.id), group_concat(COALESCE(x.year, 0)), group_concat({kind_code}), group_concat(x.cats), "
        "group_concat(COALESCE(doc.rowid, 0)), group_concat(COALESCE(length(s.sz), 0)), group_concat(hex(s.sz), '') "
        f'FROM "{FACETS_TABLE}" x LEFT JOIN "documents" doc ON doc.doc_id = x.doc_id '
        f'LEFT JOIN "{FTS_TABLE}_docsize" s ON s.id = x.id',
        kinds,
    ).fetchone()
    id_array = integers_of(ids)
    order = np.argsort(id_array, kind="stable")  # (the rows come in id order; not relied upon)
    doc_at = np.searchsorted(doc_rowids, integers_of(doc_rows))
    found = doc_at < doc_rowids.size
    found[found] = doc_rowids[doc_at[found]] == integers_of(doc_rows)[found]
    length = _sizes(integers_of(sizes), np.frombuffer(bytes.fromhex(records or ""), dtype=np.uint8))
    id_array = id_array[order]
    year = integers_of(years).astype(np.int32)[order]
    kind = integers_of(kind_codes).astype(np.int16)[order]
    cat_array = integers_of(cats)[order]
    doc = np.where(found, doc_at, -1).astype(np.int32)[order]
    length = length[order].astype(np.float64)
    unknown_last = np.where(year == 0, np.iinfo(np.int32).max, -year.astype(np.int64))
    newest_first = np.lexsort((id_array, unknown_last))
    year_values, year_code = np.unique(year, return_inverse=True)
    masks, mask_code = np.unique(cat_array, return_inverse=True)
    arrays = (id_array, year, kind, cat_array, doc, length, newest_first, year_values, year_code.astype(np.int16),
              masks, mask_code.astype(np.int32))
    for array in arrays:
        array.flags.writeable = False
    return SearchArrays(
        ids=arrays[0], year=arrays[1], kind=arrays[2], kinds=kinds, cats=arrays[3], doc=arrays[4], doc_ids=doc_ids,
        doc_index={doc_id: n for n, doc_id in enumerate(doc_ids)}, length=arrays[5],
        category_bits=category_bits(connection), newest_first=arrays[6], years=arrays[7], year_code=arrays[8],
        masks=arrays[9], mask_code=arrays[10],
    )


def vocabulary_table(connection: sqlite3.Connection, kind: Literal["instance", "col"]) -> str:
    """The name of this connection's temporary ``fts5vocab`` table of ``kind`` over the index, made if missing.

    ``instance``: one row per occurrence of a term (term, doc = rowid, col, offset); ``col``: one
    row per term and column it occurs in (term, col, doc, cnt). A ``term`` equality or range is
    looked up in the index directly. The table lives in the connection's ``temp`` schema, so
    nothing is written to the store; ``PRAGMA query_only`` is lifted for that one statement when set.
    """
    name = VOCABULARY_TABLE.format(kind)
    if connection.execute("SELECT 1 FROM sqlite_temp_master WHERE name = ?", (name,)).fetchone() is None:
        query_only = connection.execute("PRAGMA query_only").fetchone()[0]
        if query_only:
            connection.execute("PRAGMA query_only = 0")
        try:
            connection.execute(f'CREATE VIRTUAL TABLE IF NOT EXISTS temp."{name}" USING fts5vocab(main, "{FTS_TABLE}", {kind})')
        finally:
            if query_only:
                connection.execute("PRAGMA query_only = 1")
    return f'temp."{name}"'


@dataclass(frozen=True)
class QueryPhrase:
    """One phrase of a search as FTS5 sees it: its tokens, the column searched, a prefix last token."""

    tokens: tuple[str, ...]
    column: str
    prefix: bool


_PLAIN_TOKEN = re.compile(r"[a-z0-9_]+")


def query_phrases(query: str) -> list[QueryPhrase]:
    """The phrases of :func:`fts_expression` (same order, same tokens and columns)."""
    phrases = []
    for words, prefix in _query_phrases(query):
        if len(words) == 1:
            phrases.append(QueryPhrase((words[0],), "text", prefix))
        else:
            phrases.append(QueryPhrase(tuple(f"{a}{_PAIR}{b}" for a, b in zip(words, words[1:])), "pairs", prefix))
    return phrases


def plain_tokens(phrases: Iterable[QueryPhrase]) -> bool:
    """Whether every token is lower-case ASCII letters, digits and ``_``, which FTS5's tokenizer
    leaves as they are (so the token is the index's term)."""
    return all(_PLAIN_TOKEN.fullmatch(t) for p in phrases for t in p.tokens)
