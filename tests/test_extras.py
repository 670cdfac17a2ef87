"""Packaging: the optional extras ([web], [dask], [notebooks], [all]), py.typed, and the one-line
message a command gives when its extra is missing (issue 20.4)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import pipeline
from pipeline import notebook as nb
from pipeline.cli import app
from pipeline.errors import UsageError
from pipeline.extras import EXTRAS, FEATURES, MissingExtra, require
from tests.conftest import REPO, SAMPLE_CORPUS

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
runner = CliRunner()


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower()


def test_extras_in_pyproject_are_those_the_code_names() -> None:
    optional = PYPROJECT["project"]["optional-dependencies"]
    for extra, distributions in EXTRAS.items():
        assert [_name(r) for r in optional[extra]] == list(distributions), extra
    (everything,) = optional["all"]
    assert everything.startswith("baocao[") and set(everything[7:-1].split(",")) == set(EXTRAS)
    core = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    for extra, distributions in EXTRAS.items():
        assert not core & set(distributions), f"{extra}: {core & set(distributions)} is still a core dependency"
    for extra, _modules in FEATURES.values():
        assert extra in EXTRAS


def test_make_setup_installs_every_extra_the_tests_need() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "pip install -q -e '.[all,test]'" in makefile


def test_the_package_ships_py_typed_and_its_data(tmp_path: Path) -> None:
    """What setuptools puts in the package (build_py, as for a wheel), from a copy of the sources."""
    pytest.importorskip("setuptools")
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source)
    shutil.copytree(REPO / "pipeline", source / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "egg").mkdir()
    done = subprocess.run(
        [sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "egg_info", "--egg-base", str(tmp_path / "egg"),
         "build_py", "--build-lib", str(tmp_path / "lib")],
        cwd=source, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    built = tmp_path / "lib" / "pipeline"
    assert (built / "py.typed").is_file()
    assert (built / "data" / "provinces.txt").is_file() and list((built / "web" / "templates").glob("*.html"))
    info = next((tmp_path / "egg").glob("*.egg-info")) / "PKG-INFO"
    provided = re.findall(r"^Provides-Extra: (\S+)", info.read_text(encoding="utf-8"), flags=re.M)
    assert {"web", "dask", "notebooks", "all"} <= set(provided)
    # one version source: the package's, which the metadata repeats
    assert "version" not in PYPROJECT["project"] and "version" in PYPROJECT["project"]["dynamic"]
    assert re.search(r"^Version: (\S+)$", info.read_text(encoding="utf-8"), flags=re.M).group(1) == pipeline.__version__  # type: ignore[union-attr]


def test_require_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    require("serve")  # installed here: no error
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if not installed
    with pytest.raises(MissingExtra) as raised:
        require("serve", "baocao serve")
    assert isinstance(raised.value, UsageError) and isinstance(raised.value, ImportError)
    assert str(raised.value) == (
        "baocao serve needs the optional packages of baocao[web] (openpyxl is not installed): pip install 'baocao[web]'"
    )


def test_serve_without_the_web_extra_exits_2_with_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "fastapi", None)
    result = runner.invoke(app, ["serve", "--db", str(tmp_path / "reports.sqlite")])
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "baocao[web]" in lines[0] and "fastapi" in lines[0]


def test_dask_executor_without_the_dask_extra_reads_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    out = tmp_path / "out"
    with pytest.raises(MissingExtra, match=r"baocao\[dask\]"):
        pipeline.extract([SAMPLE_CORPUS], out, executor="dask", scheduler="tcp://127.0.0.1:1")
    result = runner.invoke(app, ["extract", str(SAMPLE_CORPUS), "--out", str(out), "--executor", "dask",
                                 "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "the dask executor needs" in lines[0] and "pip install 'baocao[dask]'" in lines[0]
    assert not out.exists()


def test_charts_without_the_notebooks_extra_name_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingExtra, match=r"baocao\[notebooks\]"):
        nb.plot_heatmap(pd.DataFrame({"a": [1]}))
    with pytest.raises(MissingExtra, match=r"baocao\[notebooks\]"):
        nb.use_vietnamese_font()


# the core commands in an interpreter where no extra's package can be imported
_CORE_ONLY = """
import sys
for name in {blocked!r}:
    sys.modules[name] = None
from typer.testing import CliRunner
from pipeline.cli import app
runner = CliRunner()
for args in {runs!r}:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, (args, result.output)
loaded = sorted(m for m in sys.modules if sys.modules[m] is not None and m.split(".")[0] in {blocked!r})
assert not loaded, loaded
print("ok")
"""


def test_extract_parse_and_query_need_no_extra(tmp_path: Path) -> None:
    blocked = ["fastapi", "uvicorn", "starlette", "openpyxl", "matplotlib", "dask", "distributed", "ipywidgets", "jupyterlab"]
    text = str(next(SAMPLE_CORPUS.glob("QT-001__*")))
    out = str(tmp_path / "out")
    runs = [
        ["extract", text, "--out", out, "--workers", "1", "--no-ocr", "--quiet"],
        ["parse", text, "--no-ocr", "--out", str(tmp_path / "one.json")],
        ["query", "difficulties", "--db", f"{out}/reports.sqlite", "--format", "json"],
        ["query", "amounts", "--db", f"{out}/reports.sqlite", "--format", "csv"],
    ]
    code = _CORE_ONLY.format(blocked=blocked, runs=runs)
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-3000:]
