"""Scoring an extracted dataset against hand annotations (format: ../shared/gold/GUIDE.md)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import facts
from pipeline.extract.categories import CategoryReport, leave_one_document_out, read_gold_items, set_scores
from pipeline.extract.difficulties import KINDS, match_items
from pipeline.extract.groups import pairwise_scores
from pipeline.normalize import fold_accents, normalize_text
from pipeline.facts import FactType, Scoring
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
    per_field: dict[str, tuple[int, int]] = field(default_factory=dict)  # field -> (matched, compared)

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


# What a gold file annotates: everything (``all``); ``"difficulties"`` (its metadata and difficulty
# items only: references, money and percentages are not gold); or a list of the parts it annotates
# (``["metadata", "money", "percent"]`` for a table's figures).
SCOPE_ALL = "all"
_SCOPE_PARTS = {"difficulties": ("metadata", "difficulties")}


def annotates(annotation: dict, part: str) -> bool:  # type: ignore[type-arg]
    """Whether a gold annotation is gold for ``part``: ``metadata``, ``difficulties`` (items and
    recommendations) or a fact's score name (``references``, ``money``, ``percent``)."""
    scope = annotation.get("scope", SCOPE_ALL)
    if scope == SCOPE_ALL:
        return True
    if isinstance(scope, str):
        return part in _SCOPE_PARTS.get(scope, ())
    return part in scope


class EvalInputError(ValueError):
    """The gold folder or the extracted store that ``baocao eval`` was given cannot be scored."""


def check_eval_inputs(gold_dir: Path, out_dir: Path) -> None:
    """Raise ``EvalInputError`` naming the path when ``gold_dir`` holds no gold annotation or
    ``out_dir`` holds no store: a score of 0/0 or an SQLite "unable to open" would hide which."""
    if not Path(gold_dir).is_dir():
        raise EvalInputError(f"{gold_dir}: no such folder of gold annotations")
    if not load_gold(Path(gold_dir)):
        raise EvalInputError(f"{gold_dir}: no gold annotation (<ID>.json) in this folder or below")
    if not (Path(out_dir) / DATABASE_NAME).is_file():
        raise EvalInputError(f"{Path(out_dir) / DATABASE_NAME}: no such store (run `baocao extract ... --out {out_dir}` first)")


