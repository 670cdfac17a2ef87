"""Typed rows, the SQLite store (system of record) and the Parquet snapshot.

The row dataclasses are the data contract: the core tables' below, the fact tables' in the fact
registry (:mod:`pipeline.facts`). The SQLite schema, the Parquet schema and the data dictionary in
``extracted/README.md`` (:mod:`pipeline.dictionary`) are all derived from them.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import logging
import os
import secrets
import shutil
import sqlite3
import types
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import facts
# the fact rows are declared with their fact types; importable from here as before
from pipeline.facts import AmountRow, DateRow, DifficultyRow, PercentageRow, ReferenceRow, SectionRow  # noqa: F401

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

# pandas and pyarrow are imported by the functions that read or write frames and Parquet, not with
# this module: the queries (and so `baocao query`, the web page) only need the schema and SQLite

DATABASE_NAME = "reports.sqlite"
logger = logging.getLogger("baocao")


@dataclass
class DocumentRow:
    """One input document (table ``documents``)."""

    doc_id: str
    source_path: str
    file_format: str
    pages: int | None
    ocr_pages: int
    status: str
    doc_type: str | None
    doc_kind: str | None
    doc_number: str | None
    issuer: str | None
    agency: str | None
    parent_agency: str | None
    place: str | None
    issued_date: str | None
    year: int | None
    title: str | None
    signer: str | None
    province: str | None
    draft: bool | None
    stamped_number: str | None
    stamped_date: str | None
    text: str
    pipeline_version: str
    file_size: int
    encoding: str | None


@dataclass
class ErrorRow:
    """One problem with one input file (table ``errors``)."""

    source_path: str
    doc_id: str | None
    stage: str
    code: str
    message: str


@dataclass
class BlockRow:
    """One structural block of a document's text (table ``blocks``)."""

    doc_id: str
    block_index: int
    kind: str
    start: int
    end: int
    page: int | None
    source: str
    column: str | None
    style: str | None


@dataclass
class PageRow:
    """One page of a paged document (table ``pages``)."""

    doc_id: str
    page: int
    method: str
    chars: int
    ocr_confidence: float | None = None
    skew: float | None = None
    coverage: float | None = None
    unreadable: float | None = None


@dataclass
class TableCellRow:
    """One non-empty cell of a table of a document's text (table ``table_cells``)."""

    doc_id: str
    table_index: int
    row_index: int
    column_index: int
    part: str
    start: int
    end: int
    page: int | None
    text: str
    header: str | None
    value: float | None
    unit: str | None


@dataclass
class SignatureRow:
    """One digital signature of a PDF, as the file holds it, not verified (table ``signatures``)."""

    doc_id: str
    signature_index: int
    signed_at: str | None
    signer: str | None
    signer_kind: str | None
    unit: str | None
    organization: str | None
    place: str | None
    email: str | None
    reason: str | None


# The tables every run writes besides the fact tables, which come from the fact registry.
CORE_TABLES: dict[str, type] = {
    "documents": DocumentRow,
    "errors": ErrorRow,
    "blocks": BlockRow,
    "pages": PageRow,
    "table_cells": TableCellRow,
    "signatures": SignatureRow,
}


class _Tables(Mapping[str, type]):
    """Table name -> row type: the core tables, then every registered fact table (a live view)."""

    def _current(self) -> dict[str, type]:
        return {**CORE_TABLES, **facts.tables()}

    def __getitem__(self, name: str) -> type:
        return self._current()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())

    def __repr__(self) -> str:
        return f"TABLES({list(self)})"


TABLES: Mapping[str, type] = _Tables()


def per_document_tables() -> tuple[str, ...]:
    """The tables whose rows belong to one document (all but ``documents`` and ``errors``)."""
    return tuple(name for name in TABLES if name not in ("documents", "errors"))


