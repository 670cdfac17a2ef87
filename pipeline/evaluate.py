"""Scoring an extracted dataset against hand annotations (format: ../shared/gold/GUIDE.md)."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.normalize import normalize_text
from pipeline.store import DATABASE_NAME

METADATA_FIELDS = ("doc_type", "doc_number", "issuer", "place", "issued_date", "title")


@dataclass
class FieldMiss:
    """One metadata field where the extraction differs from the gold."""

    gold_id: str
    field: str
    expected: str | None
    extracted: str | None


@dataclass
class MetadataScore:
    """Metadata agreement with the gold over all annotated documents found in the dataset."""

    documents: int = 0
    fields: int = 0
    matched: int = 0
    misses: list[FieldMiss] = field(default_factory=list)
    missing_documents: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Share of metadata fields equal to the gold (0 when nothing was compared)."""
        return self.matched / self.fields if self.fields else 0.0


def _comparable(value: object) -> str | None:
    """Printed values compare case-insensitively, on normalised text with single spaces."""
    if value is None:
        return None
    text = normalize_text(str(value))
    text = re.sub(r"\s+", " ", text).strip().casefold()
    text = re.sub(r"\s*([/-])\s*", r"\1", text)
    return text or None


def load_gold(gold_dir: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    """Gold annotations by id (``DN-001``), read from ``<ID>.json`` files."""
    gold = {}
    for path in sorted(gold_dir.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        gold[data["id"]] = data
    return gold


def score_metadata(gold_dir: Path, out_dir: Path) -> MetadataScore:
    """Compare the ``documents`` table in ``out_dir`` with the gold metadata, field by field."""
    gold = load_gold(gold_dir)
    connection = sqlite3.connect(f"file:{out_dir / DATABASE_NAME}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            f"SELECT source_path, {', '.join(METADATA_FIELDS)} FROM documents"
        ).fetchall()
    finally:
        connection.close()
    by_id: dict[str, tuple] = {}  # type: ignore[type-arg]
    for row in rows:
        name = Path(row[0]).name
        if "__" in name:
            by_id.setdefault(name.split("__", 1)[0], row)
    score = MetadataScore()
    for gold_id, annotation in gold.items():
        row = by_id.get(gold_id)
        if row is None:
            score.missing_documents.append(gold_id)
            continue
        score.documents += 1
        extracted = dict(zip(METADATA_FIELDS, row[1:]))
        for name in METADATA_FIELDS:
            expected = annotation["metadata"].get(name)
            score.fields += 1
            if _comparable(expected) == _comparable(extracted[name]):
                score.matched += 1
            else:
                score.misses.append(FieldMiss(gold_id, name, expected, extracted[name]))
    return score
