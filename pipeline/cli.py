"""Command line: a thin Typer shell over ``pipeline``."""

from __future__ import annotations

import os
import csv
import dataclasses
import inspect
import json
import logging
import sqlite3
import sys
from collections.abc import Callable
from contextlib import closing
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

# Only light modules here: `baocao --help`, `--version` and `baocao query` must not load spaCy,
# underthesea, pandas or the notebook module (tests/test_cli_imports.py). Each command imports what
# it needs (the batch, eval, the web app) in its body.
from pipeline import filters as filter_registry
from pipeline.errors import DEFAULT_TIMEOUT_S, PAGE_ALLOWANCE_S, OutputBusy, OutputUnwritable, UsageError
from pipeline.filters import FilterValues, QueryError

if TYPE_CHECKING:
    from pipeline.batch import RunSummary
    from pipeline.runner import DocumentResult

app = typer.Typer(help="baocao: turn Vietnamese government reports into a structured dataset.", no_args_is_help=True)
console = Console()
# errors and warnings go to stderr, so that `baocao query … --format csv > x.csv` holds only data
err_console = Console(stderr=True)
_FAILED_SHOWN = 5  # failed files named in the closing line


def _print_version(value: bool) -> None:
    if value:
        from pipeline import __version__

        console.print(f"baocao {__version__}", highlight=False)
        raise typer.Exit()


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes each line to the ``sys.stderr`` of the moment (a test runner swaps it per command)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


@app.callback()
def main(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress lines on stderr, even on a terminal."),
) -> None:
    """baocao: turn Vietnamese government reports into a structured dataset."""
    if verbose or not err_console.is_terminal:
        # off a terminal (a cluster job, nohup) the progress bar is not drawn: log lines replace it;
        # the library's lines only, whatever other packages configured, and for this command only
        library = logging.getLogger("baocao")
        before = (library.handlers[:], library.level, library.propagate)
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        library.handlers[:] = [handler]
        library.setLevel(logging.INFO)
        library.propagate = False

        def restore() -> None:
            library.handlers[:], library.level, library.propagate = before[0], before[1], before[2]

        ctx.call_on_close(restore)


class Executor(str, Enum):
    """Where `baocao extract` reads the documents (``pipeline.extract``'s ``executor``)."""

    auto = "auto"
    inline = "inline"
    process = "process"
    dask = "dask"


