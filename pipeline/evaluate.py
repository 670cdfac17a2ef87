"""Scoring an extracted dataset against hand annotations (format: ../shared/gold/GUIDE.md)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.extract.difficulties import score_items
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


@dataclass
class FactScore:
    """Precision / recall of one fact type, with the differences per document."""

    fact: str
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    misses: dict[str, list[str]] = field(default_factory=dict)
    false_hits: dict[str, list[str]] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        """Share of extracted facts that are in the gold."""
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        """Share of gold facts that were extracted."""
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _gold_keys(annotation: dict, fact: str) -> Counter[str]:  # type: ignore[type-arg]
    if fact == "references":
        return Counter({r["code"]: 1 for r in annotation["references"] if not r.get("number_only")})
    if fact == "money":
        return Counter(f"{round(float(m['value']))} {m.get('currency') or 'VND'}" for m in annotation["money"])
    return Counter(f"{float(p['value']):g}%" for p in annotation["percent"])


_FACT_QUERIES = {
    "references": 'SELECT DISTINCT code FROM "references" WHERE doc_id = ? AND code IS NOT NULL',
    "money": "SELECT value, currency FROM amounts WHERE doc_id = ?",
    "percent": "SELECT value FROM percentages WHERE doc_id = ?",
}


def _extracted_keys(connection: sqlite3.Connection, doc_id: str, fact: str) -> Counter[str]:
    rows = connection.execute(_FACT_QUERIES[fact], (doc_id,)).fetchall()
    if fact == "references":
        return Counter(code for (code,) in rows)
    if fact == "money":
        return Counter(f"{round(value)} {currency}" for value, currency in rows)
    return Counter(f"{float(value):g}%" for (value,) in rows)


def _doc_ids_by_gold_id(connection: sqlite3.Connection) -> dict[str, str]:
    """doc_id of each document whose file name starts with a gold id (``DN-001__…``)."""
    by_id: dict[str, str] = {}
    for doc_id, source_path in connection.execute("SELECT doc_id, source_path FROM documents ORDER BY source_path"):
        name = Path(source_path).name
        if "__" in name:
            by_id.setdefault(name.split("__", 1)[0], doc_id)
    return by_id


def score_facts(gold_dir: Path, out_dir: Path) -> dict[str, FactScore]:
    """Score references (distinct codes), money and percentages (multisets of values) per document."""
    gold = load_gold(gold_dir)
    connection = sqlite3.connect(f"file:{out_dir / DATABASE_NAME}?mode=ro", uri=True)
    scores = {fact: FactScore(fact) for fact in _FACT_QUERIES}
    try:
        by_id = _doc_ids_by_gold_id(connection)
        for gold_id, annotation in gold.items():
            doc_id = by_id.get(gold_id)
            if doc_id is None:
                continue
            for fact, score in scores.items():
                expected = _gold_keys(annotation, fact)
                extracted = _extracted_keys(connection, doc_id, fact)
                score.true_positives += sum((expected & extracted).values())
                missed = expected - extracted
                extra = extracted - expected
                score.false_negatives += sum(missed.values())
                score.false_positives += sum(extra.values())
                if missed:
                    score.misses[gold_id] = sorted(missed.elements())
                if extra:
                    score.false_hits[gold_id] = sorted(extra.elements())
    finally:
        connection.close()
    return scores


def score_difficulties(gold_dir: Path, out_dir: Path) -> FactScore:
    """Difficulty and recommendation items matched one-to-one by word overlap, per document."""
    gold = load_gold(gold_dir)
    score = FactScore("difficulty items")
    connection = sqlite3.connect(f"file:{out_dir / DATABASE_NAME}?mode=ro", uri=True)
    try:
        by_id = _doc_ids_by_gold_id(connection)
        for gold_id, annotation in gold.items():
            doc_id = by_id.get(gold_id)
            if doc_id is None:
                continue
            expected = [item["text"] for item in annotation.get("difficulties", []) + annotation.get("recommendations", [])]
            found = [t for (t,) in connection.execute('SELECT text FROM "difficulties" WHERE doc_id = ? ORDER BY start', (doc_id,))]
            tp, fp, fn, unmatched_gold, unmatched_found = score_items(expected, found)
            score.true_positives += tp
            score.false_positives += fp
            score.false_negatives += fn
            if unmatched_gold:
                score.misses[gold_id] = [str(t)[:100] for t in unmatched_gold]
            if unmatched_found:
                score.false_hits[gold_id] = [str(t)[:100] for t in unmatched_found]
    finally:
        connection.close()
    return score