def _base_type(annotation: object) -> tuple[type, bool]:
    """(python type, nullable) of a dataclass field annotation such as ``int | None``."""
    args = typing.get_args(annotation)
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        inner = [a for a in args if a is not type(None)]
        return _base_type(inner[0])[0], True
    origin = typing.get_origin(annotation)
    return (origin or annotation), False  # type: ignore[return-value]


def columns(row_type: type) -> list[tuple[str, type, bool]]:
    """(name, python type, nullable) for every column of a row type."""
    hints = typing.get_type_hints(row_type)
    return [(f.name, *_base_type(hints[f.name])) for f in dataclasses.fields(row_type)]


_SQL_TYPES = {str: "TEXT", int: "INTEGER", float: "REAL", bool: "INTEGER", list: "TEXT"}
# Date columns of the core tables; the fact tables' are declared in the fact registry.
CORE_DATE_COLUMNS: dict[str, tuple[str, ...]] = {"documents": ("issued_date",)}


def date_columns(table: str) -> tuple[str, ...]:
    """The columns of ``table`` that hold dates: ISO text declared ``DATE`` in SQLite, Arrow
    ``date32`` in Parquet (so DuckDB, pandas and Spark read them as dates)."""
    fact_type = facts.by_table(table)
    return fact_type.date_columns if fact_type is not None else CORE_DATE_COLUMNS.get(table, ())


