"""Batch at scale: parallel = inline, incremental runs, crash safety, time limits, Dask, robustness."""

from __future__ import annotations

import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

import pipeline
from pipeline.batch import extract
from pipeline.errors import PAGE_ALLOWANCE_S
from pipeline.ingest import page_count
from pipeline.runner import EXTRACTION_MODULES, SERVING_MODULES, DocumentTimeout, document_limit, pipeline_version, time_limit
from pipeline.store import DATABASE_NAME, TABLES
from tests.conftest import REPO, blank_pdf, shared_file

SMALL_SET = ["QT-001", "LD-014", "LD-024", "DN-001", "DN-007", "LD-089", "DN-008", "LD-043"]


def dataset(out: Path) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    """Every table as a sorted list of rows: equal datasets, whatever order documents finished in."""
    with sqlite3.connect(out / DATABASE_NAME) as connection:
        return {t: sorted(connection.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in TABLES}


@pytest.fixture(scope="module")
def small_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("small")
    for prefix in SMALL_SET:
        shutil.copy(shared_file(prefix), folder)
    return folder


@pytest.fixture(scope="module")
def clean_run(small_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    out = tmp_path_factory.mktemp("clean")
    summary = extract([small_folder], out, workers=1)
    assert summary.actions["new"] == len(SMALL_SET)
    return dataset(out)


def test_process_pool_gives_the_inline_dataset(small_folder: Path, tmp_path: Path, clean_run: dict) -> None:  # type: ignore[type-arg]
    summary = extract([small_folder], tmp_path, workers=2)
    assert summary.statuses == {"ok": 7, "partial": 1}
    assert dataset(tmp_path) == clean_run


def test_incremental_runs(small_folder: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(small_folder, folder)
    out = tmp_path / "out"
    first = extract([folder], out)
    assert first.actions["new"] == len(SMALL_SET)
    before = dataset(out)

    again = extract([folder], out)
    assert again.actions == {"unchanged": len(SMALL_SET)}
    assert again.statuses == first.statuses
    assert dataset(out) == before

    text_file = next(folder.glob("QT-001__*"))
    old_id = _doc_id_of(out, text_file.name)
    text_file.write_text(text_file.read_text(encoding="utf-8") + "\nPhụ lục bổ sung.\n", encoding="utf-8")
    changed = extract([folder], out)
    assert changed.actions == {"changed": 1, "unchanged": len(SMALL_SET) - 1}
    with sqlite3.connect(out / DATABASE_NAME) as connection:
        assert connection.execute("SELECT count(*) FROM blocks WHERE doc_id = ?", (old_id,)).fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM documents").fetchone() == (len(SMALL_SET),)

    pdf = next(folder.glob("DN-001__*"))
    pdf.rename(folder / "renamed.pdf")
    moved = extract([folder], out)
    assert moved.actions == {"moved": 1, "unchanged": len(SMALL_SET) - 1}
    with sqlite3.connect(out / DATABASE_NAME) as connection:
        paths = {p for (p,) in connection.execute("SELECT source_path FROM documents")}
    assert "renamed.pdf" in paths and pdf.name not in paths

    forced = extract([folder], out, force=True)
    assert forced.actions == {"changed": len(SMALL_SET)}


def _snapshot_times(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in out.glob("*.parquet")}


def test_a_run_that_changes_nothing_keeps_the_derived_data_unless_they_may_be_stale(tmp_path: Path) -> None:
    out = tmp_path / "out"
    extract([REPO / "corpus"], out)
    written = _snapshot_times(out)
    assert len(written) == len(TABLES)
    again = extract([REPO / "corpus"], out)
    assert again.actions == {"unchanged": 4} and _snapshot_times(out) == written
    assert again.rows["amounts"] == len(pd.read_parquet(out / "amounts.parquet"))
    # a run killed after a write leaves the derived data pending: the next run rebuilds them
    with sqlite3.connect(out / DATABASE_NAME) as connection:
        connection.execute("PRAGMA user_version = 1")
        connection.execute('DELETE FROM "amounts" WHERE rowid = (SELECT min(rowid) FROM "amounts")')
    rebuilt = extract([REPO / "corpus"], out)
    assert rebuilt.actions == {"unchanged": 4}
    assert len(pd.read_parquet(out / "amounts.parquet")) == rebuilt.rows["amounts"] == again.rows["amounts"] - 1
    # so does a store whose derived data another version of the code built, or whose snapshot is gone
    with sqlite3.connect(out / DATABASE_NAME) as connection:
        connection.execute("PRAGMA user_version = 12345")
    before = _snapshot_times(out)
    extract([REPO / "corpus"], out)
    assert all(_snapshot_times(out)[name] != before[name] for name in before)
    (out / "dates.parquet").unlink()
    extract([REPO / "corpus"], out)
    assert (out / "dates.parquet").is_file()


def _doc_id_of(out: Path, source_path: str) -> str:
    with sqlite3.connect(out / DATABASE_NAME) as connection:
        return connection.execute("SELECT doc_id FROM documents WHERE source_path = ?", (source_path,)).fetchone()[0]


@pytest.mark.parametrize("executor", ["inline", "process", "dask"])
def test_time_limit_turns_a_slow_document_into_an_error_row(tmp_path: Path, executor: str) -> None:
    # a text is one page, so the limit is the one asked for; fifty copies of a report take seconds
    # to read whatever the machine (QT-001 alone took under 0.05 s once the pipeline was warm)
    slow = tmp_path / "in" / "QT-001__fifty_times.txt"
    slow.parent.mkdir()
    slow.write_bytes(b"\n".join([shared_file("QT-001").read_bytes()] * 50))
    out = tmp_path / "out"
    if executor == "dask":
        distributed = pytest.importorskip("distributed")
        # threads, not processes: the limit must hold where SIGALRM cannot be used
        cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None)
        with cluster, distributed.Client(cluster) as client:
            summary = extract([slow], out, timeout=0.05, executor="dask", scheduler=client)
    else:
        summary = extract([slow], out, timeout=0.05, executor=executor, workers=2)
    assert summary.failed == 1
    with sqlite3.connect(out / DATABASE_NAME) as connection:
        codes = connection.execute("SELECT code, message FROM errors").fetchall()
    assert codes[0][0] == "TIMEOUT" and "QT-001" in codes[0][1] and "limit of 0.05 s" in codes[0][1]


def test_a_long_document_is_given_time_by_its_pages(tmp_path: Path) -> None:
    # DN-001 has 21 pages: 20 page allowances on top of the limit asked for, read from the file
    assert page_count(shared_file("DN-001")) == 21
    assert document_limit(0.05, 21) == pytest.approx(0.05 + 20 * PAGE_ALLOWANCE_S)
    assert document_limit(None, 21) is None and document_limit(300, 1) == 300
    summary = extract([shared_file("DN-001")], tmp_path, timeout=0.05, workers=1)
    assert summary.failed == 0
    # a multi-frame TIFF counts its frames; an unreadable or one-page format counts one
    frames = [Image.new("L", (200, 100), 255) for _ in range(3)]
    frames[0].save(tmp_path / "scan.tif", save_all=True, append_images=frames[1:])
    assert page_count(tmp_path / "scan.tif") == 3
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    assert page_count(tmp_path / "broken.pdf") == 1 and page_count(shared_file("QT-001")) == 1


# what the tests below may take when a 0.05 s limit fires inside a 5 s busy loop: anything clearly
# short of the loop's end, even on a loaded machine
BUSY_BOUND = 4.0


def _busy_inside(handler: type[BaseException], seconds: float) -> None:
    """Loop for ``seconds``, nearly all the time inside ``try: ... except handler: pass``."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            sum(range(2000))
        except handler:  # noqa: PERF203 - the point: a library that swallows what is raised here
            pass


def test_a_time_limit_is_not_swallowed_by_except_exception() -> None:
    # pdfminer's tokenizer wraps a log call made for every token in `except Exception`: an
    # alarm landing there was lost about once in 85 runs of the test above
    started = time.monotonic()
    with pytest.raises(DocumentTimeout):
        with time_limit(0.05, "slow.pdf"):
            _busy_inside(Exception, 5.0)
    # the busy loop lasts 5 s: ending well before it is the limit firing (a wall-clock bound closer
    # to the 0.05 s limit fails on a loaded machine, where the alarm's thread waits for a core)
    assert time.monotonic() - started < BUSY_BOUND


def test_a_time_limit_swallowed_every_time_still_ends_the_document_as_timed_out() -> None:
    # a finaliser or `except BaseException` can eat every alarm: the limit is reported on leaving
    with pytest.raises(DocumentTimeout):
        with time_limit(0.05, "slow.pdf"):
            _busy_inside(BaseException, 0.4)
    with time_limit(5.0, "fast.pdf") as deadline:
        _busy_inside(Exception, 0.05)
    assert not deadline.expired


def test_a_time_limit_holds_in_a_thread_other_than_the_main_one() -> None:
    # a Dask worker runs documents in threads, where SIGALRM cannot reach them
    outcome: list[object] = []

    def work() -> None:
        started = time.monotonic()
        try:
            with time_limit(0.05, "slow.pdf"):
                _busy_inside(Exception, 5.0)
        except DocumentTimeout as error:
            outcome.append((str(error), time.monotonic() - started))
        with time_limit(5.0, "fast.pdf") as deadline:
            _busy_inside(Exception, 0.05)
        outcome.append(deadline.expired)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(10)
    assert not thread.is_alive()
    (message, seconds), expired = outcome
    assert "slow.pdf" in message and "TIMEOUT" in message and seconds < BUSY_BOUND
    assert expired is False


_BUSY_UNDER_A_LIMIT = """
import time
from pipeline.runner import DocumentTimeout, time_limit
started = time.monotonic()
try:
    with time_limit(0.05, "slow.pdf"):
        while time.monotonic() - started < 5.0:
            try:
                sum(range(2000))
            except Exception:
                pass
    print("no timeout")
except DocumentTimeout:
    print(f"timeout after {time.monotonic() - started:.2f} s")
"""


def test_a_time_limit_holds_when_the_process_starts_with_sigalrm_blocked() -> None:
    # a parent (a test harness, a job runner) may start the process with SIGALRM blocked in
    # every thread: the signal mask survives exec
    finished = subprocess.run(
        [sys.executable, "-c", _BUSY_UNDER_A_LIMIT], cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
        preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM}),
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    outcome = finished.stdout.strip()
    assert outcome.startswith("timeout after"), outcome
    assert float(outcome.split()[2]) < BUSY_BOUND


def _documents_written(out: Path) -> int:
    """Rows of the documents table so far (0 before the store exists)."""
    if not (out / DATABASE_NAME).exists():
        return 0
    try:
        with sqlite3.connect(f"file:{out / DATABASE_NAME}?mode=ro", uri=True, timeout=5) as connection:
            return connection.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is still being created
        return 0


def test_killed_runs_end_in_the_clean_dataset(small_folder: Path, tmp_path: Path, clean_run: dict) -> None:  # type: ignore[type-arg]
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline.cli", "extract", str(small_folder), "--out", str(out), "-j", "2"]
    # the kills follow the run's progress, not fixed seconds that a faster pipeline finishes within.
    # Runs alternate: one is killed at a random moment shortly after it has written one more
    # document (often mid-way through the next); the next is killed before it has written any,
    # at a random fraction of the time the first run took to write its first. A run killed after a
    # write may write two or three documents before the kill lands (workers finish together), so
    # only the early kills make three kills certain before the folder is done.
    rng = random.Random(20261128)
    kills = 0
    first_write = 0.0
    for attempt in range(8):
        before = _documents_written(out)
        started = time.monotonic()
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        if attempt % 2 == 0:
            deadline = started + 300
            while process.poll() is None and _documents_written(out) <= before and time.monotonic() < deadline:
                time.sleep(0.02)
            first_write = first_write or time.monotonic() - started
            time.sleep(rng.uniform(0.0, 0.05))
        else:
            time.sleep(rng.uniform(0.2, 0.9) * first_write)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            kills += 1
        process.wait()
        if kills == 5 or _documents_written(out) == len(SMALL_SET):
            break
    assert kills >= 3, "the runs ended before they could be killed"
    finished = subprocess.run(command, cwd=REPO, capture_output=True, timeout=600)
    assert finished.returncode == 0, finished.stderr.decode()[-2000:]
    assert dataset(out) == clean_run


def test_dask_local_cluster_gives_the_same_dataset(small_folder: Path, tmp_path: Path, clean_run: dict) -> None:  # type: ignore[type-arg]
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            summary = extract([small_folder], tmp_path, executor="dask", scheduler=client)
    assert summary.actions["new"] == len(SMALL_SET)
    assert dataset(tmp_path) == clean_run


def _zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            block = b"\0" * (1 << 20)
            for _ in range(400):
                member.write(block)


def test_robustness_folder(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    good = ["QT-001", "LD-014", "LD-024", "DN-007"]
    for prefix in good:
        shutil.copy(shared_file(prefix), folder)
    rng = random.Random(7)
    (folder / "zero.pdf").write_bytes(b"")
    (folder / "truncated.pdf").write_bytes(shared_file("DN-001").read_bytes()[:4000])
    blank_pdf(folder / "blank_2000.pdf", 2000)
    _zip_bomb(folder / "bomb.docx")
    for suffix in (".pdf", ".docx", ".txt"):
        (folder / f"random{suffix}").write_bytes(rng.randbytes(5000))
    os.mkfifo(folder / "pipe.txt")  # not a regular file: must not block the batch
    (folder / "loop_a.txt").symlink_to(folder / "loop_b.txt")
    (folder / "loop_b.txt").symlink_to(folder / "loop_a.txt")
    bad = {"zero.pdf", "truncated.pdf", "blank_2000.pdf", "bomb.docx", "random.pdf", "random.docx", "random.txt",
           "pipe.txt", "loop_a.txt", "loop_b.txt"}

    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline.cli", "extract", str(folder), "--out", str(out), "-j", "2"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    finished = subprocess.run(command, cwd=REPO, capture_output=True, timeout=900)
    peak_kib = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    assert finished.returncode == 1  # documents failed, and the run says so
    with sqlite3.connect(out / DATABASE_NAME) as connection:
        documents = dict(connection.execute("SELECT source_path, status FROM documents").fetchall())
        errors = connection.execute("SELECT source_path, code, message FROM errors").fetchall()
    for prefix in good:
        name = shared_file(prefix).name
        assert documents[name] == "ok"
    by_file: dict[str, list[str]] = {}
    for source_path, code, message in errors:
        assert source_path in message
        by_file.setdefault(source_path, []).append(code)
    assert set(by_file) == bad
    assert all(len(codes) == 1 for codes in by_file.values()), by_file
    assert by_file["blank_2000.pdf"] == ["EMPTY_DOCUMENT"] and by_file["bomb.docx"] == ["ZIP_BOMB"]
    assert peak_kib < 1024 * 1024, f"peak resident memory {peak_kib} KiB"


def test_every_module_is_declared_extraction_or_serving() -> None:
    # the fingerprint hashes an explicit list: a new module must say whether it changes the rows
    package = Path(pipeline.__file__).resolve().parent
    entries = {path.name for path in package.iterdir() if path.name != "__pycache__"}
    declared = set(EXTRACTION_MODULES) | set(SERVING_MODULES)
    assert entries == declared
    assert not set(EXTRACTION_MODULES) & set(SERVING_MODULES)
    assert pipeline_version().startswith(pipeline.__version__ + "+")


def test_ocr_switch_of_the_cli_reaches_the_workers_and_the_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app
    from pipeline.ingest.options import ReadOptions

    monkeypatch.setenv("BAOCAO_OCR", "1")
    scan = next((Path(__file__).resolve().parents[2] / "shared" / "corpus").glob("DN-036__*"))
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / scan.name).write_bytes(scan.read_bytes())
    result = CliRunner().invoke(app, ["extract", str(folder), "--out", str(tmp_path / "out"), "--no-ocr", "-j", "2", "--executor", "process"])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(tmp_path / "out" / "reports.sqlite") as connection:
        status, ocr_pages, version = connection.execute("SELECT status, ocr_pages, pipeline_version FROM documents").fetchone()
        codes = [row[0] for row in connection.execute("SELECT code FROM errors")]
    assert status == "partial" and "OCR_NEEDED" in codes and ocr_pages > 0
    assert version == pipeline_version(ReadOptions(ocr=False)) and version.endswith(".no-ocr")


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (read from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; the parent-death signal is Linux's")
@pytest.mark.parametrize("kill_signal", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_workers_die_with_a_killed_parent(tmp_path: Path, kill_signal: signal.Signals) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for number in range(6):
        (folder / f"report_{number}.txt").write_text(f"Báo cáo số {number}/BC-UBND về tình hình kinh tế.\n" * 50, encoding="utf-8")
    command = [sys.executable, "-m", "pipeline.cli", "extract", str(folder), "--out", str(tmp_path / "out"), "-j", "2"]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        workers: set[int] = set()
        deadline = time.monotonic() + 120
        while len(workers) < 2 and process.poll() is None and time.monotonic() < deadline:
            workers |= _children(process.pid)
            time.sleep(0.02)
        assert workers, "the run started no worker process"
        assert process.poll() is None, "the run ended before it could be killed"
        os.kill(process.pid, kill_signal)
        process.wait(30)
        deadline = time.monotonic() + 15
        while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if _running(pid)], "worker processes outlived their parent"
    finally:
        if process.poll() is None:
            process.kill()
        try:
            os.killpg(process.pid, signal.SIGKILL)  # nothing should be left; if something is, do not leak it
        except ProcessLookupError:
            pass


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid``: children, their children …"""
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = set().union(*(_children(parent) for parent in frontier)) - found
        found |= frontier
    return found


def _name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _arguments(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace").split("\0")
    except OSError:
        return []


def _bytes_written(pid: int) -> int:
    try:
        return int(next(line for line in Path(f"/proc/{pid}/io").read_text().splitlines() if line.startswith("wchar:")).split()[1])
    except OSError:
        return 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; the parent-death signal is Linux's")
@pytest.mark.skipif(shutil.which("setpriv") is None or shutil.which("tesseract") is None, reason="needs setpriv and tesseract")
def test_tesseract_dies_with_a_killed_batch(tmp_path: Path) -> None:
    from PIL import Image

    folder = tmp_path / "in"
    folder.mkdir()
    # 25 Mpx of black and white noise: Tesseract works on it for about 20 s of CPU
    noise = Image.effect_noise((5000, 5000), 128).point(lambda value: 0 if value < 100 else 255)
    noise.save(folder / "noise.png", dpi=(300, 300))
    command = [sys.executable, "-m", "pipeline.cli", "extract", str(folder), "--out", str(tmp_path / "out"),
               "-j", "2", "--executor", "process"]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True, env={**os.environ, "BAOCAO_OCR": "1"})
    below: set[int] = set()
    try:
        readers: set[int] = set()
        deadline = time.monotonic() + 120
        # the page's recognition (TSV output), not the short orientation check (--psm 0 -l osd)
        # that runs before it: caught on a loaded machine, that one ends by itself
        while not readers and process.poll() is None and time.monotonic() < deadline:
            below = _descendants(process.pid)
            readers = {pid for pid in below if _name(pid) == "tesseract" and "tsv" in _arguments(pid)}
            time.sleep(0.05)
        assert readers, "no tesseract was seen reading under the batch"
        # once Tesseract has written its TSV header it writes nothing more until its page is read:
        # killed before, it would die of the broken pipe anyway, which would prove nothing
        while not all(_bytes_written(pid) for pid in readers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(_running(pid) and _bytes_written(pid) for pid in readers), "tesseract ended before the batch could be killed"
        below |= _descendants(process.pid)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
        deadline = time.monotonic() + 5  # a killed process goes at once; Tesseract would read on for 10 s or more
        while any(_running(pid) for pid in below) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = {pid: _name(pid) for pid in below if _running(pid)}
        assert not left, f"processes outlived the batch: {left}"
    finally:
        for pid in below | {process.pid}:  # nothing should be left; if something is, do not leak it
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
        process.wait()