def load_gold(gold_dir: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    """Gold annotations by id (``DN-001``), read from ``<ID>.json`` files in ``gold_dir`` and below.

    Each annotation gets a ``scope`` (``all`` when the file names none).
    """
    gold: dict[str, dict] = {}  # type: ignore[type-arg]
    seen: dict[str, Path] = {}
    for path in sorted(gold_dir.rglob("*.json")):
        if any(part.startswith(".") for part in path.relative_to(gold_dir).parts):
            continue  # editor and notebook checkpoints
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "id" not in data:
            raise ValueError(f"{path}: not a gold annotation (a JSON object with an \"id\")")
        if data["id"] in seen:
            raise ValueError(f"{path}: gold id {data['id']} is also annotated in {seen[data['id']]}")
        seen[data["id"]] = path
        data.setdefault("scope", SCOPE_ALL)
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
        if not annotates(annotation, "metadata"):
            continue
        row = by_id.get(gold_id)
        if row is None:
            score.missing_documents.append(gold_id)
            continue
        score.documents += 1
        extracted = dict(zip(METADATA_FIELDS, row[1:]))
        for name in METADATA_FIELDS:
            expected = annotation["metadata"].get(name)
            score.fields += 1
            right = _comparable(expected) == _comparable(extracted[name])
            matched, compared = score.per_field.get(name, (0, 0))
            score.per_field[name] = (matched + right, compared + 1)
            if right:
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


def scored_facts() -> dict[str, FactType]:
    """The fact types eval scores, by score name (``references``, ``money``, ``percent``)."""
    return {f.scoring.name: f for f in facts.registered() if f.scoring is not None}


def _gold_keys(annotation: dict, scoring: Scoring) -> Counter[str]:  # type: ignore[type-arg]
    keys = Counter(key for item in annotation.get(scoring.name, []) if (key := scoring.gold_key(item)) is not None)
    return Counter(set(keys)) if scoring.distinct else keys


def _extracted_keys(connection: sqlite3.Connection, doc_id: str, table: str, scoring: Scoring) -> Counter[str]:
    where = f" AND ({scoring.where})" if scoring.where else ""
    names = ", ".join(f'"{name}"' for name in scoring.columns)
    rows = connection.execute(
        f'SELECT {"DISTINCT " if scoring.distinct else ""}{names} FROM "{table}" WHERE doc_id = ?{where}',
        (doc_id,),
    ).fetchall()
    return Counter(scoring.row_key(dict(zip(scoring.columns, row))) for row in rows)


def _doc_ids_by_gold_id(connection: sqlite3.Connection) -> dict[str, str]:
    """doc_id of each document whose file name starts with a gold id (``DN-001__…``)."""
    by_id: dict[str, str] = {}
    for doc_id, source_path in connection.execute("SELECT doc_id, source_path FROM documents ORDER BY source_path"):
        name = Path(source_path).name
        if "__" in name:
            by_id.setdefault(name.split("__", 1)[0], doc_id)
    return by_id


def _scored_documents(
    gold: dict[str, dict], connection: sqlite3.Connection, part: str | None = None,  # type: ignore[type-arg]
) -> Iterator[tuple[str, dict, str]]:  # type: ignore[type-arg]
    """(gold id, annotation, doc_id) of each gold document the store holds, and that is gold for
    ``part`` when one is named."""
    by_id = _doc_ids_by_gold_id(connection)
    for gold_id, annotation in gold.items():
        doc_id = by_id.get(gold_id)
        if doc_id is not None and (part is None or annotates(annotation, part)):
            yield gold_id, annotation, doc_id


def score_facts(gold_dir: Path, out_dir: Path) -> dict[str, FactScore]:
    """Score each fact type the registry gives a scoring (references: distinct codes; money and
    percentages: multisets of values) per document."""
    gold = load_gold(gold_dir)
    connection = sqlite3.connect(f"file:{out_dir / DATABASE_NAME}?mode=ro", uri=True)
    scored = {name: f.scoring for name, f in scored_facts().items() if f.scoring is not None}
    tables = {name: f.table for name, f in scored_facts().items()}
    scores = {name: FactScore(name) for name in scored}
    try:
        for gold_id, annotation, doc_id in _scored_documents(gold, connection):
            for name, score in scores.items():
                if not annotates(annotation, name):
                    continue
                scoring = scored[name]
                expected = _gold_keys(annotation, scoring)
                extracted = _extracted_keys(connection, doc_id, tables[name], scoring)
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


@dataclass
class DifficultyScore:
    """Difficulty and recommendation items against the gold: items, kinds, categories and groups."""

    items: FactScore
    by_kind: dict[str, FactScore]
    # matched items: (gold id, gold item, extracted categories, extracted group id)
    matched: list[tuple[str, dict, list[str], str | None]]  # type: ignore[type-arg]

    @property
    def primary_accuracy(self) -> float:
        """Share of matched items whose extracted first category is the gold primary category."""
        labelled = [(item, found) for _, item, found, _ in self.matched if item.get("categories")]
        if not labelled:
            return 0.0
        return sum(1 for item, found in labelled if found[:1] == item["categories"][:1]) / len(labelled)

    def category_scores(self) -> dict[str, tuple[float, float, int]]:
        """Per-category (precision, recall, support) of the extracted categories of matched items."""
        return set_scores((item.get("categories") or [], found) for _, item, found, _ in self.matched)

    def group_scores(self) -> tuple[float, float, float]:
        """Pairwise precision, recall and F1 of the stored groups of matched items against gold groups."""
        gold: dict[str, str | None] = {}
        predicted: dict[str, str] = {}
        for number, (_, item, _, group_id) in enumerate(self.matched):
            gold[str(number)] = item.get("group")
            if group_id is not None:
                predicted[str(number)] = group_id
        return pairwise_scores(gold, predicted)


def _item_score(gold_id: str, expected: list[str], found: list[str], score: FactScore) -> list[tuple[int, int]]:
    """Add one document's items to ``score``; returns the matched (gold, found) index pairs."""
    matched = match_items(expected, found)
    used_gold = {g for g, _ in matched}
    used_found = {f for _, f in matched}
    missed = [text for g, text in enumerate(expected) if g not in used_gold]
    extra = [text for f, text in enumerate(found) if f not in used_found]
    score.true_positives += len(matched)
    score.false_positives += len(extra)
    score.false_negatives += len(missed)
    if missed:
        score.misses[gold_id] = [text[:100] for text in missed]
    if extra:
        score.false_hits[gold_id] = [text[:100] for text in extra]
    return matched


# A citation's attributes against the gold: gold key -> column of the references table.
CITATION_ATTRIBUTES = {"type": "doc_kind", "date": "issued_date", "issuer": "issuer"}


def score_citations(gold_dir: Path, out_dir: Path) -> dict[str, tuple[int, int]]:
    """Per attribute of a cited document (type, date, issuer): (right, compared) over the gold
    citations that name it, a citation being right when a mention of its code in the document
    carries the gold's value (case, accents and spacing aside)."""
    gold = load_gold(gold_dir)
    scores = {attribute: (0, 0) for attribute in CITATION_ATTRIBUTES}
    connection = sqlite3.connect(f"file:{out_dir / DATABASE_NAME}?mode=ro", uri=True)
    try:
        for _, annotation, doc_id in _scored_documents(gold, connection, "references"):
            rows = connection.execute(
                f'SELECT code, {", ".join(CITATION_ATTRIBUTES.values())} FROM "references" WHERE doc_id = ? AND code IS NOT NULL',
                (doc_id,),
            ).fetchall()
            found: dict[str, list[tuple[object, ...]]] = {}
            for code, *values in rows:
                found.setdefault(code, []).append(tuple(values))
            for reference in annotation.get("references", []):
                if reference.get("number_only"):
                    continue
                for position, attribute in enumerate(CITATION_ATTRIBUTES):
                    expected = reference.get(attribute)
                    if not expected:
                        continue
                    right, compared = scores[attribute]
                    values = {_citation_value(v[position]) for v in found.get(reference["code"], [])}
                    scores[attribute] = (right + (_citation_value(expected) in values), compared + 1)
    finally:
        connection.close()
    return scores


def _citation_value(value: object) -> str:
    return " ".join(fold_accents(str(value or "")).lower().split())


def score_difficulties(gold_dir: Path, out_dir: Path) -> DifficultyScore:
    """Difficulty and recommendation items matched one-to-one by word overlap, per document.

    Items are scored whatever their kind, and per kind (a gold item of one kind against the
    extracted items of that kind); matched items carry their extracted categories and group.
    """
    gold = load_gold(gold_dir)
    score = DifficultyScore(FactScore("difficulty items"), {}, [])
    connection = sqlite3.connect(f"file:{out_dir / DATABASE_NAME}?mode=ro", uri=True)
    try:
        for gold_id, annotation, doc_id in _scored_documents(gold, connection, "difficulties"):
            gold_items = list(annotation.get("difficulties", [])) + list(annotation.get("recommendations", []))
            rows = connection.execute(
                'SELECT text, kind, categories, group_id FROM "difficulties" WHERE doc_id = ? ORDER BY start',
                (doc_id,),
            ).fetchall()
            expected = [item["text"] for item in gold_items]
            found = [row[0] for row in rows]
            for g, f in _item_score(gold_id, expected, found, score.items):
                categories = json.loads(rows[f][2]) if rows[f][2] else []
                score.matched.append((gold_id, gold_items[g], categories, rows[f][3]))
            for kind in KINDS:
                kind_score = score.by_kind.setdefault(kind, FactScore(f"items ({kind})"))
                kind_expected = [item["text"] for item in gold_items if item.get("kind") == kind]
                kind_found = [row[0] for row in rows if row[1] == kind]
                _item_score(gold_id, kind_expected, kind_found, kind_score)
    finally:
        connection.close()
    return score


def score_categories_held_out(gold_dir: Path) -> CategoryReport | None:
    """The category classifier trained leave-one-document-out on the gold items and scored on each held-out one.

    None when the gold has labelled items of fewer than two documents (nothing to train on).
    """
    items = read_gold_items(gold_dir)
    if len({group for group, _, _, _ in items}) < 2:
        return None
    return leave_one_document_out(items)
