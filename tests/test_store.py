"""The store and the data contract: schema, idempotent writes, Parquet, data dictionary."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.batch import RunSummary, extract
from pipeline.store import DATABASE_NAME, TABLES, DocumentRow, ErrorRow, arrow_schema, columns, connect, write_document
from tests.conftest import REPO, SAMPLE_CORPUS, SHARED_CORPUS


def _rows(db: Path, table: str) -> list[tuple]:  # type: ignore[type-arg]
    with sqlite3.connect(db) as connection:
        return sorted(connection.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)


def test_shared_corpus_has_no_failed_document(shared_dataset: tuple[Path, RunSummary]) -> None:
    out, summary = shared_dataset
    assert summary.failed == 0
    with sqlite3.connect(out / DATABASE_NAME) as connection:
        by_format = dict(connection.execute(
            "SELECT file_format, group_concat(DISTINCT status) FROM documents GROUP BY file_format"
        ).fetchall())
        internal = connection.execute(
            "SELECT message FROM errors WHERE stage != 'ingest' OR code NOT IN ('OCR_NEEDED', 'TEXT_LAYER_POOR')"
        ).fetchall()
        # with OCR off (conftest), a PDF is ok unless pages need OCR or its text layer is garbage
        text_pdfs_not_ok = connection.execute(
            "SELECT source_path FROM documents d WHERE file_format='pdf' AND ocr_pages = 0 AND status != 'ok' "
            "AND NOT EXISTS (SELECT 1 FROM errors e WHERE e.doc_id = d.doc_id AND e.code = 'TEXT_LAYER_POOR')"
        ).fetchall()
        poor = connection.execute("SELECT source_path FROM errors WHERE code = 'TEXT_LAYER_POOR'").fetchall()
    assert by_format["txt"] == "ok" and by_format["docx"] == "ok" and by_format["doc"] == "ok"
    assert by_format["image"] == "partial"
    assert text_pdfs_not_ok == []
    # the two Đà Nẵng PDFs carry a poor old OCR layer
    assert {"DA-001__1.pdf", "DA-003__3.pdf"} <= {p for (p,) in poor}
    # the only non-document file of the corpus is PROVENANCE.md
    assert [m for (m,) in internal] == ["PROVENANCE.md: unknown file type '.md' [UNSUPPORTED_FORMAT]"]


def test_scanned_pdfs_are_partial_with_an_ocr_error_row(shared_dataset: tuple[Path, RunSummary]) -> None:
    out, _ = shared_dataset
    with sqlite3.connect(out / DATABASE_NAME) as connection:
        row = connection.execute(
            "SELECT d.status, d.ocr_pages, d.pages, e.code FROM documents d JOIN errors e USING (doc_id) "
            "WHERE d.source_path LIKE 'DN-008__%'"
        ).fetchone()
    assert row == ("partial", 7, 7, "OCR_NEEDED")


def test_rerun_is_idempotent(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = extract([SAMPLE_CORPUS], out)
    snapshot = {t: _rows(out / DATABASE_NAME, t) for t in TABLES}
    second = extract([SAMPLE_CORPUS], out)
    assert first.rows == second.rows
    assert {t: _rows(out / DATABASE_NAME, t) for t in TABLES} == snapshot
    assert first.rows["documents"] == 4


def test_write_document_replaces_in_one_transaction(tmp_path: Path) -> None:
    connection = connect(tmp_path / DATABASE_NAME)
    row = DocumentRow(
        doc_id="0" * 16, source_path="a.txt", file_format="txt", pages=None, ocr_pages=0, status="ok", doc_type=None, doc_kind=None,
        doc_number=None, issuer=None, agency=None, parent_agency=None, place=None, issued_date=None, year=None, title=None, signer=None,
        province=None, draft=None, stamped_number=None, stamped_date=None, text="x", pipeline_version="t", file_size=1, encoding="utf-8",
    )
    write_document(connection, "a.txt", row, [ErrorRow("a.txt", row.doc_id, "ingest", "X", "first")], {})
    write_document(connection, "a.txt", row, [ErrorRow("a.txt", row.doc_id, "ingest", "Y", "second")], {})
    assert connection.execute("SELECT count(*) FROM documents").fetchone() == (1,)
    assert connection.execute("SELECT code FROM errors").fetchall() == [("Y",)]
    # a failing insert rolls the whole document back: the previous rows survive
    broken = DocumentRow(**{**vars(row), "text": None})  # type: ignore[arg-type]
    with pytest.raises(sqlite3.IntegrityError):
        write_document(connection, "a.txt", broken, [], {})
    assert connection.execute("SELECT text FROM documents").fetchall() == [("x",)]
    assert connection.execute("SELECT code FROM errors").fetchall() == [("Y",)]


def test_parquet_files_match_the_contract(tmp_path: Path) -> None:
    extract([SAMPLE_CORPUS], tmp_path)
    for table in TABLES:
        parquet = pq.read_table(tmp_path / f"{table}.parquet")
        assert parquet.schema.names == [name for name, _, _ in columns(TABLES[table])]
        assert parquet.schema.equals(arrow_schema(table), check_metadata=False)
    documents = pd.read_parquet(tmp_path / "documents.parquet")
    assert sorted(documents["file_format"]) == ["doc", "docx", "pdf", "txt"]
    assert set(documents["status"]) == {"ok"}
    assert not list(tmp_path.glob(".*.tmp"))


def test_data_dictionary_documents_every_column() -> None:
    dictionary = (REPO / "extracted" / "README.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## (\w+) .*?\n(.*?)(?=^## |\Z)", dictionary, flags=re.M | re.S))
    for table, row_type in TABLES.items():
        assert table in sections, f"table {table} is not documented"
        body = sections[table].split("|---|", 1)[1]
        documented = re.findall(r"^\| (\w+) \|", body, flags=re.M)
        assert documented == [name for name, _, _ in columns(row_type)], table


def test_cli_extract_prints_a_summary_and_exits_zero(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["extract", str(SAMPLE_CORPUS), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "Documents by status" in output and "Rows per table" in output
    assert re.search(r"ok\s*│\s*4", result.output)
    assert (tmp_path / DATABASE_NAME).is_file()


def _readable_and_broken(tmp_path: Path, corpus: Path) -> Path:
    """An input folder holding QT-001 from ``corpus`` and a PDF that cannot be read."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(next(corpus.glob("QT-001__*")), folder)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n garbage")
    return folder


