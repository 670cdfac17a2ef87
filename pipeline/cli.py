"""Command line: a thin Typer shell over ``pipeline``."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from pipeline.evaluate import score_difficulties, score_facts, score_metadata
from pipeline.extract.categories import evaluate_categories, read_labelled_sample
from pipeline.query import difficulty_summary
from pipeline.batch import DEFAULT_TIMEOUT_S
from pipeline.runner import DocumentResult, discover, extract

app = typer.Typer(help="baocao: turn Vietnamese government reports into a structured dataset.", no_args_is_help=True)
console = Console()


@app.callback()
def main() -> None:
    """baocao: turn Vietnamese government reports into a structured dataset."""


@app.command("extract")
def extract_command(
    paths: list[Path] = typer.Argument(..., help="Files or folders to read (searched recursively)."),
    out: Path = typer.Option(Path("extracted"), "--out", help="Output folder for reports.sqlite and *.parquet."),
    workers: int = typer.Option(os.cpu_count() or 1, "--workers", "-j", min=1, help="Worker processes (default: all cores)."),
    force: bool = typer.Option(False, "--force", help="Extract every file again, even unchanged ones."),
    timeout: float = typer.Option(DEFAULT_TIMEOUT_S, "--timeout", min=0, help="Seconds allowed per document (0: no limit)."),
    executor: str = typer.Option("auto", "--executor", help="auto, inline, process or dask."),
    scheduler: str = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786."),
) -> None:
    """Read every report under PATHS and write the dataset to OUT."""
    if executor not in ("auto", "inline", "process", "dask"):
        raise typer.BadParameter("--executor must be auto, inline, process or dask")
    if executor == "dask" and not scheduler:
        raise typer.BadParameter("--executor dask needs --scheduler tcp://HOST:PORT")
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

        summary = extract(
            paths, out, on_document=advance, workers=workers, force=force, timeout=timeout or None,
            executor=executor, scheduler=scheduler,
        )
        progress.update(task, completed=total)
    statuses = Table(title="Documents by status")
    statuses.add_column("status")
    statuses.add_column("files", justify="right")
    for status, count in sorted(summary.statuses.items()):
        statuses.add_row(status, str(count))
    actions = Table(title="This run")
    actions.add_column("files")
    actions.add_column("count", justify="right")
    for action in ("new", "changed", "moved", "unchanged", "duplicate"):
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
    if summary.failed:
        console.print(f"[red]{summary.failed} document(s) failed: see the errors table[/red]")
        raise typer.Exit(code=1)


def _print_difficulties(out: Path) -> None:
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
    gold_dir: Path = typer.Argument(..., help="Folder of gold annotation files (<ID>.json)."),
    out: Path = typer.Option(Path("extracted"), "--out", help="Folder holding the extracted reports.sqlite."),
    labels: Path = typer.Option(
        Path("tests/data/difficulty_labels.tsv"), "--labels",
        help="Labelled difficulty items for the category classifier (skipped when the file is absent).",
    ),
) -> None:
    """Score the extracted dataset in OUT against the gold annotations in GOLD_DIR."""
    score = score_metadata(gold_dir, out)
    console.print(
        f"metadata: {score.matched}/{score.fields} fields match "
        f"({score.accuracy:.1%}) over {score.documents} annotated document(s)"
    )
    if score.missing_documents:
        console.print(f"not in this dataset: {', '.join(score.missing_documents)}")
    facts = score_facts(gold_dir, out)
    table = Table(title="Facts against the gold")
    for column in ("fact", "precision", "recall", "F1", "gold", "extracted"):
        table.add_column(column, justify="right" if column != "fact" else "left")
    for fact in facts.values():
        table.add_row(
            fact.fact, f"{fact.precision:.3f}", f"{fact.recall:.3f}", f"{fact.f1:.3f}",
            str(fact.true_positives + fact.false_negatives), str(fact.true_positives + fact.false_positives),
        )
    items = score_difficulties(gold_dir, out)
    table.add_row(
        "difficulty items", f"{items.precision:.3f}", f"{items.recall:.3f}", f"{items.f1:.3f}",
        str(items.true_positives + items.false_negatives), str(items.true_positives + items.false_positives),
    )
    console.print(table)
    for fact in [*facts.values(), items]:
        for gold_id, missed in fact.misses.items():
            console.print(f"[yellow]{fact.fact} missed in {gold_id}:[/yellow] {', '.join(missed)}")
        for gold_id, extra in fact.false_hits.items():
            console.print(f"[yellow]{fact.fact} false hits in {gold_id}:[/yellow] {', '.join(extra)}")
    if labels.is_file():
        rows = read_labelled_sample(labels)
        categories = Table(title=f"Difficulty categories on {len(rows)} labelled items ({labels})")
        for column in ("category", "precision", "recall", "items"):
            categories.add_column(column, justify="left" if column == "category" else "right")
        for name, (precision, recall, support) in evaluate_categories(rows).items():
            categories.add_row(name, f"{precision:.2f}", f"{recall:.2f}", str(support))
        console.print(categories)
    if score.misses:
        misses = Table(title="Metadata misses")
        for column in ("document", "field", "gold", "extracted"):
            misses.add_column(column)
        for miss in score.misses:
            misses.add_row(miss.gold_id, miss.field, str(miss.expected), str(miss.extracted))
        console.print(misses)


if __name__ == "__main__":
    app()
