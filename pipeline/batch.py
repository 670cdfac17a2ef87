"""A batch of files into the store: discovery, incremental planning, parallel execution.

The parent process is the only writer: it walks the inputs, decides per file whether it must be
extracted (new or changed bytes, or a new pipeline version), hands those files to an executor
(inline, a local process pool, or a Dask cluster) and writes each result in its own transaction
as it arrives. A run killed at any moment leaves whole documents only; running again finishes
the work and yields the same tables as an uninterrupted run.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import functools
import logging
import os
import re
import signal
import sqlite3
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.dictionary import write_output_docs
from pipeline.errors import DEFAULT_TIMEOUT_S, OutputBusy, OutputUnwritable, UsageError
from pipeline.extras import require
from pipeline.ingest.options import ReadOptions
from pipeline.search_index import build_search_index, has_search_index
from pipeline.version import file_doc_id, pipeline_version
from pipeline.store import (
    DATABASE_NAME,
    TABLES,
    ErrorRow,
    connect,
    delete_source,
    export_parquet,
    move_document,
    remove_stale_temporaries,
    table_counts,
    write_document,
)

if TYPE_CHECKING:
    from spacy.language import Language

    from pipeline.runner import DocumentResult

# spaCy, the readers and the NLP stage (pipeline.runner, pipeline.nlp) are imported when a file must
# be read: an incremental run that finds every file unchanged starts in a fraction of a second

ProgressCallback = Callable[["DocumentResult"], None]
logger = logging.getLogger("baocao")
# a progress line at most this often (seconds), for logs off a terminal (cluster jobs, nohup)
PROGRESS_LOG_EVERY_S = 10.0
# held (flock) by the run writing an output folder; the kernel releases it when that process ends
LOCK_NAME = ".baocao-extract.lock"
# codes the batch itself writes about the inputs as a whole; recomputed by every run
MISSING_CODE = "SOURCE_MISSING"
FOLDER_CODE = "FOLDER_UNREADABLE"
WalkErrorCallback = Callable[[str, OSError], None]


def readable_path(path: str) -> str:
    """The ``source_path`` text of a path as the OS gives it (``str`` with surrogate escapes for
    bytes that are not UTF-8): a byte that is not UTF-8 is written ``\\xNN`` and a backslash
    ``\\\\``; anything else is kept. Lossless: :func:`raw_path` gives the bytes back."""
    if path.isascii() and "\\" not in path:
        return path
    out = []
    for char in path:
        if char == "\\":
            out.append("\\\\")
        elif "\udc80" <= char <= "\udcff":
            out.append(f"\\x{ord(char) - 0xDC00:02x}")
        else:
            out.append(char)
    return "".join(out)


_ESCAPE = re.compile(r"\\(\\|x[0-9a-f]{2})")


def raw_path(source_path: str) -> bytes:
    """The file-system bytes of a ``source_path`` written by :func:`readable_path`."""
    parts = []
    position = 0
    for match in _ESCAPE.finditer(source_path):
        parts.append(source_path[position:match.start()].encode("utf-8"))
        escape = match.group(1)
        parts.append(b"\\" if escape == "\\" else bytes([int(escape[1:], 16)]))
        position = match.end()
    parts.append(source_path[position:].encode("utf-8"))
    return b"".join(parts)


def discover(inputs: Sequence[Path], on_error: WalkErrorCallback | None = None) -> Iterator[tuple[Path, str]]:
    """Yield (file, source_path) for every file under the inputs, sorted.

    ``source_path`` is the file's path relative to its input root when there is one input, and
    the root as given joined with it when there are several (``A/report.txt``, ``B/report.txt``),
    so that it names one file whatever the inputs; it is made readable by :func:`readable_path`.
    Hidden files and folders are skipped; symbolic links to folders are not followed. A folder
    that cannot be listed is reported to ``on_error`` (its source_path and the error), and the
    walk goes on.
    """
    roots = list(dict.fromkeys(inputs))  # a root given twice is walked once
    labelled = len(roots) > 1

    def label(root: Path, relative: str | None) -> str:
        if not labelled:
            return readable_path(relative if relative is not None else root.name)
        given = root.as_posix()
        if relative is None or relative == ".":
            return readable_path(given)
        return readable_path(given.rstrip("/") + "/" + relative)

    for root in roots:
        if root.is_file() or not root.exists() or not root.is_dir():
            yield root, label(root, None)
            continue

        def walk_error(error: OSError, root: Path = root) -> None:
            if on_error is not None:
                folder = Path(error.filename) if error.filename else root
                relative = folder.relative_to(root).as_posix() if folder.is_relative_to(root) else folder.as_posix()
                on_error(label(root, relative) if relative != "." else readable_path(root.as_posix()), error)

        for directory, subdirs, files in os.walk(root, onerror=walk_error, followlinks=False):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
            for name in sorted(files):
                if not name.startswith("."):
                    path = Path(directory) / name
                    yield path, label(root, path.relative_to(root).as_posix())


def check_request(inputs: Sequence[Path], out_dir: Path) -> None:
    """Raise :class:`UsageError` when a run over ``inputs`` into ``out_dir`` cannot be done at all:
    an input that does not exist, inputs holding no file, or an output path that is a file, cannot
    be made a folder or cannot be written in."""
    missing = [str(p) for p in inputs if not p.exists() and not p.is_symlink()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    if next(discover(inputs), None) is None:
        raise UsageError(f"nothing to read: no file under {', '.join(str(p) for p in inputs)}")
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"the output path {out_dir} is a file, not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot create the output folder {out_dir}: {error.strerror or error}") from error
    try:
        os.close(os.open(out_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644))
    except OSError as error:
        raise UsageError(f"cannot write in the output folder {out_dir}: {error.strerror or error}") from error


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock for a run; raise :class:`OutputBusy` at once if another run
    (in any process) holds it. The lock dies with its process, so a killed run leaves none."""
    lock_path = out_dir / LOCK_NAME
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 64, 0).decode("ascii", "replace").strip() or "?"
            raise OutputBusy(
                f"another baocao extract (pid {holder}) is writing to {out_dir}: wait for it to end or choose another --out"
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(descriptor)  # releases the lock


# what a write that cannot be done looks like, from SQLite or from the file system
_UNWRITABLE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO, errno.EACCES, errno.EPERM}