def test_cli_exit_status_counts_failures(tmp_path: Path) -> None:
    folder = _readable_and_broken(tmp_path, SHARED_CORPUS)
    summary = tmp_path / "summary.json"
    result = CliRunner().invoke(app, ["extract", str(folder), "--out", str(tmp_path / "out"), "--summary-json", str(summary)])
    assert result.exit_code == 1
    assert "1 document(s) failed (broken.pdf)" in result.stderr and "document(s) failed" not in result.stdout
    written = json.loads(summary.read_text(encoding="utf-8"))
    assert written["failed_files"] == ["broken.pdf"] and written["statuses"] == {"failed": 1, "ok": 1}
    assert written["rows"]["documents"] == 2 and written["actions"]["new"] == 2


def test_every_per_document_table_links_to_its_document(tmp_path: Path) -> None:
    extract([SAMPLE_CORPUS], tmp_path)
    with sqlite3.connect(tmp_path / DATABASE_NAME) as connection:
        for table in TABLES:
            keys = connection.execute(f'PRAGMA foreign_key_list("{table}")').fetchall()
            if table in ("documents", "errors"):
                continue
            assert [(key[2], key[3], key[4]) for key in keys] == [("documents", "doc_id", "doc_id")], table
        connection.execute("PRAGMA foreign_keys=ON")
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []


def test_an_older_store_without_keys_gains_them_and_keeps_its_rows(tmp_path: Path) -> None:
    extract([SAMPLE_CORPUS], tmp_path)
    db = tmp_path / DATABASE_NAME
    before = {t: _rows(db, t) for t in TABLES}
    with sqlite3.connect(db) as connection:  # the schema as older versions wrote it: no keys
        for table in ("blocks", "references"):
            sql = connection.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
            connection.execute(f'ALTER TABLE "{table}" RENAME TO "{table}_x"')
            connection.execute(re.sub(r", FOREIGN KEY .*\)\)$", ")", sql))
            connection.execute(f'INSERT INTO "{table}" SELECT * FROM "{table}_x"')
            connection.execute(f'DROP TABLE "{table}_x"')
        assert connection.execute('PRAGMA foreign_key_list("blocks")').fetchall() == []
    connect(db).close()
    assert {t: _rows(db, t) for t in TABLES} == before
    with sqlite3.connect(db) as connection:
        assert connection.execute('PRAGMA foreign_key_list("blocks")').fetchall()
        assert connection.execute('PRAGMA index_list("blocks")').fetchall()