@app.command("extract")
def extract_command(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Files or folders to read (searched recursively)."),
    out: Path = typer.Option(Path("extracted"), "--out", help="Output folder for reports.sqlite and *.parquet."),
    workers: int = typer.Option(os.cpu_count() or 1, "--workers", "-j", min=1, help="Worker processes (default: all cores)."),
    force: bool = typer.Option(False, "--force", help="Extract every file again, even unchanged ones."),
    timeout: float = typer.Option(DEFAULT_TIMEOUT_S, "--timeout", min=0, help=f"Seconds allowed per document, and {PAGE_ALLOWANCE_S:g} more for each page after the first (0: no limit)."),
    executor: Executor = typer.Option(
        Executor.auto, "--executor", help="Where documents are read: auto (inline for one worker, else processes), inline, "
        "process (a pool of --workers) or dask (a cluster at --scheduler).",
    ),
    scheduler: str = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786."),
    summary_json: Path = typer.Option(
        None, "--summary-json", help="Also write the run's summary (statuses, actions, rows, failed files) as JSON to this file.",
    ),
    ocr: bool = typer.Option(
        None, "--ocr/--no-ocr", show_default=False,
        help="Read scanned pages and photos with Tesseract, or only mark them as needing OCR (default: on, or BAOCAO_OCR).",
    ),
    prune: bool = typer.Option(
        False, "--prune", help="Remove from the store, with all their rows, the files no longer among PATHS (default: keep and report them).",
    ),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="No progress and no summary: only warnings and errors, on stderr (exit status and "
        "--summary-json as usual).",
    ),
) -> None:
    """Read every report under PATHS and write the dataset to OUT."""
    if executor is Executor.dask and not scheduler:
        raise typer.BadParameter("--executor dask needs --scheduler tcp://HOST:PORT")
    if quiet and ctx.find_root().params.get("verbose"):
        raise typer.BadParameter("--quiet and --verbose contradict each other: give one")
    from pipeline.batch import check_request
    from pipeline.extras import require
    from pipeline.ingest.options import read_options

    try:
        if executor is Executor.dask:
            require("dask", "the dask executor")  # before the progress bar draws anything (extract checks it too)
        check_request(paths, out)
        run = {"workers": workers, "force": force, "timeout": timeout or None, "executor": executor.value, "scheduler": scheduler,
               "options": read_options(ocr), "prune": prune}
        summary = _extract_quietly(paths, out, run) if quiet else _extract_with_progress(paths, out, run)
    except (UsageError, OutputUnwritable) as error:
        # 3: another run holds the folder; 4: the store could not be written; 2: nothing could be done
        code = 3 if isinstance(error, OutputBusy) else 4 if isinstance(error, OutputUnwritable) else 2
        err_console.print(f"baocao extract: {error}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(code=code) from error
    if not quiet:
        _print_summary(summary, out)
    if summary_json is not None:
        summary_json.write_text(json.dumps(summary.as_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    _report_problems(summary)
    if summary.failed or summary.unreadable_folders:
        raise typer.Exit(code=1)


def _print_summary(summary: RunSummary, out: Path) -> None:
    """The run's summary on stdout: files by status and action, rows per table, difficulty items."""
    statuses = Table(title="Documents by status")
    statuses.add_column("status")
    statuses.add_column("files", justify="right")
    for status, count in sorted(summary.statuses.items()):
        statuses.add_row(status, str(count))
    actions = Table(title="This run")
    actions.add_column("files")
    actions.add_column("count", justify="right")
    for action in ("new", "changed", "moved", "unchanged", "duplicate", "missing", "pruned"):
        actions.add_row(action, str(summary.actions.get(action, 0)))
    rows = Table(title="Rows per table")
    rows.add_column("table")
    rows.add_column("rows", justify="right")
    for table, count in summary.rows.items():
        rows.add_row(table, str(count))
    console.print(statuses)
    console.print(actions)
    console.print(rows)
    _print_difficulties(out)
    console.print(f"{sum(summary.statuses.values())} files in {summary.seconds:.1f} s -> {summary.database}")


def _report_problems(summary: RunSummary) -> None:
    """The run's warnings and errors, on stderr (with --quiet too): missing sources, unlisted folders, failed files."""
    if summary.missing_files:
        shown = ", ".join(summary.missing_files[:_FAILED_SHOWN]) + (" …" if len(summary.missing_files) > _FAILED_SHOWN else "")
        err_console.print(
            f"{len(summary.missing_files)} file(s) in the store are not among the inputs ({shown}): kept, "
            "see SOURCE_MISSING in the errors table; --prune removes them", soft_wrap=True, markup=False, highlight=False,
        )
    if summary.unreadable_folders:
        shown = ", ".join(summary.unreadable_folders[:_FAILED_SHOWN]) + (" …" if len(summary.unreadable_folders) > _FAILED_SHOWN else "")
        err_console.print(f"{len(summary.unreadable_folders)} folder(s) could not be listed ({shown}): see the errors table",
                          style="red", soft_wrap=True, markup=False)
    if summary.failed:
        shown = ", ".join(summary.failed_files[:_FAILED_SHOWN]) + (" …" if summary.failed > _FAILED_SHOWN else "")
        err_console.print(f"{summary.failed} document(s) failed ({shown}): see the errors table", style="red", soft_wrap=True, markup=False)


def _extract_with_progress(paths: list[Path], out: Path, run: dict[str, Any]) -> RunSummary:
    """Run :func:`pipeline.batch.extract` behind a progress bar (``run``: its keyword arguments)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from pipeline.batch import discover, extract

    total = sum(1 for _ in discover(paths))
    pages = 0
    with Progress(
        TextColumn("[bold]extract"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[pages]} pages"),
        TextColumn("{task.fields[last]}"), TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=True,
    ) as progress:
        task = progress.add_task("extract", total=total, last="", pages=0)

        def advance(result: DocumentResult) -> None:
            nonlocal pages
            pages += (result.document.pages or 0) if result.document else 0
            progress.update(task, advance=1, pages=pages, last=f"{result.status:8} {result.source_path[:40]}")

        summary = extract(paths, out, on_document=advance, **run)
        progress.update(task, completed=total)
    return summary


def _extract_quietly(paths: list[Path], out: Path, run: dict[str, Any]) -> RunSummary:
    """Run :func:`pipeline.batch.extract` without progress: the library's progress lines (INFO) are
    held back for the run, its warnings still go out."""
    from pipeline.batch import extract

    library = logging.getLogger("baocao")
    level = library.level
    library.setLevel(logging.WARNING)
    try:
        return extract(paths, out, **run)
    finally:
        library.setLevel(level)


def _print_difficulties(out: Path) -> None:
    from pipeline.query import difficulty_summary

    summary = difficulty_summary(out)
    kinds = Table(title=f"Difficulty items ({summary.documents_with_items} documents)")
    kinds.add_column("kind")
    kinds.add_column("items", justify="right")
    for kind, count in summary.items_by_kind.most_common():
        kinds.add_row(kind, str(count))
    categories = Table(title="Items per category")
    categories.add_column("category")
    categories.add_column("items", justify="right")
    for category, count in summary.items_by_category.most_common():
        categories.add_row(category, str(count))
    groups = Table(title="Largest recurring groups")
    for column in ("group", "items", "documents", "years", "example"):
        groups.add_column(column)
    for group in summary.largest_groups:
        groups.add_row(group.group_id, str(group.items), str(group.documents),
                       ", ".join(map(str, group.years)), group.example[:70])
    console.print(kinds, categories, groups)


@app.command("eval")
def eval_command(
    gold_dir: Path = typer.Argument(..., help="Folder of gold annotation files (<ID>.json, subfolders included)."),
    out: Path = typer.Option(Path("extracted"), "--out", help="Folder holding the extracted reports.sqlite."),
) -> None:
    """Score the extracted dataset in OUT against the gold annotations in GOLD_DIR."""
    from rich.markup import escape

    from pipeline.evaluate import (
        check_eval_inputs,
        score_categories_held_out,
        score_citations,
        score_difficulties,
        score_facts,
        score_metadata,
    )
    from pipeline.query import open_read_only, shared_complaints

    try:
        check_eval_inputs(gold_dir, out)
    except ValueError as error:  # EvalInputError, or a gold file that is no annotation
        err_console.print(f"baocao eval: {error}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(code=2) from error
    score = score_metadata(gold_dir, out)
    console.print(
        f"metadata: {score.matched}/{score.fields} fields match "
        f"({score.accuracy:.1%}) over {score.documents} annotated document(s)"
    )
    if score.missing_documents:
        console.print(f"not in this dataset: {', '.join(score.missing_documents)}")
    console.print("metadata per field: " + ", ".join(f"{name} {right}/{compared}" for name, (right, compared) in score.per_field.items()))
    citations = score_citations(gold_dir, out)
    console.print(
        "citation attributes, where the gold names one: "
        + ", ".join(f"{name} {right}/{compared} ({right / compared:.1%})" if compared else f"{name} –" for name, (right, compared) in citations.items())
    )
    facts = score_facts(gold_dir, out)
    items = score_difficulties(gold_dir, out)
    table = Table(title="Facts against the gold (difficulty items: any kind, then per kind)")
    for column in ("fact", "precision", "recall", "F1", "gold", "extracted"):
        table.add_column(column, justify="right" if column != "fact" else "left")
    for fact in [*facts.values(), items.items, *items.by_kind.values()]:
        table.add_row(
            fact.fact, f"{fact.precision:.3f}", f"{fact.recall:.3f}", f"{fact.f1:.3f}",
            str(fact.true_positives + fact.false_negatives), str(fact.true_positives + fact.false_positives),
        )
    console.print(table)
    for fact in [*facts.values(), items.items]:
        for gold_id, missed in fact.misses.items():
            console.print(f"[yellow]{fact.fact} missed in {gold_id}:[/yellow] {', '.join(missed)}")
        for gold_id, extra in fact.false_hits.items():
            console.print(f"[yellow]{fact.fact} false hits in {gold_id}:[/yellow] {', '.join(extra)}")
    held_out = score_categories_held_out(gold_dir)
    title = f"Categories of extracted items matched to gold ({len(items.matched)})"
    if held_out is not None:
        title += f", and leave-one-document-out on the gold items ({held_out.items})"
    categories = Table(title=title)
    for column in ("category", "precision", "recall", "items", "held-out precision", "held-out recall"):
        categories.add_column(column, justify="left" if column == "category" else "right")
    for name, (precision, recall, support) in items.category_scores().items():
        held = held_out.per_category[name] if held_out is not None else None
        categories.add_row(
            name, f"{precision:.2f}", f"{recall:.2f}", str(support),
            f"{held[0]:.2f}" if held else "–", f"{held[1]:.2f}" if held else "–",
        )
    console.print(categories)
    console.print(f"primary category: {items.primary_accuracy:.3f} on matched items (the shipped model has seen them)")
    if held_out is None:
        console.print("leave-one-document-out: needs labelled items of two documents or more")
    else:
        console.print(f"primary category: {held_out.primary_accuracy:.3f} leave-one-document-out")
        for group, text, gold, guess in held_out.predictions:
            if gold[:1] != guess[:1]:
                console.print(f"[yellow]primary category missed in {group}:[/yellow] {escape(f'{gold[0]} ≠ {guess[0]}: {text[:90]}')}")
    precision, recall, f1 = items.group_scores()
    console.print(f"groups, pairwise over matched items: precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}")
    with closing(open_read_only(out)) as connection:
        recurring = shared_complaints(connection)
    console.print(f"groups reported by 2+ agencies in this dataset: {len(recurring)}")
    for group in recurring[:10]:
        console.print(f"  {group.group_id}: {group.agencies} agencies, {group.documents} documents")
        for member in group.members[:6]:
            console.print(f"    {member.kind}: {(member.issuer or member.doc_id)[:40]}: {member.text[:90]}", markup=False)
    if score.misses:
        misses = Table(title="Metadata misses")
        for column in ("document", "field", "gold", "extracted"):
            misses.add_column(column)
        for miss in score.misses:
            misses.add_row(miss.gold_id, miss.field, str(miss.expected), str(miss.extracted))
        console.print(misses)


class ParseFormat(str, Enum):
    """Output formats of `baocao parse`."""

    json = "json"
    jsonl = "jsonl"


@app.command("parse")
def parse_command(
    files: list[Path] = typer.Argument(..., help="The document(s) to read: PDF, DOCX, DOC, TXT or an image."),
    to: ParseFormat = typer.Option(
        ParseFormat.json, "--to", help="json: one indented JSON document (one FILE); jsonl: one line per FILE.",
    ),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
    ocr: bool = typer.Option(
        None, "--ocr/--no-ocr", show_default=False,
        help="Read scanned pages and photos with Tesseract, or only mark them as needing OCR (default: on, or BAOCAO_OCR).",
    ),
    timeout: float = typer.Option(DEFAULT_TIMEOUT_S, "--timeout", min=0, help=f"Seconds allowed per document, and {PAGE_ALLOWANCE_S:g} more for each page after the first (0: no limit)."),
) -> None:
    """Print one file's metadata, blocks, facts and errors as JSON, without making a store.

    The layout is that of pipeline.parse_file (README: "One file, no store"). Exit status 1 when a
    file could not be read as a document (its JSON still says why), 2 when a path is missing or a folder.
    """
    from pipeline.runner import check_file

    try:
        if to is ParseFormat.json and len(files) > 1:
            raise UsageError(f"--to json prints one document: {len(files)} files given (--to jsonl prints one line per file)")
        for path in files:
            check_file(path)
        sink = sys.stdout if out is None else out.open("w", encoding="utf-8")
    except (UsageError, OSError) as error:
        reason = f"cannot write {out}: {error.strerror or error}" if isinstance(error, OSError) else str(error)
        err_console.print(f"baocao parse: {reason}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(code=2) from error
    from pipeline.ingest.options import read_options
    from pipeline.nlp import build_nlp
    from pipeline.runner import parse_file

    nlp = build_nlp()
    failed = False
    try:
        for path in files:
            parsed = parse_file(path, read_options(ocr), nlp=nlp, timeout=timeout or None)
            indent = 1 if to is ParseFormat.json else None
            sink.write(json.dumps(parsed, ensure_ascii=False, indent=indent) + "\n")
            sink.flush()
            if parsed["status"] != "ok":
                # one line per file on stderr: the first problem, naming the file
                first = parsed["errors"][0]["message"] if parsed["errors"] else parsed["status"]
                named = first if parsed["source_path"] in first else f"{parsed['source_path']}: {first}"
                err_console.print(f"baocao parse: {parsed['status']}: {named}", highlight=False, markup=False, soft_wrap=True)
            failed = failed or parsed["status"] in ("failed", "unsupported")
    finally:
        if sink is not sys.stdout:
            sink.close()
    if failed:
        raise typer.Exit(code=1)


DEFAULT_DB = Path("extracted/reports.sqlite")


@app.command("serve")
def serve_command(
    db: Path = typer.Option(DEFAULT_DB, "--db", help="The store written by `baocao extract` (opened read-only)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; 0.0.0.0 exposes the page to the network."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    allowed_host: list[str] = typer.Option(
        [], "--allowed-host", help="Another name the page is reached by (repeatable; '*' for any, behind a proxy "
        "that checks it). Requests naming any other host get 400."),
) -> None:
    """Serve the coordination office's search page and JSON API over DB."""
    from pipeline.extras import MissingExtra, require

    try:
        require("serve", "baocao serve")
    except MissingExtra as error:
        err_console.print(f"baocao serve: {error}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(code=2) from error
    from pipeline.search_index import SearchIndexMissing
    from pipeline.web import serve

    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print(f"[yellow]listening on {host}: the page has no login; anyone who can reach this port can read the data[/yellow]")
    try:
        serve(db, host=host, port=port, extra_hosts=allowed_host)
    except (FileNotFoundError, SearchIndexMissing, sqlite3.Error) as error:
        err_console.print(f"[red]cannot serve: {error}[/red]")
        raise typer.Exit(code=2) from error


query_app = typer.Typer(help="Query the store from scripts: difficulty items, citing documents, money amounts.",
                        no_args_is_help=True)
app.add_typer(query_app, name="query")


class OutputFormat(str, Enum):
    """Output formats of `baocao query`."""

    table = "table"
    csv = "csv"
    json = "json"


DbOption = typer.Option(DEFAULT_DB, "--db", help="The store written by `baocao extract`.")
FormatOption = typer.Option(OutputFormat.table, "--format", help="table (human), csv or json (scripts).")
PageOption = typer.Option(1, "--page", min=1, help="Page number.")
SizeOption = typer.Option(20, "--size", min=1, help="Items per page (capped at 100).")
AllOption = typer.Option(False, "--all", help="Every matching item instead of one page (at most 100,000).")


def _open(db: Path) -> sqlite3.Connection:
    from pipeline.query import connect_read_only

    try:
        return connect_read_only(db)
    except (FileNotFoundError, sqlite3.Error) as error:
        err_console.print(f"[red]cannot open the database: {error}[/red]")
        raise typer.Exit(code=2) from error


def _emit(total: int, items: list[object], fmt: OutputFormat, columns: tuple[str, ...], title: str) -> None:
    records = [dataclasses.asdict(item) for item in items]  # type: ignore[call-overload]
    if fmt is OutputFormat.json:
        typer.echo(json.dumps({"total": total, "items": records}, ensure_ascii=False, indent=1))
        return
    flat = [{k: ("; ".join(map(str, v)) if isinstance(v, list) and not (v and isinstance(v[0], dict)) else v)
             for k, v in record.items()} for record in records]
    if fmt is OutputFormat.csv:
        fields = list(flat[0]) if flat else list(columns)
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for record in flat:
            writer.writerow({k: (json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v) for k, v in record.items()})
        return
    table = Table(title=f"{title}: {total} in all, {len(items)} shown")
    for column in columns:
        table.add_column(column, overflow="fold")
    for record in flat:
        table.add_row(*("" if record.get(c) is None else str(record.get(c)) for c in columns))
    console.print(table)


def _run_query(run: Callable[[], tuple[int, list[object]]]) -> tuple[int, list[object]]:
    from pipeline.search_index import SearchIndexMissing

    try:
        return run()
    except (QueryError, SearchIndexMissing) as error:
        err_console.print(f"[red]{error}[/red]")
        raise typer.Exit(code=2) from error


class _FilteredCommand:
    """A `baocao query` command whose options are its own plus one per filter of a search.

    The filter options are read from :mod:`pipeline.filters` each time Typer builds the command (its
    ``__signature__``), so a filter registered there is an option here; the command body receives
    them as one :class:`~pipeline.filters.FilterValues` (``filters=``).
    """

    __annotations__: dict[str, object] = {}

    def __init__(self, search: str, body: Callable[..., None]) -> None:
        self.search = search
        self.body = body
        self.__doc__ = body.__doc__
        self.__name__ = body.__name__

    @property
    def __signature__(self) -> inspect.Signature:
        options = [
            inspect.Parameter(
                f.name, inspect.Parameter.KEYWORD_ONLY, annotation=f.annotation,
                default=typer.Option(None, *f.cli_flags, help=f.help, min=f.minimum, max=f.maximum),
            )
            for f in filter_registry.for_search(self.search)
        ]
        own = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
               for name, p in inspect.signature(self.body, eval_str=True).parameters.items() if name != "filters"]
        return inspect.Signature([*options, *own])

    def __call__(self, **arguments: object) -> None:
        names = {f.name for f in filter_registry.for_search(self.search)}
        values = {name: arguments.pop(name) for name in list(arguments) if name in names}
        try:
            filters = FilterValues(self.search, values)
        except QueryError as error:
            err_console.print(f"[red]{error}[/red]")
            raise typer.Exit(code=2) from error
        self.body(filters=filters, **arguments)


def _filtered(search: str, name: str) -> Callable[[Callable[..., None]], _FilteredCommand]:
    """Register a `baocao query NAME` command taking the filters of ``search`` as options."""

    def decorate(body: Callable[..., None]) -> _FilteredCommand:
        command = _FilteredCommand(search, body)
        query_app.command(name, help=body.__doc__)(command)
        return command

    return decorate


@_filtered("difficulties", "difficulties")
def query_difficulties(
    filters: FilterValues, db: Path = DbOption, fmt: OutputFormat = FormatOption, page: int = PageOption,
    size: int = SizeOption, every: bool = AllOption,
) -> None:
    """Difficulty, limitation, cause and recommendation items (ranked when --q is given)."""
    from pipeline.query import iter_difficulties, search_difficulties

    connection = _open(db)

    def run() -> tuple[int, list[object]]:
        result = search_difficulties(connection, filters=filters, page=page, size=size)
        items = list(iter_difficulties(connection, filters)) if every else result.items
        return result.total, items

    with closing(connection):
        total, items = _run_query(run)
    _emit(total, items, fmt, ("kind", "text", "year", "province", "doc_number", "categories"), "difficulty items")


@query_app.command("references")
def query_references(
    code: str = typer.Option(..., "--code", help="Code of the cited document, e.g. 1763/QĐ-UBND."),
    db: Path = DbOption, fmt: OutputFormat = FormatOption, page: int = PageOption, size: int = SizeOption,
    every: bool = AllOption,
) -> None:
    """The documents that cite CODE, with each mention."""
    from pipeline.query import all_pages, documents_citing

    connection = _open(db)

    def run() -> tuple[int, list[object]]:
        result = documents_citing(connection, code, page=page, size=size)
        return result.total, list(all_pages(documents_citing, connection, code)) if every else result.items

    with closing(connection):
        total, items = _run_query(run)
    _emit(total, items, fmt, ("doc_number", "doc_type", "title", "issuer", "issued_date", "province"), "citing documents")


@_filtered("amounts", "amounts")
def query_amounts(
    filters: FilterValues, db: Path = DbOption, fmt: OutputFormat = FormatOption, page: int = PageOption,
    size: int = SizeOption, every: bool = AllOption,
) -> None:
    """Money amounts, largest first."""
    from pipeline.query import all_pages, search_amounts

    connection = _open(db)

    def run() -> tuple[int, list[object]]:
        result = search_amounts(connection, filters=filters, page=page, size=size)
        return result.total, list(all_pages(search_amounts, connection, filters=filters)) if every else result.items

    with closing(connection):
        total, items = _run_query(run)
    _emit(total, items, fmt, ("text", "value", "currency", "role", "year", "province", "doc_id"), "amounts")


if __name__ == "__main__":
    app()
