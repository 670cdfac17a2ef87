"""A produced store opens as it is in the tools researchers already use: DuckDB, pandas, Datasette."""

from __future__ import annotations

import datetime
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from pipeline import dictionary
from pipeline.batch import extract
from pipeline.store import DATABASE_NAME, TABLES, date_columns, per_document_tables

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CORPUS = REPO / "corpus"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tools")
    extract([SAMPLE_CORPUS], out)
    return out


def test_duckdb_reads_dates_as_dates_and_years_as_integers(store: Path) -> None:
    connection = duckdb.connect()
    for table in TABLES:
        described = {row[0]: row[1] for row in connection.execute(
            f"DESCRIBE SELECT * FROM read_parquet('{store / (table + '.parquet')}')").fetchall()}
        for column in date_columns(table):
            assert described[column] == "DATE", (table, column)
    assert connection.execute(f"SELECT typeof(year) FROM read_parquet('{store / 'documents.parquet'}') LIMIT 1").fetchone() == ("BIGINT",)
    dates = connection.execute(
        f"SELECT issued_date FROM read_parquet('{store / 'documents.parquet'}') WHERE issued_date IS NOT NULL").fetchall()
    assert dates and all(isinstance(value, datetime.date) for (value,) in dates)
    # date arithmetic works without a cast: a string column would raise here
    assert connection.execute(
        f"SELECT count(*) FROM read_parquet('{store / 'documents.parquet'}') WHERE issued_date < DATE '2100-01-01'"
    ).fetchone()[0] == len(dates)


def test_the_output_folder_describes_itself(store: Path) -> None:
    assert (store / "README.md").read_text(encoding="utf-8") == dictionary.render()
    metadata = json.loads((store / "metadata.json").read_text(encoding="utf-8"))
    tables = metadata["databases"]["reports"]["tables"]
    assert set(tables) == set(TABLES)
    assert tables["difficulties"]["fts_table"] == "difficulties_fts" and tables["documents"]["label_column"] == "title"
    summary, docs = dictionary.table_docs("amounts")
    assert tables["amounts"]["description"] == summary and tables["amounts"]["columns"]["value"] == docs["value"][0]
    # and every Parquet field carries its meaning
    field = pq.read_schema(store / "documents.parquet").field("issued_date")
    assert field.metadata[b"description"].decode() == dictionary.table_docs("documents")[1]["issued_date"][0]


def test_someones_own_readme_in_the_output_folder_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# My project\n", encoding="utf-8")
    written = dictionary.write_output_docs(tmp_path)
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "# My project\n"
    assert written == [tmp_path / "metadata.json"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (localhost only)
        return json.load(response)


def test_datasette_opens_the_store_with_its_metadata_and_links(store: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(store / DATABASE_NAME), "-m", str(store / "metadata.json"),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                database = _get_json(f"{base}/reports.json")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "Datasette did not start"
                time.sleep(0.3)
        listed = {table["name"]: table for table in database["tables"]}  # type: ignore[index]
        for table in per_document_tables():
            outgoing = listed[table]["foreign_keys"]["outgoing"]
            assert {"other_table": "documents", "column": "doc_id", "other_column": "doc_id"} in outgoing, table
        assert listed["documents"]["foreign_keys"]["incoming"]
        # the metadata is the one written beside the database
        written = json.loads((store / "metadata.json").read_text(encoding="utf-8"))
        served = _get_json(f"{base}/-/metadata.json")
        assert served["title"] == written["title"]  # type: ignore[index]
        assert served["databases"]["reports"]["tables"] == written["databases"]["reports"]["tables"]  # type: ignore[index]
        # a difficulty found through the FTS index, with the title of its document as the link's label
        first = _get_json(f"{base}/reports/difficulties.json?_shape=objects&_size=1&_labels=on")
        word = first["rows"][0]["text"].split()[0]  # type: ignore[index]
        from pipeline.normalize import fold_accents

        found = _get_json(f"{base}/reports/difficulties.json?_shape=objects&_search={fold_accents(word)}&_labels=on")
        assert found["rows"], word  # type: ignore[index]
        doc_link = found["rows"][0]["doc_id"]  # type: ignore[index]
        assert isinstance(doc_link, dict) and doc_link["value"] and doc_link["label"] != doc_link["value"]
    finally:
        server.terminate()
        server.wait(timeout=30)
