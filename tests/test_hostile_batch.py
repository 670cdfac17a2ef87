"""A batch under hostile but fair conditions (issue 19): odd file names, colliding roots, folders
that cannot be listed, deleted sources, unusable or busy output folders, very long texts."""

from __future__ import annotations

import errno
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from spacy.language import Language
from typer.testing import CliRunner

from pipeline.batch import LOCK_NAME, discover, extract, raw_path, readable_path
from pipeline.cli import app
from pipeline.errors import OutputBusy, UsageError
from pipeline.nlp import SECTION_CHARS, build_nlp, token_spans
from pipeline.store import DATABASE_NAME, export_parquet, connect, remove_stale_temporaries
from tests.conftest import REPO

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


# -- 1. names that are not UTF-8 ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", [b"b\xe1o c\xe1o.txt", "báo cáo.txt".encode(), b"a\\x41\\.txt", b"\xff\xfe", b"plain.txt"]
)
def test_readable_path_is_lossless(name: bytes) -> None:
    text = readable_path(os.fsdecode(name))
    text.encode("utf-8")  # storable as SQLite/Parquet text
    assert raw_path(text) == name


def test_a_name_that_is_not_utf8_is_read_and_shown_readably(tmp_path: Path, nlp: Language) -> None:
    folder = tmp_path / "in"
    _report(folder / "good.txt", "Phụ lục.\n")
    raw_name = b"b\xe1o c\xe1o.txt"  # latin-1 bytes, as copied from an old Windows machine
    with open(os.fsencode(folder) + b"/" + raw_name, "wb") as handle:
        handle.write(REPORT.encode("utf-8"))
    out = tmp_path / "out"

    summary = extract([folder], out, nlp=nlp)
    assert summary.statuses == {"ok": 2}
    stored = dict(_rows(out, "SELECT source_path, status FROM documents"))
    assert stored == {"b\\xe1o c\\xe1o.txt": "ok", "good.txt": "ok"}
    assert raw_path("b\\xe1o c\\xe1o.txt") == raw_name
    assert set(pd.read_parquet(out / "documents.parquet").source_path) == set(stored)

    again = extract([folder], out, nlp=nlp)
    assert again.actions == {"unchanged": 2}


# -- 3. two roots holding the same relative path ---------------------------------------------------


def test_two_roots_with_the_same_relative_path_keep_their_own_rows(tmp_path: Path, nlp: Language) -> None:
    a, b = tmp_path / "A", tmp_path / "B"
    _report(a / "report.txt", "Tỉnh A.\n")
    _report(b / "report.txt", "Tỉnh B.\n")
    for root in (a, b):
        (root / "broken.pdf").write_bytes(b"%PDF-1.4 not really " + root.name.encode())
    out = tmp_path / "out"

    first = extract([a, b], out, nlp=nlp)
    assert first.actions == {"new": 4}
    documents = dict(_rows(out, "SELECT source_path, doc_id FROM documents WHERE status = 'ok'"))
    assert set(documents) == {f"{a.as_posix()}/report.txt", f"{b.as_posix()}/report.txt"}
    errors = {path for (path,) in _rows(out, "SELECT source_path FROM errors")}
    assert errors == {f"{a.as_posix()}/broken.pdf", f"{b.as_posix()}/broken.pdf"}

    _report(b / "report.txt", "Tỉnh B, bản sửa.\n")
    changed = extract([a, b], out, nlp=nlp)
    assert changed.actions == {"changed": 1, "unchanged": 3}
    after = dict(_rows(out, "SELECT source_path, doc_id FROM documents WHERE status = 'ok'"))
    assert after[f"{a.as_posix()}/report.txt"] == documents[f"{a.as_posix()}/report.txt"]
    assert after[f"{b.as_posix()}/report.txt"] != documents[f"{b.as_posix()}/report.txt"]
    assert _rows(out, "SELECT count(*) FROM blocks WHERE doc_id = ?", documents[f"{a.as_posix()}/report.txt"])[0][0] > 0
    assert {path for (path,) in _rows(out, "SELECT source_path FROM errors")} == errors


def test_one_root_keeps_paths_relative_to_it(tmp_path: Path) -> None:
    _report(tmp_path / "in" / "sub" / "x.txt")
    assert [s for _, s in discover([tmp_path / "in"])] == ["sub/x.txt"]
    assert [s for _, s in discover([tmp_path / "in" / "sub" / "x.txt"])] == ["x.txt"]


# -- 5. a folder that cannot be listed -------------------------------------------------------------


