"""``baocao eval``: facts of the extracted shared corpus against the gold annotations."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.evaluate import score_citations, score_difficulties, score_facts, score_metadata
from pipeline.extract.difficulties import heading_kinds
from pipeline.batch import RunSummary
from pipeline.batch import regroup_difficulties
from pipeline.store import DATABASE_NAME
from tests.conftest import GOLD


@pytest.mark.parametrize("fact", ["references", "money", "percent"])
def test_facts_reach_f1_097_on_gold(shared_dataset: tuple[Path, RunSummary], fact: str) -> None:
    out, _ = shared_dataset
    score = score_facts(GOLD, out)[fact]
    assert score.true_positives + score.false_negatives > 0
    assert score.f1 >= 0.97, (score.misses, score.false_hits)


def test_eval_reports_misses_and_false_hits(tmp_path: Path, shared_dataset: tuple[Path, RunSummary]) -> None:
    out, _ = shared_dataset
    gold = json.loads((GOLD / "QT-001.json").read_text(encoding="utf-8"))
    gold["references"].append({"code": "1/QĐ-XYZ", "type": None, "date": None, "issuer": None, "mentions": 1})
    gold["percent"] = gold["percent"][1:]
    (tmp_path / "QT-001.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    scores = score_facts(tmp_path, out)
    assert scores["references"].misses == {"QT-001": ["1/QĐ-XYZ"]}
    assert scores["percent"].false_hits == {"QT-001": ["49.3%"]}
    assert scores["money"].f1 == 1.0
    result = CliRunner().invoke(app, ["eval", str(tmp_path), "--out", str(out)])
    assert result.exit_code == 0
    output = " ".join(result.output.split())
    assert "references missed in QT-001: 1/QĐ-XYZ" in output
    assert "percent false hits in QT-001: 49.3%" in output


def test_difficulty_items_reach_f1_09_on_gold(shared_dataset: tuple[Path, RunSummary]) -> None:
    out, _ = shared_dataset
    score = score_difficulties(GOLD, out).items
    assert score.true_positives + score.false_negatives >= 25
    assert score.f1 >= 0.9, (score.misses, score.false_hits)


def test_every_document_with_a_difficulty_heading_yields_items(shared_dataset: tuple[Path, RunSummary]) -> None:
    out, _ = shared_dataset
    with sqlite3.connect(out / DATABASE_NAME) as connection:
        headings = connection.execute("SELECT doc_id, heading FROM sections").fetchall()
        with_items = {d for (d,) in connection.execute('SELECT DISTINCT doc_id FROM "difficulties"')}
        groups = connection.execute('SELECT COUNT(*) FROM "difficulties" WHERE group_id IS NULL').fetchone()
    with_heading = {doc_id for doc_id, heading in headings if heading_kinds(heading)}
    assert len(with_heading) >= 8
    assert with_heading <= with_items
    assert groups == (0,)


def test_groups_are_recomputed_identically(shared_dataset: tuple[Path, RunSummary], tmp_path: Path) -> None:
    out, _ = shared_dataset
    copy = tmp_path / DATABASE_NAME
    with sqlite3.connect(out / DATABASE_NAME) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    with sqlite3.connect(copy) as connection:
        before = connection.execute('SELECT doc_id, start, group_id FROM "difficulties" ORDER BY 1, 2').fetchall()
        connection.execute('UPDATE "difficulties" SET group_id = NULL')
        regroup_difficulties(connection)
        after = connection.execute('SELECT doc_id, start, group_id FROM "difficulties" ORDER BY 1, 2').fetchall()
    assert after == before
    assert len({g for _, _, g in before}) < len(before)  # some complaints recur across reports


def test_a_difficulties_scope_leaves_the_other_facts_out(tmp_path: Path, shared_dataset: tuple[Path, RunSummary]) -> None:
    out, _ = shared_dataset
    gold = json.loads((GOLD / "QT-001.json").read_text(encoding="utf-8"))
    gold["money"], gold["percent"], gold["references"] = [], [], []
    gold["scope"] = "difficulties"
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "QT-001.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    facts = score_facts(tmp_path, out)
    # not gold for these facts: nothing extracted from QT-001 counts as a false hit
    assert all(score.true_positives + score.false_positives == 0 for score in facts.values())
    items = score_difficulties(tmp_path, out)
    assert items.items.true_positives == len(gold["difficulties"]) + len(gold["recommendations"])


def test_a_scope_that_lists_its_parts_scores_only_those(tmp_path: Path, shared_dataset: tuple[Path, RunSummary]) -> None:
    # a table's figures annotated alone: references and difficulty items are not gold
    out, _ = shared_dataset
    gold = json.loads((GOLD / "QT-001.json").read_text(encoding="utf-8"))
    assert gold["difficulties"] and gold["references"]
    gold["difficulties"], gold["recommendations"], gold["references"] = [], [], []
    gold["scope"] = ["metadata", "money", "percent"]
    (tmp_path / "QT-001.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    facts = score_facts(tmp_path, out)
    assert facts["references"].true_positives + facts["references"].false_positives == 0
    assert facts["money"].true_positives == len(gold["money"]) and facts["money"].false_positives == 0
    items = score_difficulties(tmp_path, out)
    assert items.items.true_positives + items.items.false_positives + items.items.false_negatives == 0
    assert score_metadata(tmp_path, out).documents == 1
    gold["scope"] = ["money"]
    (tmp_path / "QT-001.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    assert score_metadata(tmp_path, out).documents == 0


def test_citation_attributes_are_scored_where_the_gold_names_them(tmp_path: Path, shared_dataset: tuple[Path, RunSummary]) -> None:
    out, _ = shared_dataset
    scores = score_citations(GOLD, out)
    assert set(scores) == {"type", "date", "issuer"}
    right, compared = scores["issuer"]
    assert compared > 50 and right / compared >= 0.95
    # one gold issuer changed: one fewer right, as many compared
    gold = json.loads((GOLD / "DN-001.json").read_text(encoding="utf-8"))
    named = [r for r in gold["references"] if r.get("issuer") and not r.get("number_only")]
    (tmp_path / "DN-001.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    before = score_citations(tmp_path, out)["issuer"]
    assert before[1] == len(named)
    named[0]["issuer"] = "Bộ Ngoại giao"
    (tmp_path / "DN-001.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    after = score_citations(tmp_path, out)["issuer"]
    assert after == (before[0] - 1, before[1])


def test_eval_prints_kinds_categories_and_groups(shared_dataset: tuple[Path, RunSummary]) -> None:
    out, _ = shared_dataset
    result = CliRunner().invoke(app, ["eval", str(GOLD), "--out", str(out)])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    for kind in ("difficulty", "limitation", "cause", "recommendation"):
        assert f"items ({kind})" in output
    assert "leave-one-document-out" in output
    assert "groups, pairwise over matched items" in output
    assert "groups reported by 2+ agencies" in output
    assert "metadata per field: doc_type" in output and "citation attributes" in output
    scores = score_difficulties(GOLD, out)
    assert set(scores.by_kind) == {"difficulty", "limitation", "cause", "recommendation"}
    assert scores.matched and 0 < scores.primary_accuracy <= 1


def test_eval_without_a_store_or_without_gold_names_the_path_and_exits_2(tmp_path: Path) -> None:
    """A missing store gave an SQLite traceback, a folder without gold a silent "0/0 fields"."""
    empty_gold = tmp_path / "gold"
    empty_gold.mkdir()
    no_store = tmp_path / "out"
    cases = [
        ([str(GOLD), "--out", str(no_store)], f"{no_store / DATABASE_NAME}: no such store"),
        ([str(empty_gold), "--out", str(no_store)], f"{empty_gold}: no gold annotation"),
        ([str(tmp_path / "missing"), "--out", str(no_store)], "no such folder of gold annotations"),
    ]
    for arguments, message in cases:
        result = CliRunner().invoke(app, ["eval", *arguments])
        assert result.exit_code == 2, result.output
        assert message in " ".join(result.output.split()), result.output