def test_every_fact_row_has_a_stable_unique_id(tmp_path: Path) -> None:
    from pipeline import facts

    extract([SAMPLE_CORPUS], tmp_path / "a")
    extract([SAMPLE_CORPUS], tmp_path / "b", force=True)
    for fact_type in facts.registered():
        table = fact_type.table
        ids = {}
        for run in ("a", "b"):
            with sqlite3.connect(tmp_path / run / DATABASE_NAME) as connection:
                rows = connection.execute(f'SELECT fact_id, doc_id, start, "end" FROM "{table}"').fetchall()
                assert connection.execute(f'PRAGMA index_info("idx_{table}_fact_id")').fetchall(), table
            ids[run] = sorted(row[0] for row in rows)
            assert all(fid == facts.fact_id(d, fact_type.key, a, b) for fid, d, a, b in rows), table
            assert len(set(ids[run])) == len(ids[run]), table
        assert ids["a"] == ids["b"], table
    assert ids["a"]  # the sample has difficulty items
    parquet = pd.read_parquet(tmp_path / "a" / "amounts.parquet")
    assert parquet["fact_id"].str.startswith(tuple(parquet["doc_id"])).all()


def test_repeats_of_one_span_get_numbered_ids() -> None:
    from pipeline import facts

    assert facts.fact_id("ab", "money", 3, 9) == "ab-money-3-9"
    assert facts.fact_id("ab", "money", 3, 9, 2) == "ab-money-3-9.2"


