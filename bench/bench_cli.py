"""How fast the light commands answer: `baocao --help`, `--version`, `query --help`, a query and an
`extract` that finds every file unchanged.

Usage: python bench/bench_cli.py [--repeat N]
Each command is started as a new process (`python -m pipeline.cli …`, as a user types it) N times;
the median wall time is printed with its ratio to `python -c pass` measured in the same run, and
beside it the cost of importing what these commands no longer import (spaCy, underthesea, pandas)
and of the extraction stack (`import pipeline.runner`), also measured here. The store the queries
read is made first from the sample corpus's text report, and a store of the whole sample corpus for
the unchanged re-run (neither timed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = next((REPO / "corpus").glob("QT-001__*"))


def wall_time(args: list[str], repeat: int) -> float:
    """Median wall time of ``repeat`` runs of ``args`` (a process each), in seconds."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(args, cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of each command (median taken)")
    arguments = parser.parse_args()
    python = sys.executable
    cli = [python, "-m", "pipeline.cli"]
    with tempfile.TemporaryDirectory() as scratch:
        store = Path(scratch) / "store"
        subprocess.run([*cli, "extract", str(SAMPLE), "--out", str(store), "--workers", "1", "--no-ocr", "--quiet"],
                       cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "BAOCAO_OCR": "0"})
        db = str(store / "reports.sqlite")
        sample = Path(scratch) / "sample"
        rerun = [*cli, "extract", str(REPO / "corpus"), "--out", str(sample), "--workers", "1", "--no-ocr", "--quiet"]
        subprocess.run(rerun, cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        commands = {
            "python -c pass (baseline)": [python, "-c", "pass"],
            "baocao --help": [*cli, "--help"],
            "baocao --version": [*cli, "--version"],
            "baocao query --help": [*cli, "query", "--help"],
            "baocao query difficulties --help": [*cli, "query", "difficulties", "--help"],
            "baocao query difficulties --format json": [*cli, "query", "difficulties", "--db", db, "--format", "json"],
            "baocao query amounts --all --format csv": [*cli, "query", "amounts", "--db", db, "--all", "--format", "csv"],
            "(import spacy, underthesea, pandas)": [python, "-c", "import spacy, underthesea, pandas"],
            "baocao extract corpus/ (4 files, all unchanged)": rerun,
            "(import pipeline.runner: the extraction stack)": [python, "-c", "import pipeline.runner"],
        }
        times = {name: wall_time(args, arguments.repeat) for name, args in commands.items()}
    baseline = times["python -c pass (baseline)"]
    print(f"median of {arguments.repeat} runs each, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{'command':48} {'seconds':>8} {'x python -c pass':>17}")
    for name, seconds in times.items():
        print(f"{name:48} {seconds:8.3f} {seconds / baseline:17.1f}")


if __name__ == "__main__":
    main()
