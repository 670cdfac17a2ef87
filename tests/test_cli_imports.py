"""The light commands stay light: `baocao --help`, `--version`, `query … --help`, `baocao query` and an
`extract` that finds every file unchanged import neither spaCy, underthesea, pandas nor the notebook
module (issue 20: `--help` took 3.2 s, an unchanged re-run 2.6 s).

Each check runs in a fresh interpreter (the test process has long imported everything) and reads
its ``sys.modules`` after the command ran. Speed itself is in ``bench/bench_cli.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from spacy.language import Language

from pipeline.batch import extract
from pipeline.store import DATABASE_NAME
from tests.conftest import REPO, SAMPLE_CORPUS

HEAVY = ("spacy", "underthesea", "pandas", "pyarrow", "numpy", "matplotlib", "fastapi", "dask", "openpyxl",
         "pipeline.notebook", "pipeline.nlp", "pipeline.batch", "pipeline.runner", "pipeline.evaluate")

# runs ARGS through the app in this interpreter, then prints what it imported as JSON on stderr
_PROBE = """
import json, sys
from typer.testing import CliRunner
import pipeline.cli
result = CliRunner().invoke(pipeline.cli.app, sys.argv[1:])
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {heavy_roots} or m in {heavy})
print(json.dumps({{"exit": result.exit_code, "output": result.output, "loaded": loaded}}), file=sys.stderr)
"""


def _probe(*args: str) -> dict:
    roots = {m for m in HEAVY if "." not in m}
    code = _PROBE.format(heavy_roots=sorted(roots), heavy=sorted(set(HEAVY) - roots))
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=REPO, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report


@pytest.mark.parametrize(
    "args",
    [
        ("--help",), ("--version",), ("query", "--help"), ("query", "difficulties", "--help"),
        ("query", "amounts", "--help"), ("query", "references", "--help"), ("extract", "--help"), ("parse", "--help"),
    ],
    ids=lambda args: " ".join(args),
)
def test_help_and_version_import_nothing_heavy(args: tuple[str, ...]) -> None:
    report = _probe(*args)
    assert report["exit"] == 0, report["output"]
    assert report["output"].strip()
    assert report["loaded"] == []


def test_building_the_app_imports_nothing_heavy() -> None:
    code = (
        "import sys, typer.main, pipeline.cli\n"
        "typer.main.get_command(pipeline.cli.app)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted({m for m in HEAVY if '.' not in m})!r}"
        f" or m in {sorted(m for m in HEAVY if '.' in m)!r}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory, nlp: Language) -> Path:
    out = tmp_path_factory.mktemp("cli_imports_store")
    extract([next(SAMPLE_CORPUS.glob("QT-001__*"))], out, nlp=nlp)
    return out / DATABASE_NAME


@pytest.mark.parametrize(
    "args",
    [
        ("query", "difficulties", "--format", "json"),
        ("query", "difficulties", "-q", "von", "--format", "csv"),
        ("query", "amounts", "--format", "json", "--all"),
        ("query", "references", "--code", "1763/QĐ-UBND", "--format", "json"),
    ],
    ids=lambda args: " ".join(args),
)
def test_queries_import_nothing_heavy(small_store: Path, args: tuple[str, ...]) -> None:
    report = _probe(*args, "--db", str(small_store))
    assert report["exit"] == 0, report["output"]
    if "json" in args:
        assert json.loads(report["output"])["total"] >= (1 if "amounts" in args else 0)
    assert report["loaded"] == []


def test_the_public_names_load_at_first_use() -> None:
    code = (
        "import sys, pipeline\n"
        "assert 'pipeline.batch' not in sys.modules and 'spacy' not in sys.modules\n"
        "import pipeline.extract.rows\n"  # binds the subpackage on the package: the function must keep the name
        "from pipeline.batch import extract\n"
        "assert pipeline.extract is extract, pipeline.extract\n"
        "from pipeline import extract as again, build_nlp, load, show, Dataset, RunSummary, parse_file\n"
        "assert again is extract and callable(build_nlp) and callable(load) and callable(show) and callable(parse_file)\n"
        "assert Dataset.__module__ == 'pipeline.notebook' and RunSummary.__module__ == 'pipeline.batch'\n"
        "assert {'extract', 'load', 'parse_file'} <= set(dir(pipeline))\n"
        "try:\n"
        "    pipeline.no_such_name\n"
        "except AttributeError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('no AttributeError')\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=300, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_an_unchanged_rerun_reads_nothing_and_imports_nothing_heavy(tmp_path: Path, nlp: Language) -> None:
    extract([SAMPLE_CORPUS], tmp_path, nlp=nlp)
    parquet = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.parquet")}
    report = _probe("extract", str(SAMPLE_CORPUS), "--out", str(tmp_path), "--summary-json", str(tmp_path / "s.json"))
    assert report["exit"] == 0, report["output"]
    assert json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["actions"] == {"unchanged": 4}
    # the extraction modules, spaCy and the readers stay unloaded (pipeline.batch itself is light now)
    assert [m for m in report["loaded"] if m != "pipeline.batch"] == []
    # nothing changed, so the snapshot was not rewritten
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.parquet")} == parquet
