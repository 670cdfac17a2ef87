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

The table is rebuilt from scratch at the end of every ``baocao extract`` run (the rowids of
``difficulties`` change when a document is re-extracted), in one transaction, so a reader never
sees a half-built index. Because it is an ordinary FTS5 table, Datasette shows and searches it
as it is (``difficulties_fts?_search=dat+dai``).
"""

from __future__ import annotations

import json
import re
import sqlite3

from pipeline.normalize import fold_accents

FTS_TABLE = "difficulties_fts"
FACETS_TABLE = "difficulties_facets"
CATEGORY_BITS_TABLE = "difficulty_categories"
MAX_CATEGORIES = 40  # the counts query packs the year and the category bits in one integer
TOKENIZER = "unicode61 remove_diacritics 2 tokenchars '_'"

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
    for words, prefix in _query_phrases(query):
        if len(words) == 1:
            phrase = f'text : "{words[0]}"'
        else:
            phrase = 'pairs : "' + " ".join(f"{a}{_PAIR}{b}" for a, b in zip(words, words[1:])) + '"'
        if prefix:
            phrase += " *"
        phrases.append(phrase)
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