def test_an_older_store_without_fact_ids_gains_them(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    extract([SAMPLE_CORPUS], tmp_path)
    db = tmp_path / DATABASE_NAME
    before = {t: _rows(db, t) for t in ("amounts", "difficulties", "references")}
    with sqlite3.connect(db) as connection:  # as older versions wrote them: no fact_id
        for table in before:
            connection.execute(f'DROP INDEX "idx_{table}_fact_id"')
            connection.execute(f'ALTER TABLE "{table}" DROP COLUMN fact_id')
        # a repeated span, as a fact type could give, is numbered in the order it was written
        connection.execute('INSERT INTO "amounts" SELECT * FROM "amounts" WHERE rowid = (SELECT min(rowid) FROM "amounts")')
    with caplog.at_level(logging.INFO, logger="baocao"):
        connect(db).close()
    assert sorted(r.getMessage() for r in caplog.records if "fact_id" in r.getMessage()) == [
        f"store: giving the rows of {t} their fact_id" for t in sorted(before)]
    with sqlite3.connect(db) as connection:
        ids = [row[0] for row in connection.execute('SELECT fact_id FROM "amounts" ORDER BY rowid')]
    assert ids[-1] == ids[0] + ".2" and len(set(ids)) == len(ids)
    with sqlite3.connect(db) as connection:
        connection.execute('DELETE FROM "amounts" WHERE rowid = (SELECT max(rowid) FROM "amounts")')
    assert {t: _rows(db, t) for t in before} == before


def test_each_document_is_logged_at_debug_level(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    folder = _readable_and_broken(tmp_path, SAMPLE_CORPUS)
    with caplog.at_level(logging.DEBUG, logger="baocao"):
        extract([folder], tmp_path / "out")
    lines = sorted(r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG)
    assert len(lines) == 2
    assert re.fullmatch(r"QT-001__\S+: ok in \d+\.\d\d s", lines[0]), lines
    assert re.fullmatch(r"broken\.pdf: failed in \d+\.\d\d s \(CORRUPT_PDF\)", lines[1]), lines


def test_dates_are_dates_and_integers_integers_in_parquet(tmp_path: Path) -> None:
    import datetime

    from pipeline.store import date_columns

    extract([SAMPLE_CORPUS], tmp_path)
    assert date_columns("documents") == ("issued_date",) and "date" in date_columns("dates")
    for table in TABLES:
        schema = pq.read_schema(tmp_path / f"{table}.parquet")
        for column in date_columns(table):
            assert str(schema.field(column).type) == "date32[day]", (table, column)
    dates = pd.read_parquet(tmp_path / "dates.parquet")
    assert len(dates) and all(isinstance(v, datetime.date) for v in dates["date"].dropna())
    # nullable integers stay integers in plain pandas
    documents = pd.read_parquet(tmp_path / "documents.parquet")
    assert str(documents["year"].dtype) == "Int64" and str(dates["page"].dtype) == "Int64"
    with sqlite3.connect(tmp_path / DATABASE_NAME) as connection:
        declared = {row[1]: row[2] for row in connection.execute('PRAGMA table_info("documents")')}
    assert declared["issued_date"] == "DATE"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: ([tmp / "missing"], tmp / "out"), "no such file or folder"),
        (lambda tmp: ([(tmp / "empty").mkdir() or tmp / "empty"], tmp / "out"), "nothing to read"),
        (lambda tmp: ([SAMPLE_CORPUS], (tmp / "taken").write_text("x") and tmp / "taken"), "is a file, not a folder"),
    ],
)
def test_an_impossible_request_exits_2_with_one_line_on_stderr(tmp_path: Path, make: object, message: str) -> None:
    from pipeline.batch import check_request
    from pipeline.errors import UsageError

    inputs, out = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(UsageError, match=message):
        check_request(inputs, out)
    result = CliRunner().invoke(app, ["extract", *map(str, inputs), "--out", str(out)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_version_option() -> None:
    from pipeline import __version__

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"baocao {__version__}"


def test_progress_is_logged_off_a_terminal(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import logging
    import subprocess
    import sys

    with caplog.at_level(logging.INFO, logger="baocao"):
        extract([SAMPLE_CORPUS], tmp_path / "lib")
    lines = [r.getMessage() for r in caplog.records if r.name == "baocao"]
    assert lines[0].startswith("extract: 4 files to read") and lines[-1].startswith("extract: 4/4 files read, 0 failed")
    # the CLI, its stderr a pipe as in a cluster job: the same lines, timestamped, on stderr only
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "extract", str(SAMPLE_CORPUS), "--out", str(tmp_path / "cli")],
        capture_output=True, text=True, timeout=600, cwd=REPO, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "baocao extract: 4/4 files read, 0 failed" in done.stderr and "files read" not in done.stdout


def test_the_cli_leaves_the_library_logger_as_it_found_it(tmp_path: Path) -> None:
    import logging

    library = logging.getLogger("baocao")
    before = (library.handlers[:], library.level, library.propagate)
    result = CliRunner().invoke(app, ["extract", str(SAMPLE_CORPUS), "--out", str(tmp_path)])
    assert result.exit_code == 0 and "files read" in result.stderr  # the runner's stderr is no terminal
    assert (library.handlers[:], library.level, library.propagate) == before


def test_quiet_prints_only_the_errors(tmp_path: Path) -> None:
    import logging

    folder = _readable_and_broken(tmp_path, SAMPLE_CORPUS)
    summary = tmp_path / "summary.json"
    library = logging.getLogger("baocao")
    before = (library.handlers[:], library.level, library.propagate)
    # the runner's stderr is no terminal: without --quiet, progress lines would come (test above)
    result = CliRunner().invoke(app, ["extract", str(folder), "--out", str(tmp_path / "out"), "--quiet",
                                      "--summary-json", str(summary)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == ["1 document(s) failed (broken.pdf): see the errors table"]
    assert json.loads(summary.read_text(encoding="utf-8"))["statuses"] == {"failed": 1, "ok": 1}
    assert (library.handlers[:], library.level, library.propagate) == before
    again = CliRunner().invoke(app, ["extract", str(folder), "--out", str(tmp_path / "out"), "-q"])
    assert again.exit_code == 1 and again.stdout == "" and "files read" not in again.stderr


def test_quiet_and_verbose_contradict(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["-v", "extract", str(SAMPLE_CORPUS), "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 2 and "contradict" in result.output
    assert not (tmp_path / DATABASE_NAME).exists()


def test_executor_choices_are_shown_and_checked(tmp_path: Path) -> None:
    shown = CliRunner().invoke(app, ["extract", "--help"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0 and "auto|inline|process|dask" in shown.output
    wrong = CliRunner().invoke(app, ["extract", str(SAMPLE_CORPUS), "--out", str(tmp_path), "--executor", "threads"])
    assert wrong.exit_code == 2 and "threads" in wrong.output
    assert not (tmp_path / DATABASE_NAME).exists()


def test_every_option_of_every_command_has_help_and_choices_are_listed() -> None:
    import typer.main

    # typer may carry its own copy of click: the classes are told apart by what they have
    def options(command: Any, path: str) -> list[tuple[str, Any]]:
        found = [(path, p) for p in command.params if p.param_type_name == "option" and not getattr(p, "hidden", False)]
        for name, sub in getattr(command, "commands", {}).items():
            found += options(sub, f"{path} {name}")
        return found

    listed = options(typer.main.get_command(app), "baocao")
    assert len(listed) >= 30
    assert [(path, p.opts) for path, p in listed if not (p.help or "").strip()] == []
    # the options that take one of a few values show them
    for args, shown in [
        (["extract"], "auto|inline|process|dask"), (["parse"], "json|jsonl"),
        (["query", "difficulties"], "table|csv|json"), (["query", "amounts"], "table|csv|json"),
        (["query", "references"], "table|csv|json"),
    ]:
        result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "300"})
        assert result.exit_code == 0 and shown in result.output, args