def _arrow_type(py_type: type) -> pa.DataType:
    import pyarrow as pa

    if py_type is list:
        return pa.list_(pa.string())
    return {str: pa.string, int: pa.int64, float: pa.float64, bool: pa.bool_}[py_type]()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def connect(db_path: Path) -> sqlite3.Connection:
    """Open (and create if needed) the store; WAL so readers never block the writer."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(db_path))
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    create_schema(connection)
    return connection


_DOCUMENT_KEY = 'FOREIGN KEY ("doc_id") REFERENCES "documents" ("doc_id")'


def create_schema(connection: sqlite3.Connection) -> None:
    """Create every table of the contract (idempotent).

    Every per-document table declares ``doc_id`` a foreign key of ``documents`` (Datasette and
    other SQLite browsers link the rows by it); a table of an older store that lacks the key is
    rebuilt in place with its rows. Every fact table has a unique ``fact_id``; an older store's
    rows get theirs when the column is added.
    """
    with connection:
        for name, row_type in TABLES.items():
            defs = []
            dates = date_columns(name)
            for column, py_type, nullable in columns(row_type):
                definition = f"{_quote(column)} {'DATE' if column in dates else _SQL_TYPES[py_type]}"
                if not nullable:
                    definition += " NOT NULL"
                if name == "documents" and column == "doc_id":
                    definition += " PRIMARY KEY"
                defs.append(definition)
            keyed = name in per_document_tables()
            table_sql = ", ".join(defs + ([_DOCUMENT_KEY] if keyed else []))
            connection.execute(f"CREATE TABLE IF NOT EXISTS {_quote(name)} ({table_sql})")
            # a store written by an older version gains the nullable columns added since
            present = [row[1] for row in connection.execute(f"PRAGMA table_info({_quote(name)})")]
            for column, definition in zip((c for c, _, _ in columns(row_type)), defs):
                if column not in present and "NOT NULL" not in definition:
                    connection.execute(f"ALTER TABLE {_quote(name)} ADD COLUMN {definition}")
            if keyed and not connection.execute(f"PRAGMA foreign_key_list({_quote(name)})").fetchall():
                logger.info("store: rebuilding table %s to declare its foreign key to documents", name)
                _rebuild(connection, name, table_sql)
            if name in per_document_tables():
                connection.execute(f"CREATE INDEX IF NOT EXISTS {_quote('idx_' + name + '_doc')} ON {_quote(name)} (doc_id)")
            fact_type = facts.by_table(name)
            if fact_type is not None and "fact_id" in fact_type.column_names:
                if "fact_id" not in present:
                    logger.info("store: giving the rows of %s their fact_id", name)
                    _fill_fact_ids(connection, name, fact_type.key)
                connection.execute(
                    f"CREATE UNIQUE INDEX IF NOT EXISTS {_quote('idx_' + name + '_fact_id')} ON {_quote(name)} (fact_id)"
                )
        connection.execute('CREATE INDEX IF NOT EXISTS "idx_errors_path" ON "errors" (source_path)')


def _fill_fact_ids(connection: sqlite3.Connection, table: str, key: str) -> None:
    """Give the rows of an older store's fact table the ids a run would give them
    (:func:`pipeline.facts.fact_id`: repeats of one span numbered in the order they were written)."""
    connection.execute(
        f"UPDATE {_quote(table)} SET fact_id = CASE WHEN n.repeat = 1 THEN n.base ELSE n.base || '.' || n.repeat END "
        f"FROM (SELECT rowid AS id, doc_id || '-' || ? || '-' || start || '-' || \"end\" AS base, "
        f"ROW_NUMBER() OVER (PARTITION BY doc_id, start, \"end\" ORDER BY rowid) AS repeat FROM {_quote(table)}) n "
        f"WHERE n.id = {_quote(table)}.rowid AND {_quote(table)}.fact_id IS NULL",
        (key,),
    )


def _rebuild(connection: sqlite3.Connection, name: str, table_sql: str) -> None:
    """Recreate table ``name`` as ``table_sql`` and copy its rows (SQLite cannot add a key in place)."""
    old = f"{name}__before_keys"
    connection.execute(f"ALTER TABLE {_quote(name)} RENAME TO {_quote(old)}")
    connection.execute(f"CREATE TABLE {_quote(name)} ({table_sql})")
    kept = [row[1] for row in connection.execute(f"PRAGMA table_info({_quote(name)})")]
    listed = ", ".join(map(_quote, kept))
    connection.execute(f"INSERT INTO {_quote(name)} ({listed}) SELECT {listed} FROM {_quote(old)}")
    connection.execute(f"DROP TABLE {_quote(old)}")


# Snapshot order: independent of the order in which workers finished their documents.
_ORDER = {"documents": ("doc_id",), "errors": ("source_path", "code")}


def _sql_value(value: object) -> object:
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    return value


def _insert(connection: sqlite3.Connection, table: str, rows: Sequence[object]) -> None:
    if not rows:
        return
    names = [name for name, _, _ in columns(TABLES[table])]
    sql = f"INSERT INTO {_quote(table)} ({', '.join(map(_quote, names))}) VALUES ({', '.join('?' for _ in names)})"
    connection.executemany(sql, ([_sql_value(getattr(r, n)) for n in names] for r in rows))


def write_document(
    connection: sqlite3.Connection,
    source_path: str,
    document: DocumentRow | None,
    errors: Sequence[ErrorRow],
    tables: dict[str, Sequence[object]],
    replaces: str | None = None,
) -> None:
    """Replace everything known about one document in a single transaction.

    Re-running the same input replaces its rows instead of adding to them, and a crash in the
    middle leaves the previous state of that document intact. ``replaces`` is the doc_id of the
    bytes this file held before (a changed file): its rows go in the same transaction.
    """
    with connection:
        connection.execute('DELETE FROM "errors" WHERE source_path = ?', (source_path,))
        if replaces is not None:
            _delete_document(connection, replaces)
        if document is not None:
            for table in per_document_tables():
                connection.execute(f"DELETE FROM {_quote(table)} WHERE doc_id = ?", (document.doc_id,))
            connection.execute('DELETE FROM "documents" WHERE doc_id = ?', (document.doc_id,))
            _insert(connection, "documents", [document])
            for table, rows in tables.items():
                _insert(connection, table, rows)
        _insert(connection, "errors", list(errors))


def _delete_document(connection: sqlite3.Connection, doc_id: str) -> None:
    for table in per_document_tables():
        connection.execute(f"DELETE FROM {_quote(table)} WHERE doc_id = ?", (doc_id,))
    connection.execute('DELETE FROM "documents" WHERE doc_id = ?', (doc_id,))


def delete_source(connection: sqlite3.Connection, source_path: str) -> None:
    """Remove everything stored about one source file: its document with all its rows, and its
    error rows (``baocao extract --prune`` for a file no longer among the inputs)."""
    with connection:
        for (doc_id,) in connection.execute("SELECT doc_id FROM documents WHERE source_path = ?", (source_path,)).fetchall():
            _delete_document(connection, doc_id)
        connection.execute('DELETE FROM "errors" WHERE source_path = ?', (source_path,))


def move_document(connection: sqlite3.Connection, doc_id: str, old_path: str, new_path: str) -> None:
    """A file renamed or moved with the same bytes: update its paths, extract nothing again."""
    with connection:
        connection.execute("UPDATE documents SET source_path = ? WHERE doc_id = ?", (new_path, doc_id))
        connection.execute("UPDATE errors SET source_path = ? WHERE source_path = ?", (new_path, old_path))
        connection.execute(
            "UPDATE errors SET message = replace(message, ?, ?) WHERE source_path = ?", (old_path, new_path, new_path)
        )


@functools.cache
def text_dtype() -> Any:
    """The dtype pandas gives text: object before pandas 3, str from 3 on."""
    import pandas as pd

    return pd.Series(["text"]).dtype


def read_table(connection: sqlite3.Connection, table: str) -> pd.DataFrame:
    """Read one table of the store as a typed DataFrame (lists decoded from JSON)."""
    import pandas as pd

    order = ", ".join(_quote(name) for name in _ORDER.get(table, ("doc_id",))) + ", rowid"
    frame = pd.read_sql_query(f"SELECT * FROM {_quote(table)} ORDER BY {order}", connection)
    for name, py_type, nullable in columns(TABLES[table]):
        if py_type is list:
            frame[name] = frame[name].map(lambda v: json.loads(v) if isinstance(v, str) else [])
        elif py_type is bool:
            frame[name] = frame[name].astype("boolean")
        elif py_type is int and nullable:
            # as in Parquet: SQLite gives a column of nulls as objects and one with some as floats
            frame[name] = frame[name].astype("Int64")
        elif py_type is str and frame[name].dtype == object and frame[name].isna().all():
            # a column of nulls, typed as Parquet types it; not astype("str"), which under pandas 2
            # writes the text "None"
            frame[name] = frame[name].astype(text_dtype())
    return frame


def arrow_schema(table: str) -> pa.Schema:
    """The Parquet schema of a table, derived from its row type; each field's ``description``
    metadata is its meaning in the data dictionary."""
    import pandas as pd
    import pyarrow as pa

    from pipeline.dictionary import table_docs

    dates = date_columns(table)
    specs = columns(TABLES[table])
    # each field carries its data-dictionary text, so a Parquet file describes its own columns
    docs = table_docs(table)[1]
    schema = pa.schema([
        pa.field(n, pa.date32() if n in dates else _arrow_type(t), nullable=nullable,
                 metadata={"description": docs[n][0]} if n in docs else None)
        for n, t, nullable in specs
    ])
    # pandas reads a nullable integer column as float unless the file says which dtype it had
    empty = pd.DataFrame({n: pd.Series([], dtype=_PANDAS_DTYPES.get((t, nullable), object)) for n, t, nullable in specs})
    return schema.with_metadata(pa.Schema.from_pandas(empty, preserve_index=False).metadata)


_PANDAS_DTYPES: dict[tuple[type, bool], str] = {
    (int, True): "Int64", (int, False): "int64", (bool, True): "boolean", (bool, False): "bool",
    (float, True): "float64", (float, False): "float64",
}


EXPORT_CHUNK_ROWS = 50_000
PARTITION_ROWS = 2_000_000


def _arrow_batches(connection: sqlite3.Connection, table: str) -> Iterator[pa.RecordBatch]:
    """The rows of a table in snapshot order, as Arrow batches of bounded size."""
    import pyarrow as pa

    schema = arrow_schema(table)
    specs = columns(TABLES[table])
    dates = date_columns(table)
    order = ", ".join(_quote(name) for name in _ORDER.get(table, ("doc_id",))) + ", rowid"
    cursor = connection.execute(f"SELECT * FROM {_quote(table)} ORDER BY {order}")
    while rows := cursor.fetchmany(EXPORT_CHUNK_ROWS):
        data = {}
        for position, (name, py_type, _) in enumerate(specs):
            values = [row[position] for row in rows]
            if py_type is list:
                values = [json.loads(v) if isinstance(v, str) else [] for v in values]
            elif py_type is bool:
                values = [None if v is None else bool(v) for v in values]
            elif name in dates:
                values = [None if v is None else datetime.date.fromisoformat(v) for v in values]
            data[name] = values
        yield pa.RecordBatch.from_pydict(data, schema=schema)


def export_parquet(connection: sqlite3.Connection, out_dir: Path, tables: Iterable[str] | None = None) -> list[Path]:
    """Write each table as ``<table>.parquet``, atomically (temporary name, then rename).

    Rows stream from SQLite in chunks, so memory stays bounded whatever the table size. A table of
    more than ``PARTITION_ROWS`` rows becomes a folder ``<table>.parquet/`` of ``part-NNNNN.parquet``
    files, which pandas, pyarrow, DuckDB (``'<table>.parquet/*.parquet'``) and Spark read as one table.
    """
    written = []
    # names of this call only: two writers of one folder never write into each other's files
    run = f"{os.getpid()}-{secrets.token_hex(4)}"
    for table in (list(TABLES) if tables is None else tables):
        target = out_dir / f"{table}.parquet"
        temporary = out_dir / f".{table}.parquet.{run}.tmp"
        try:
            _write_parquet(connection, table, temporary)
        except BaseException:
            _remove(temporary)
            raise
        previous = out_dir / f".{table}.parquet.{run}.old"
        if target.is_dir():
            # a folder cannot be replaced by rename in one step: move it aside first
            os.replace(target, previous)
        os.replace(temporary, target)
        if previous.exists():
            shutil.rmtree(previous, ignore_errors=True)
        written.append(target)
    return written


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


def remove_stale_temporaries(out_dir: Path) -> list[Path]:
    """Remove the temporary Parquet files and folders a killed export left in ``out_dir``. Only
    for the holder of the output folder's lock: another writer's temporaries would go too."""
    stale = sorted(out_dir.glob(".*.parquet*.tmp")) + sorted(out_dir.glob(".*.parquet*.old"))
    for path in stale:
        _remove(path)
    return stale


def _write_parquet(connection: sqlite3.Connection, table: str, temporary: Path) -> None:
    """Write one table to ``temporary``: a file, or a folder of parts for a large table."""
    import pyarrow.parquet as pq

    total = connection.execute(f"SELECT COUNT(*) FROM {_quote(table)}").fetchone()[0]
    schema = arrow_schema(table)
    if total <= PARTITION_ROWS:
        with pq.ParquetWriter(temporary, schema) as writer:
            for batch in _arrow_batches(connection, table):
                writer.write_batch(batch)
    else:
        temporary.mkdir()
        part, rows_in_part, writer = 0, 0, None
        for batch in _arrow_batches(connection, table):
            if writer is None or rows_in_part >= PARTITION_ROWS:
                if writer is not None:
                    writer.close()
                writer = pq.ParquetWriter(temporary / f"part-{part:05d}.parquet", schema)
                part, rows_in_part = part + 1, 0
            writer.write_batch(batch)
            rows_in_part += batch.num_rows
        if writer is not None:
            writer.close()


def table_counts(connection: sqlite3.Connection) -> dict[str, int]:
    """Number of rows in every table."""
    return {t: connection.execute(f"SELECT COUNT(*) FROM {_quote(t)}").fetchone()[0] for t in TABLES}