def _too_deep(root: Path, levels: int = 18) -> str:
    """Folders nested past PATH_MAX (made through directory descriptors), a file at the bottom;
    returns the relative path of the deepest folder."""
    name = "d" * 250
    descriptor = os.open(root, os.O_RDONLY)
    for _ in range(levels):
        os.mkdir(name, dir_fd=descriptor)
        deeper = os.open(name, os.O_RDONLY, dir_fd=descriptor)
        os.close(descriptor)
        descriptor = deeper
    file = os.open("lost.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=descriptor)
    os.write(file, REPORT.encode("utf-8"))
    os.close(file)
    os.close(descriptor)
    return "/".join([name] * levels)


def test_a_folder_that_cannot_be_listed_is_an_error_row_and_the_batch_goes_on(tmp_path: Path, nlp: Language) -> None:
    folder = tmp_path / "in"
    _report(folder / "good.txt")
    deepest = _too_deep(folder)
    out = tmp_path / "out"
    try:
        summary = extract([folder], out, nlp=nlp)
        assert summary.statuses == {"ok": 1}
        assert len(summary.unreadable_folders) == 1
        unreadable = summary.unreadable_folders[0]
        assert deepest.startswith(unreadable + "/") or deepest == unreadable
        rows = _rows(out, "SELECT source_path, stage, code, message FROM errors")
        assert len(rows) == 1
        source_path, stage, code, message = rows[0]
        assert (source_path, stage, code) == (unreadable, "discover", "FOLDER_UNREADABLE")
        assert message.startswith(unreadable + ": cannot list the folder (File name too long)")

        result = CliRunner().invoke(app, ["extract", str(folder), "--out", str(out), "-j", "1"])
        assert result.exit_code == 1
        assert "1 folder(s) could not be listed" in result.stderr
        assert len(_rows(out, "SELECT * FROM errors")) == 1  # the same row, not a second one
    finally:
        shutil.rmtree(folder)


def test_what_is_stored_under_a_folder_that_cannot_be_listed_is_neither_missing_nor_pruned(
    tmp_path: Path, nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    _report(folder / "top.txt")
    _report(folder / "sub" / "inner.txt", "Phụ lục.\n")
    out = tmp_path / "out"
    extract([folder], out, nlp=nlp)
    listing = os.scandir

    def refusing(path: str | Path = ".") -> object:  # a folder whose permission was taken away
        if Path(path) == folder / "sub":
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return listing(path)

    monkeypatch.setattr(os, "scandir", refusing)
    summary = extract([folder], out, nlp=nlp, prune=True)
    assert summary.unreadable_folders == ["sub"]
    assert summary.missing_files == [] and summary.actions == {"unchanged": 1}
    assert _rows(out, "SELECT source_path FROM documents ORDER BY 1") == [("sub/inner.txt",), ("top.txt",)]
    assert _rows(out, "SELECT source_path, code FROM errors") == [("sub", "FOLDER_UNREADABLE")]


# -- 6. sources deleted from the archive -----------------------------------------------------------


def test_deleted_sources_are_reported_missing_and_removed_by_prune(tmp_path: Path, nlp: Language) -> None:
    folder = tmp_path / "in"
    _report(folder / "kept.txt")
    _report(folder / "gone.txt", "Phụ lục.\n")
    (folder / "gone.xyz").write_bytes(b"not a document")  # an errors row only, no document row
    out = tmp_path / "out"
    extract([folder], out, nlp=nlp)
    gone_id = _rows(out, "SELECT doc_id FROM documents WHERE source_path = 'gone.txt'")[0][0]
    (folder / "gone.txt").unlink()
    (folder / "gone.xyz").unlink()

    for _ in range(2):  # reported again on every run, not piled up
        summary = extract([folder], out, nlp=nlp)
        assert summary.missing_files == ["gone.txt", "gone.xyz"]
        assert summary.actions == {"unchanged": 1, "missing": 2}
        missing = _rows(out, "SELECT source_path, doc_id FROM errors WHERE code = 'SOURCE_MISSING' ORDER BY 1")
        assert missing == [("gone.txt", gone_id), ("gone.xyz", None)]
        assert _rows(out, "SELECT count(*) FROM documents") == [(2,)]
    result = CliRunner().invoke(app, ["extract", str(folder), "--out", str(out), "-j", "1"])
    assert result.exit_code == 0
    assert "2 file(s) in the store are not among the inputs (gone.txt, gone.xyz)" in result.stderr

    pruned = extract([folder], out, nlp=nlp, prune=True)
    assert pruned.actions == {"unchanged": 1, "pruned": 2} and pruned.missing_files == []
    assert _rows(out, "SELECT source_path FROM documents") == [("kept.txt",)]
    assert _rows(out, "SELECT count(*) FROM errors") == [(0,)]
    with sqlite3.connect(out / DATABASE_NAME) as connection:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
            if "doc_id" in columns:
                assert connection.execute(f'SELECT count(*) FROM "{table}" WHERE doc_id = ?', (gone_id,)).fetchone() == (0,)
    assert list(pd.read_parquet(out / "documents.parquet").source_path) == ["kept.txt"]


# -- 8. an unusable output folder; a very long text ------------------------------------------------


def test_an_output_folder_under_a_file_exits_2(tmp_path: Path) -> None:
    _report(tmp_path / "in" / "a.txt")
    (tmp_path / "file").write_text("x")
    result = CliRunner().invoke(app, ["extract", str(tmp_path / "in"), "--out", str(tmp_path / "file" / "out")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"baocao extract: cannot create the output folder {tmp_path / 'file' / 'out'}: Not a directory"


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux's sysfs")
def test_an_output_folder_that_refuses_writes_exits_2(tmp_path: Path) -> None:
    # sysfs refuses new files even to root, for whom permission bits do not count
    _report(tmp_path / "in" / "a.txt")
    with pytest.raises(UsageError, match="cannot write in the output folder /sys"):
        extract([tmp_path / "in"], Path("/sys"))
    result = CliRunner().invoke(app, ["extract", str(tmp_path / "in"), "--out", "/sys"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "baocao extract: cannot write in the output folder /sys: Permission denied"


def _limit_file_size(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing


def test_a_store_that_fills_up_during_the_run_exits_4_with_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _report(folder / "a.txt", ("." * 999 + "\n") * 600)  # its text alone is larger than the limit
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline.cli", "extract", str(folder), "--out", str(out), "-j", "1", "--no-ocr"]
    finished = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=300, preexec_fn=lambda: _limit_file_size(400_000)
    )
    assert finished.returncode == 4, finished.stderr
    # SQLite reports a write past the limit as an I/O error, a full disk as "database or disk is full"
    lines = finished.stderr.strip().splitlines()  # progress log lines (off a terminal), then the error
    assert lines[0].endswith(f"extract: 1 files to read, 0 unchanged, into {out}")  # it stopped mid-run
    assert lines[-1] == f"baocao extract: cannot write the store in {out}: disk I/O error"
    assert "Traceback" not in finished.stderr


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


# -- 10. two runs on one output folder ------------------------------------------------------------


def test_a_second_run_on_a_busy_output_folder_stops_with_exit_3(tmp_path: Path, nlp: Language) -> None:
    folder = tmp_path / "in"
    _report(folder / "a.txt")
    out = tmp_path / "out"
    out.mkdir()
    holder_code = (
        "import sys, time\nfrom pathlib import Path\nfrom pipeline.batch import output_lock\n"
        "with output_lock(Path(sys.argv[1])):\n    print('locked', flush=True)\n    time.sleep(120)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", holder_code, str(out)], cwd=REPO, stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
        with pytest.raises(OutputBusy, match=f"pid {holder.pid}"):
            extract([folder], out, nlp=nlp)
        result = CliRunner().invoke(app, ["extract", str(folder), "--out", str(out)])
        assert result.exit_code == 3
        assert result.stderr.strip() == (
            f"baocao extract: another baocao extract (pid {holder.pid}) is writing to {out}: "
            "wait for it to end or choose another --out"
        )
        assert not (out / DATABASE_NAME).exists()  # nothing read, nothing written
    finally:
        holder.kill()
        holder.wait()
    # the lock died with its holder, killed or not
    assert extract([folder], out, nlp=nlp).statuses == {"ok": 1}
    assert (out / LOCK_NAME).exists()


def _settled_mtime(database: Path, writer: subprocess.Popen[bytes], deadline: float) -> int:
    """The store's modification time once it holds a document and has not changed for half a second."""
    while writer.poll() is None and time.monotonic() < deadline:
        if database.exists():
            connection = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
            try:
                documents = connection.execute("SELECT count(*) FROM documents").fetchone()[0]
            except sqlite3.OperationalError:
                documents = 0  # the schema is not written yet
            finally:
                connection.close()
            if documents:
                break
        time.sleep(0.05)
    mtime = database.stat().st_mtime_ns
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = database.stat().st_mtime_ns
        if now == mtime:
            return mtime
        mtime = now
    return mtime


def test_a_second_extract_while_a_first_one_runs_stops_at_once_and_writes_nothing(tmp_path: Path, nlp: Language) -> None:
    from PIL import Image

    folder = tmp_path / "in"
    _report(folder / "a.txt")
    # a page of noise keeps the first run's OCR busy for many seconds
    Image.effect_noise((3000, 3000), 128).point(lambda value: 0 if value < 100 else 255).save(folder / "noise.png", dpi=(300, 300))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline.cli", "extract", str(folder), "--out", str(out), "-j", "1"]
    first = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True, env={**os.environ, "BAOCAO_OCR": "1"})
    try:
        lock = out / LOCK_NAME
        deadline = time.monotonic() + 120
        while first.poll() is None and time.monotonic() < deadline and not (lock.exists() and lock.read_text().strip()):
            time.sleep(0.05)
        assert lock.read_text().strip() == str(first.pid)
        with pytest.raises(OutputBusy, match=f"pid {first.pid}"):
            extract([folder], out, nlp=nlp)
        assert first.poll() is None, "the first run ended before the second one started: nothing was proven"
        database = out / DATABASE_NAME
        # the first run writes a.txt's rows as it goes: wait until they are in and the file is still
        # (it then reads the noise page for seconds), so a change of the file is the second run's
        before = _settled_mtime(database, first, deadline)
        result = CliRunner().invoke(app, ["extract", str(folder), "--out", str(out)])
        assert result.exit_code == 3 and f"(pid {first.pid})" in result.stderr
        assert (database.stat().st_mtime_ns if database.exists() else None) == before  # the second run wrote nothing
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    # the killed first run left its lock free and its store whole: the next run finishes the work
    summary = extract([folder], out, nlp=nlp)
    assert summary.statuses == {"ok": 1, "partial": 1}  # OCR is off here: the noise page is OCR_NEEDED


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