def _unwritable(error: BaseException) -> bool:
    if isinstance(error, sqlite3.OperationalError):
        text = str(error).lower()
        return any(s in text for s in ("disk is full", "disk i/o", "readonly", "read-only", "unable to open"))
    return isinstance(error, OSError) and error.errno in _UNWRITABLE_ERRNOS


@dataclass
class RunSummary:
    """What a batch did.

    ``statuses`` holds the status of every input file after the run (ok / partial / failed /
    unsupported), whether it was extracted now or earlier; ``actions`` says what this run did
    with each file: new, changed, moved (same bytes under a new name), unchanged (skipped),
    duplicate (same bytes as another input file), missing (in the store, no longer among the
    inputs: kept, and listed in ``missing_files``), pruned (missing and removed with ``prune``).
    ``failed_files`` names the failed input files, in the order met; ``unreadable_folders`` the
    folders that could not be listed (their files were not read).
    """

    statuses: Counter[str] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    pages: int = 0
    database: Path | None = None
    failed_files: list[str] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)
    unreadable_folders: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The summary as plain JSON-ready values (``baocao extract --summary-json``)."""
        return {
            "statuses": dict(self.statuses), "actions": dict(self.actions), "rows": dict(self.rows),
            "seconds": round(self.seconds, 3), "pages": self.pages,
            "database": str(self.database) if self.database else None, "failed_files": list(self.failed_files),
            "missing_files": list(self.missing_files), "unreadable_folders": list(self.unreadable_folders),
        }

    @property
    def failed(self) -> int:
        """Number of input files whose document could not be read."""
        return self.statuses.get("failed", 0)

    @property
    def duplicates(self) -> int:
        """Input files skipped because another input file has the same bytes."""
        return self.actions.get("duplicate", 0)


@dataclass(frozen=True)
class Task:
    """One file to extract."""

    path: str
    source_path: str


# -- executors -----------------------------------------------------------------------------------

_WORKER_NLP: Language | None = None


def _worker_nlp() -> Language:
    from pipeline.nlp import build_nlp

    global _WORKER_NLP
    if _WORKER_NLP is None:
        _WORKER_NLP = build_nlp()
    return _WORKER_NLP


# prctl(2) option: the signal this process gets when its parent dies (Linux)
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Process-pool initializer: the worker is killed when the batch process dies.

    A pool worker waits for its next task on a pipe that its siblings also hold open, so a parent
    killed by SIGKILL or SIGTERM (which runs no cleanup) would leave it blocked there forever,
    holding its NLP model. Linux sends the parent-death signal; elsewhere nothing is set.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    try:
        os.kill(parent, 0)  # the parent may have died before the signal was asked for
    except ProcessLookupError:
        os._exit(1)


def _new_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent, initargs=(os.getpid(),))


def _run_task(task: Task, timeout: float | None, options: ReadOptions) -> DocumentResult:
    from pipeline.runner import process_file

    return process_file(Path(task.path), task.source_path, _worker_nlp(), timeout, options)


def _run_bytes(name: str, data: bytes, source_path: str, timeout: float | None, options: ReadOptions) -> DocumentResult:
    """Dask task: the client ships the bytes, so workers need no shared file system."""
    from pipeline.runner import process_file

    with tempfile.TemporaryDirectory(prefix="baocao-") as scratch:
        path = Path(scratch) / name
        path.write_bytes(data)
        return process_file(path, source_path, _worker_nlp(), timeout, options)


def _crashed(task: Task, error: BaseException) -> DocumentResult:
    from pipeline.runner import DocumentResult

    message = f"{task.source_path}: the worker process died while extracting it ({type(error).__name__})"
    return DocumentResult(task.source_path, None, [ErrorRow(task.source_path, None, "pipeline", "WORKER_CRASHED", message)])


def run_inline(
    tasks: Iterable[Task], nlp: Language | None, timeout: float | None, options: ReadOptions = ReadOptions()
) -> Iterator[DocumentResult]:
    """One document after another in this process (with ``nlp``, or one built for the first task)."""
    for task in tasks:
        from pipeline.runner import process_file

        if nlp is None:
            from pipeline.nlp import build_nlp

            nlp = build_nlp()
        yield process_file(Path(task.path), task.source_path, nlp, timeout, options)


def run_process_pool(
    tasks: Iterable[Task], workers: int, timeout: float | None, options: ReadOptions = ReadOptions()
) -> Iterator[DocumentResult]:
    """Documents spread over ``workers`` processes, each building the NLP object once.

    At most two documents per worker are in flight, so the corpus streams through. A worker that
    dies (a crash in a native library) fails its documents with ``WORKER_CRASHED`` and the pool is
    started again; each in-flight document is retried once. Workers die with this process, even
    when it is killed (``_die_with_parent``).
    """
    pending = iter(tasks)
    pool = _new_pool(workers)
    in_flight: dict[Future[DocumentResult], tuple[Task, int]] = {}
    retry: list[tuple[Task, int]] = []

    def submit(task: Task, attempt: int) -> None:
        in_flight[pool.submit(_run_task, task, timeout, options)] = (task, attempt)

    try:
        exhausted = False
        while True:
            while len(in_flight) < 2 * workers and (retry or not exhausted):
                if retry:
                    submit(*retry.pop())
                    continue
                task = next(pending, None)
                if task is None:
                    exhausted = True
                    break
                submit(task, 0)
            if not in_flight:
                return
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                task, attempt = in_flight.pop(future)
                try:
                    yield future.result()
                except BrokenProcessPool as error:
                    broken = True
                    if attempt == 0:
                        retry.append((task, 1))
                    else:
                        yield _crashed(task, error)
            if broken:
                for future, (task, attempt) in list(in_flight.items()):
                    in_flight.pop(future)
                    retry.append((task, attempt))
                pool.shutdown(wait=False, cancel_futures=True)
                pool = _new_pool(workers)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run_dask(
    tasks: Iterable[Task], scheduler: str | Any, timeout: float | None, window: int = 64, options: ReadOptions = ReadOptions()
) -> Iterator[DocumentResult]:
    """Documents sent to a Dask distributed cluster; rows come back to this process.

    ``scheduler`` is an address (``tcp://HOST:8786``) or a ``distributed.Client``. Workers need
    this package installed (``pip install baocao``). Per-document time limits hold on Dask workers
    too: their tasks run in threads, where :func:`~pipeline.runner.time_limit` uses a watchdog
    instead of SIGALRM.
    """
    from distributed import Client, as_completed

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    owns_client = client is not scheduler
    try:
        pending = iter(tasks)
        futures = as_completed()
        submitted: dict[Any, Task] = {}

        def submit_next() -> bool:
            task = next(pending, None)
            if task is None:
                return False
            data = Path(task.path).read_bytes()
            future = client.submit(_run_bytes, Path(task.path).name, data, task.source_path, timeout, options, pure=False)
            submitted[future] = task
            futures.add(future)
            return True

        for _ in range(window):
            if not submit_next():
                break
        for future in futures:
            task = submitted.pop(future)
            try:
                yield future.result()
            except Exception as error:  # noqa: BLE001 - a lost worker fails this document only
                yield _crashed(task, error)
            submit_next()
    finally:
        if owns_client:
            client.close()


# -- planning and writing ------------------------------------------------------------------------


def _stored(connection: sqlite3.Connection, doc_id: str) -> tuple[str, str, str] | None:
    row = connection.execute(
        "SELECT source_path, pipeline_version, status FROM documents WHERE doc_id = ?", (doc_id,)
    ).fetchone()
    return tuple(row) if row else None  # type: ignore[return-value]


def _doc_at(connection: sqlite3.Connection, source_path: str) -> str | None:
    row = connection.execute("SELECT doc_id FROM documents WHERE source_path = ?", (source_path,)).fetchone()
    return row[0] if row else None


def _was_unsupported(connection: sqlite3.Connection, source_path: str) -> bool:
    row = connection.execute(
        "SELECT 1 FROM errors WHERE source_path = ? AND code IN ('UNSUPPORTED_FORMAT', 'NOT_A_FILE')", (source_path,)
    ).fetchone()
    return row is not None


def extract(
    inputs: Sequence[Path | str],
    out_dir: Path | str,
    on_document: ProgressCallback | None = None,
    nlp: Language | None = None,
    *,
    workers: int = 1,
    force: bool = False,
    timeout: float | None = DEFAULT_TIMEOUT_S,
    executor: str = "auto",
    scheduler: str | Any | None = None,
    options: ReadOptions | None = None,
    prune: bool = False,
) -> RunSummary:
    """Extract every file under ``inputs`` into ``out_dir/reports.sqlite`` and Parquet files.

    Incremental: a file whose bytes and pipeline version are already in the store is skipped
    (``force`` redoes it); the same bytes under a new name only update ``source_path``.
    ``executor`` is ``inline``, ``process`` (``workers`` processes) or ``dask`` (``scheduler``);
    ``auto`` picks inline for one worker and a process pool otherwise. ``options`` say how to read
    (OCR on or off); without them they are read once from the environment here, and the workers,
    Dask's included, get them from this process.

    Sources in the store that are not among the inputs any more are reported ``missing`` (in the
    summary and as ``SOURCE_MISSING`` error rows) and kept, or removed with all their rows when
    ``prune``. A folder that cannot be listed gives a ``FOLDER_UNREADABLE`` error row and the run
    goes on. Only one run writes an output folder at a time: another one raises
    :class:`~pipeline.errors.OutputBusy` before reading anything; a store that cannot be written
    during the run raises :class:`~pipeline.errors.OutputUnwritable`.
    """
    started = time.perf_counter()
    out = Path(out_dir)
    roots = [Path(p) for p in inputs]
    if executor == "dask":
        require("dask", "the dask executor")  # baocao[dask]: MissingExtra before anything is read
    check_request(roots, out)
    summary = RunSummary(database=out / DATABASE_NAME)
    options = options if options is not None else ReadOptions.from_environment()
    with output_lock(out):
        try:
            connection = connect(out / DATABASE_NAME)
            try:
                _run(connection, roots, out, summary, on_document, nlp, workers, force, timeout, executor, scheduler,
                     options, prune, started)
            finally:
                connection.close()
        except (OSError, sqlite3.Error) as error:
            if not _unwritable(error):
                raise
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            raise OutputUnwritable(f"cannot write the store in {out}: {reason}") from error
    summary.seconds = time.perf_counter() - started
    return summary


def _run(
    connection: sqlite3.Connection, roots: list[Path], out: Path, summary: RunSummary,
    on_document: ProgressCallback | None, nlp: Language | None, workers: int, force: bool, timeout: float | None,
    executor: str, scheduler: str | Any | None, options: ReadOptions, prune: bool, started: float,
) -> None:
    """The body of :func:`extract`, with the output folder locked and the store open."""
    version = pipeline_version(options)
    remove_stale_temporaries(out)
    current = _derived_marker(version)
    derived_current = _derived_state(connection) == current
    _set_derived_state(connection, _DERIVED_PENDING)  # committed before this run writes anything
    walk_errors: list[tuple[str, OSError]] = []
    discovered = list(discover(roots, lambda folder, error: walk_errors.append((folder, error))))
    found = {source_path for _, source_path in discovered}
    with connection:  # the batch's own rows say what this run found: recomputed below
        connection.execute("DELETE FROM errors WHERE code IN (?, ?)", (MISSING_CODE, FOLDER_CODE))
    for folder, error in walk_errors:
        message = f"{folder}: cannot list the folder ({error.strerror or error}); the files in it were not read"
        write_document(connection, folder, None, [ErrorRow(folder, None, "discover", FOLDER_CODE, message)], {})
        summary.unreadable_folders.append(folder)
        logger.warning("extract: %s", message)
    seen: dict[str, str] = {}
    tasks: list[Task] = []
    queued: set[str] = set()
    replaced: dict[str, str] = {}
    for path, source_path in discovered:
        try:
            doc_id = file_doc_id(path) if path.is_file() else None
        except OSError:
            doc_id = None  # process_file reports why it cannot be read
        if doc_id is not None and doc_id in seen:
            summary.actions["duplicate"] += 1
            duplicate_of = _stored(connection, doc_id)
            if duplicate_of is None or duplicate_of[2] == "failed" or seen[doc_id] in queued:
                tasks.append(Task(str(path), source_path))  # its status (and error row) comes from its own run
            else:
                summary.statuses[duplicate_of[2]] += 1
            continue
        if doc_id is not None:
            seen[doc_id] = source_path
        stored = _stored(connection, doc_id) if doc_id else None
        if stored and stored[1] == version and not force:
            stored_path, _, status = stored
            if stored_path != source_path and stored_path not in found:
                move_document(connection, doc_id, stored_path, source_path)  # type: ignore[arg-type]
                summary.actions["moved"] += 1
            else:
                summary.actions["unchanged"] += 1
            summary.statuses[status] += 1
            if status == "failed":
                summary.failed_files.append(source_path)
            continue
        previous = _doc_at(connection, source_path)
        if previous is None and stored is None and _was_unsupported(connection, source_path):
            summary.actions["unchanged"] += 1  # sniffed again below: cheap, and the file may have changed
        elif previous and previous != doc_id:
            replaced[source_path] = previous
            summary.actions["changed"] += 1
        elif stored:
            summary.actions["changed"] += 1  # same bytes, new pipeline version (or --force)
        else:
            summary.actions["new"] += 1
        tasks.append(Task(str(path), source_path))
        queued.add(source_path)

    logger.info("extract: %d files to read, %d unchanged, into %s", len(tasks), summary.actions["unchanged"], out)
    done, last_log = 0, time.perf_counter()
    if executor == "dask":
        if scheduler is None:
            raise ValueError("the dask executor needs a scheduler address (tcp://HOST:PORT) or a Client")
        results = run_dask(tasks, scheduler, timeout, options=options)
    elif executor == "process" or (executor == "auto" and workers > 1):
        results = run_process_pool(tasks, max(1, workers), timeout, options)
    else:
        results = run_inline(tasks, nlp, timeout, options)

    for result in results:
        doc_id = result.document.doc_id if result.document else None
        if doc_id is not None and seen.get(doc_id, result.source_path) != result.source_path:
            # a copy of bytes first met under another name (in discovery order, whatever order
            # the workers finish in): the document row is the first copy's; this copy keeps
            # only its own error rows
            write_document(connection, result.source_path, None, result.errors, {})
        else:
            write_document(
                connection, result.source_path, result.document, result.errors, result.tables,
                replaces=replaced.get(result.source_path),
            )
        summary.statuses[result.status] += 1
        if result.status == "failed":
            summary.failed_files.append(result.source_path)
        summary.pages += (result.document.pages or 0) if result.document else 0
        if on_document is not None:
            on_document(result)
        done += 1
        if time.perf_counter() - last_log >= PROGRESS_LOG_EVERY_S or done == len(tasks):
            last_log = time.perf_counter()
            logger.info(
                "extract: %d/%d files read, %d failed, %d pages, %.0f s",
                done, len(tasks), summary.statuses.get("failed", 0), summary.pages, last_log - started,
            )
    # what is stored under a folder that could not be listed is not missing: it may well be there
    # (an input that cannot be listed at all stops the run earlier: nothing to read)
    hidden = tuple(folder.rstrip("/") + "/" for folder, _ in walk_errors)
    _settle_missing(connection, found, summary, prune, hidden)
    # the connection was opened for this run: its total_changes counts every row this run (and the
    # schema migrations of connect) inserted, updated or deleted
    if derived_current and connection.total_changes == 0 and _snapshot_present(connection, out):
        logger.info("extract: nothing changed; groups, search index and Parquet files are current")
    else:
        regroup_difficulties(connection)
        link_citations(connection)
        build_search_index(connection)
        export_parquet(connection, out)
    write_output_docs(out)
    _set_derived_state(connection, current)
    summary.rows = table_counts(connection)


# The store's header field ``PRAGMA user_version`` says whether what is computed over the whole store
# (groups, citation links, the search index, the Parquet snapshot) reflects its rows: a run sets it
# pending before its first write and, once they are rebuilt, to a marker of the code that built
# them. A run killed in between leaves it pending, and a new version of that code gives another
# marker: either way the next run rebuilds them even when it changes no row itself.
_DERIVED_PENDING = 1
# the modules that compute the derived data besides those of the pipeline version
_DERIVED_MODULES = ("batch.py", "dictionary.py", "search_index.py")


@functools.lru_cache(maxsize=4)
def _derived_marker(version: str) -> int:
    """A positive 31-bit marker of ``version`` and the code of ``_DERIVED_MODULES`` (never pending)."""
    package = Path(__file__).resolve().parent
    crc = zlib.crc32(version.encode())
    for name in _DERIVED_MODULES:
        crc = zlib.crc32((package / name).read_bytes(), crc)
    return (crc & 0x3FFFFFFF) | 0x40000000


def _derived_state(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def _set_derived_state(connection: sqlite3.Connection, state: int) -> None:
    connection.execute(f"PRAGMA user_version = {int(state)}")


def _snapshot_present(connection: sqlite3.Connection, out: Path) -> bool:
    """Every table's Parquet file (or folder) and the search index are there."""
    return has_search_index(connection) and all((out / f"{table}.parquet").exists() for table in TABLES)


def _settle_missing(
    connection: sqlite3.Connection, found: set[str], summary: RunSummary, prune: bool, hidden: tuple[str, ...]
) -> None:
    """Sources in the store that this run did not find (deleted, or under a folder not given this
    time): with ``prune`` their documents and rows are removed, else each gets a ``SOURCE_MISSING``
    error row (recomputed every run) and is listed in the summary. Sources whose path starts
    with one of ``hidden`` (under a folder that could not be listed) are neither."""
    stored = connection.execute(
        "SELECT source_path FROM documents UNION SELECT source_path FROM errors WHERE code NOT IN (?, ?)",
        (MISSING_CODE, FOLDER_CODE),
    ).fetchall()
    missing = sorted(p for (p,) in stored if p not in found and not (hidden and p.startswith(hidden)))
    for source_path in missing:
        if prune:
            delete_source(connection, source_path)
            summary.actions["pruned"] += 1
            continue
        doc_id = _doc_at(connection, source_path)
        message = f"{source_path}: in the store but not among this run's inputs (deleted or moved away); --prune removes it"
        with connection:
            connection.execute(
                "INSERT INTO errors (source_path, doc_id, stage, code, message) VALUES (?, ?, 'batch', ?, ?)",
                (source_path, doc_id, MISSING_CODE, message),
            )
        summary.missing_files.append(source_path)
        summary.actions["missing"] += 1
    if missing:
        logger.info("extract: %d source(s) in the store not among the inputs, %s", len(missing), "pruned" if prune else "kept")


def link_citations(connection: sqlite3.Connection) -> int:
    """Point every citation at the cited document when the store holds it (``cited_doc_id``).

    A citation is linked to the one other document whose own number (printed, or stamped by a
    digital-signing system) is its code (spaces and case aside); when several documents carry that
    number, the citation's year must pick one. Recomputed
    over the whole store after each batch, in one transaction. Returns the number of linked citations.
    """
    numbers: dict[str, list[tuple[str, int | None]]] = {}
    for doc_id, number, year in connection.execute(
        "SELECT doc_id, COALESCE(doc_number, stamped_number) AS number, year FROM documents "
        "WHERE number IS NOT NULL AND status != 'failed'"
    ):
        numbers.setdefault(_code_key(number), []).append((doc_id, year))
    links = []
    for rowid, doc_id, code, year in connection.execute(
        'SELECT rowid, doc_id, code, year FROM "references" WHERE code IS NOT NULL'
    ):
        candidates = [(d, y) for d, y in numbers.get(_code_key(code), []) if d != doc_id]
        if len(candidates) > 1 and year is not None:
            candidates = [(d, y) for d, y in candidates if y == year]
        links.append((candidates[0][0] if len(candidates) == 1 else None, rowid))
    with connection:
        connection.executemany('UPDATE "references" SET cited_doc_id = ? WHERE rowid = ?', links)
    return sum(1 for target, _ in links if target is not None)


def _code_key(code: str) -> str:
    return "".join(code.split()).upper()


def regroup_difficulties(connection: sqlite3.Connection) -> int:
    """Give every difficulty item its recurring-complaint group, over the whole store.

    Groups depend on all items (the TF-IDF weights are corpus-wide), so they are recomputed after
    each batch, in one transaction; the same store always gives the same groups. Returns the
    number of groups with more than one item.
    """
    rows = connection.execute('SELECT doc_id, start, "end", text FROM "difficulties"').fetchall()
    # keys are positions, not rowids, so that a re-run (which re-inserts rows) keeps the same ids
    from pipeline.extract.groups import assign_groups

    groups = assign_groups([(f"{doc_id}:{start}:{end}", text) for doc_id, start, end, text in rows])
    with connection:
        connection.executemany(
            'UPDATE "difficulties" SET group_id = ? WHERE doc_id = ? AND start = ? AND "end" = ?',
            [(groups[f"{doc_id}:{start}:{end}"], doc_id, start, end) for doc_id, start, end, _ in rows],
        )
    sizes = Counter(groups.values())
    return sum(1 for size in sizes.values() if size > 1)
