"""A batch under hostile but fair conditions (issue 19): odd file names, colliding roots, folders
that cannot be listed, deleted sources, unusable or busy output folders, very long texts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from spacy.language import Language

from pipeline.batch import extract
from pipeline.nlp import SECTION_CHARS, build_nlp, token_spans
from pipeline.store import DATABASE_NAME, connect, export_parquet, remove_stale_temporaries

REPORT = (
    "ỦY BAN NHÂN DÂN\nTỈNH BẮC NINH\nSố: 12/BC-UBND\nBÁO CÁO\n"
    "Kết quả thực hiện năm 2023: tổng kinh phí 1.250 triệu đồng, đạt 95% kế hoạch.\n"
)


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build_nlp()


def _report(path: Path, extra: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(REPORT + extra, encoding="utf-8")
    return path


def _rows(out: Path, sql: str, *params: object) -> list[tuple]:  # type: ignore[type-arg]
    with sqlite3.connect(out / DATABASE_NAME) as connection:
        return connection.execute(sql, params).fetchall()


# -- 8. a very long text ----------------------------------------------------------------------------


def test_a_text_of_two_million_characters_is_processed(tmp_path: Path, nlp: Language) -> None:
    # dotted leader lines, as in forms: cheap to segment, so the test stays fast
    path = _report(tmp_path / "in" / "long.txt", ("." * 999 + "\n") * 2000 + "Khó khăn: thiếu vốn đầu tư năm 2024.\n")
    summary = extract([path], tmp_path / "out", nlp=nlp)
    assert summary.statuses == {"ok": 1}
    (length,) = _rows(tmp_path / "out", "SELECT length(text) FROM documents")[0]
    assert length > 2_000_000
    assert _rows(tmp_path / "out", "SELECT count(*) FROM amounts")[0][0] >= 1


def test_a_very_long_line_is_segmented_in_sections_at_spaces() -> None:
    line = "ab cd " * (SECTION_CHARS // 3)  # twice the section size, one line
    spans = token_spans(line)
    words = [line[start:end] for start, end in spans]
    assert " ".join(words).split() == line.split()  # every word found once, none cut in two
    assert all(line[start:end].strip() == line[start:end] for start, end in spans)


# -- 10. two writers of one output folder -----------------------------------------------------------


def test_temporary_parquet_names_are_the_writers_own(tmp_path: Path) -> None:
    connection = connect(tmp_path / DATABASE_NAME)
    try:
        other = tmp_path / ".documents.parquet.4242-abcd.tmp"  # another writer's file, mid-export
        other.write_bytes(b"partial")
        export_parquet(connection, tmp_path, ["documents"])
        assert other.read_bytes() == b"partial"
        assert sorted(p.name for p in tmp_path.glob(".*")) == [other.name]
        # what a killed run left is swept by the next holder of the lock
        assert remove_stale_temporaries(tmp_path) == [other]
        assert not other.exists() and (tmp_path / "documents.parquet").exists()
    finally:
        connection.close()
