"""``baocao eval``: facts of the extracted shared corpus against the gold annotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.evaluate import score_facts
from pipeline.runner import RunSummary
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
