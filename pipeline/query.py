"""Typed read-only queries over the store, shared by the CLI, the web page and notebooks."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.store import DATABASE_NAME


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
