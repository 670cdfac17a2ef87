"""`baocao parse FILE` and ``pipeline.parse_file``: one file's facts as JSON, without a store.

On ``tests/data/dn001_pages_1_3_12.pdf`` (pages 1, 3 and 12 of a real report, text layer): the
dictionary holds the rows ``extract`` stores for the same file, and the CLI prints it.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from spacy.language import Language
from typer.testing import CliRunner

import pipeline
from pipeline import facts
from pipeline.batch import extract
from pipeline.cli import app
from pipeline.errors import UsageError
from pipeline.ingest import ReadOptions
from pipeline.store import DATABASE_NAME, columns, per_document_tables, TABLES
from tests.conftest import SAMPLE_CORPUS

DATA = Path(__file__).resolve().parent / "data"
PDF = DATA / "dn001_pages_1_3_12.pdf"
NO_OCR = ReadOptions(ocr=False)
runner = CliRunner()


@pytest.fixture(scope="module")
def parsed(nlp: Language) -> dict:
    return pipeline.parse_file(PDF, NO_OCR, nlp=nlp)


def test_parse_file_gives_the_document_and_its_facts(parsed: dict) -> None:
    assert parsed["format"] == 1 and parsed["status"] == "ok" and parsed["errors"] == []
    assert parsed["source_path"] == PDF.as_posix()
    document = parsed["document"]
    assert (document["doc_number"], document["issued_date"], document["year"]) == ("216/BC-STC", "2018-11-14", 2018)
    assert document["agency"] == "Sở Tài chính tỉnh Đắk Nông" and document["pages"] == 3
    assert list(parsed["tables"]) == list(per_document_tables())  # every table, empty ones included
    tables = parsed["tables"]
    assert "1805/KH-STC" in {r["code"] for r in tables["references"]}
    assert any(p["text"] == "100%" and p["value"] == 100 for p in tables["percentages"])
    assert {b["page"] for b in tables["blocks"]} == {1, 2, 3} and len(tables["pages"]) == 3
    # every row has its table's columns, and offsets point into the document's text
    for table, rows in tables.items():
        names = [name for name, _, _ in columns(TABLES[table])]
        for row in rows:
            assert list(row) == names, table
            fact_type = facts.by_table(table)
            if fact_type is not None and fact_type.text_from_span and "text" in row:
                assert document["text"][row["start"]:row["end"]] == row["text"], (table, row)
    json.dumps(parsed, ensure_ascii=False, allow_nan=False)  # plain JSON, no NaN


def test_parse_file_gives_the_rows_extract_stores(parsed: dict, nlp: Language, tmp_path: Path) -> None:
    extract([PDF], tmp_path, nlp=nlp, options=NO_OCR)
    with sqlite3.connect(tmp_path / DATABASE_NAME) as connection:
        connection.row_factory = sqlite3.Row
        stored = dict(connection.execute("SELECT * FROM documents").fetchone())
        assert {k: v for k, v in parsed["document"].items() if k != "source_path"} == {
            k: v for k, v in stored.items() if k != "source_path"}
        for table in per_document_tables():
            names = [name for name, py_type, _ in columns(TABLES[table]) if py_type not in (list, bool)]
            rows = [tuple(r) for r in connection.execute(f'SELECT {", ".join(names)} FROM "{table}" ORDER BY rowid')]
            store_computed = {"group_id", "cited_doc_id"}  # filled across the store, not from one file
            keep = [i for i, name in enumerate(names) if name not in store_computed]
            assert [tuple(row[i] for i in keep) for row in rows] == [
                tuple(r[names[i]] for i in keep) for r in parsed["tables"][table]], table


def test_cli_prints_the_same_json(parsed: dict) -> None:
    result = runner.invoke(app, ["parse", str(PDF), "--no-ocr"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == parsed
    assert result.stderr == ""


def test_cli_jsonl_gives_one_line_per_file_and_out_writes_a_file(tmp_path: Path) -> None:
    text = next(SAMPLE_CORPUS.glob("QT-001__*"))
    out = tmp_path / "facts.jsonl"
    result = runner.invoke(app, ["parse", str(PDF), str(text), "--to", "jsonl", "--out", str(out), "--no-ocr"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["source_path"] for line in lines] == [PDF.as_posix(), text.as_posix()]
    assert json.loads(lines[1])["document"]["file_format"] == "txt"


def test_cli_json_takes_one_file() -> None:
    result = runner.invoke(app, ["parse", str(PDF), str(PDF)])
    assert result.exit_code == 2 and result.stdout == ""
    assert "--to jsonl" in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("name", "content", "status", "code"),
    [("broken.pdf", b"%PDF-1.4\n garbage", "failed", "CORRUPT_PDF"), ("notes.md", b"# not a report\n", "unsupported", None)],
)
def test_cli_unreadable_document_exits_1_naming_it(tmp_path: Path, name: str, content: bytes, status: str, code: str | None) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and status in lines[0] and "Traceback" not in result.stderr
    body = json.loads(result.stdout)  # the failure is data too
    assert body["status"] == status and body["errors"] and body["tables"]["references"] == []
    if code:
        assert body["errors"][0]["code"] == code


@pytest.mark.parametrize("make", [lambda tmp: tmp / "missing.pdf", lambda tmp: tmp], ids=["missing", "folder"])
def test_cli_missing_path_or_folder_exits_2(tmp_path: Path, make: object) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(UsageError):
        pipeline.parse_file(path)
    result = runner.invoke(app, ["parse", str(PDF), str(path), "--to", "jsonl"])
    assert result.exit_code == 2 and result.stdout == ""  # nothing read, not even the good file
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0]


def test_cli_unwritable_out_exits_2(tmp_path: Path) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    result = runner.invoke(app, ["parse", str(PDF), "--out", str(folder)])
    assert result.exit_code == 2 and result.stdout == ""
    assert "cannot write" in result.stderr


def test_parse_reads_a_copy_under_any_name(tmp_path: Path, nlp: Language, parsed: dict) -> None:
    copy = tmp_path / "báo cáo 216.pdf"
    shutil.copy(PDF, copy)
    again = pipeline.parse_file(copy, NO_OCR, nlp=nlp)
    assert again["source_path"] == copy.as_posix()
    assert again["document"]["doc_id"] == parsed["document"]["doc_id"]
    assert again["tables"]["references"] == parsed["tables"]["references"]
