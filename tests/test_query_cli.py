"""`baocao query …` and `baocao serve` argument handling, over the web tests' indexed sample store."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from spacy.language import Language
from typer.testing import CliRunner

from pipeline.cli import app
from test_web_api import build_search_db

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, nlp: Language) -> Path:
    return build_search_db(tmp_path_factory, nlp)


def _json(db: Path, *args: str) -> dict:
    result = runner.invoke(app, ["query", *args, "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_difficulties_json_with_and_without_accents(db: Path) -> None:
    plain = _json(db, "difficulties", "-q", "can bo")
    accented = _json(db, "difficulties", "--q", "cán bộ")
    assert plain["total"] == accented["total"] >= 2
    assert all("cán bộ" in item["text"].lower() or "can bo" in item["text"].lower() for item in plain["items"])
    assert [i["id"] for i in plain["items"]] == [i["id"] for i in accented["items"]]


def test_difficulties_filters(db: Path) -> None:
    body = _json(db, "difficulties", "--province", "quang tri", "--kind", "limitation", "--year", "2020", "--size", "100")
    assert body["total"] == len(body["items"]) >= 1
    assert {(i["province"], i["kind"], i["year"]) for i in body["items"]} == {("Quảng Trị", "limitation", 2020)}
    category = _json(db, "difficulties", "--category", "đất đai", "--issuer", "lien minh")
    assert category["total"] >= 1 and all("đất đai" in i["categories"] for i in category["items"])
    assert _json(db, "difficulties", "--doc-type", "to trinh")["total"] == 0


def test_difficulties_csv_all_pages(db: Path) -> None:
    total = _json(db, "difficulties")["total"]
    result = runner.invoke(app, ["query", "difficulties", "--db", str(db), "--format", "csv", "--all", "--size", "2"])
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(table) == total > 2
    assert {"doc_id", "kind", "text", "categories", "year"} <= set(table[0])


def test_table_format_names_the_total(db: Path) -> None:
    result = runner.invoke(app, ["query", "difficulties", "--db", str(db), "-q", "dat dai"])
    assert result.exit_code == 0
    total = _json(db, "difficulties", "-q", "dat dai")["total"]
    assert f"{total} in all" in result.stdout


def test_references_and_amounts(db: Path) -> None:
    cited = _json(db, "references", "--code", "1763/QĐ-UBND")
    assert cited["total"] == 1 and cited["items"][0]["mentions"]
    amounts = _json(db, "amounts", "--min", "1000000", "--size", "100")
    values = [item["value"] for item in amounts["items"]]
    assert values and min(values) >= 1_000_000 and values == sorted(values, reverse=True)
    result = runner.invoke(app, ["query", "amounts", "--db", str(db), "--format", "csv", "--all"])
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == _json(db, "amounts")["total"]


@pytest.mark.parametrize("args, message", [
    (["difficulties", "--kind", "bogus"], "kind must be one of"),
    (["difficulties", "--year", "abc"], "year"),
    (["references", "--code", "  "], "code must not be empty"),
    (["difficulties", "--format", "xml"], "format"),
])
def test_bad_arguments_exit_with_a_message(db: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["query", *args, "--db", str(db)])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_missing_database_or_index(tmp_path: Path, db: Path) -> None:
    result = runner.invoke(app, ["query", "difficulties", "--db", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 2 and "no such database" in " ".join(result.output.split())
    result = runner.invoke(app, ["serve", "--db", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 2 and "cannot serve" in result.output
    import shutil
    import sqlite3

    bare = tmp_path / "bare.sqlite"
    shutil.copy(db, bare)
    with sqlite3.connect(bare) as connection:
        connection.execute('DROP TABLE "difficulties_fts"')
    result = runner.invoke(app, ["serve", "--db", str(bare)])
    assert result.exit_code == 2 and "no search index" in " ".join(result.output.split())


@pytest.mark.parametrize("args", [
    ["difficulties", "--year", "abc", "--format", "csv"],
    ["difficulties", "--kind", "bogus", "--format", "csv"],
    ["references", "--code", "  ", "--format", "csv"],
])
def test_an_error_goes_to_stderr_and_leaves_stdout_empty(db: Path, args: list[str]) -> None:
    # `baocao query … --format csv > x.csv` must not write the message into the CSV
    result = runner.invoke(app, ["query", *args, "--db", str(db)])
    assert result.exit_code == 2
    assert result.stdout == "" and result.stderr.strip()


def test_a_missing_database_is_reported_on_stderr(tmp_path: Path) -> None:
    result = runner.invoke(app, ["query", "difficulties", "--db", str(tmp_path / "none.sqlite"), "--format", "csv"])
    assert result.exit_code == 2 and result.stdout == "" and "no such database" in " ".join(result.stderr.split())


def test_a_store_an_older_version_wrote_is_named_with_its_missing_columns(tmp_path: Path, db: Path) -> None:
    import shutil
    import sqlite3

    old = tmp_path / "old.sqlite"
    shutil.copy(db, old)
    with sqlite3.connect(old) as connection:
        connection.execute('ALTER TABLE "documents" DROP COLUMN "stamped_date"')
    result = runner.invoke(app, ["query", "difficulties", "--db", str(old)])
    message = " ".join(result.output.split())
    assert result.exit_code == 2 and "older baocao" in message and "stamped_date" in message
    assert "Traceback" not in result.output
