"""The notebooks in notebooks/: stored without outputs, free of logic, and run top to bottom.

The run is the one an analyst does: the ``jupyter`` command that ``pip install '.[notebooks]'``
installs (``jupyter nbconvert --execute``), with a kernel on that same environment's python
registered in a temporary Jupyter path, so a ``python3`` kernel installed elsewhere on the machine
is never picked up. ``make test`` makes ``.venv-notebooks`` with the notebooks extra alone (no web,
Dask or test extras), so the notebooks run on exactly what that extra installs; without it (pytest
run by hand) the environment of this test's own interpreter is used. Notebook 01 reads the repository's ``extracted/``
(what ``make demo`` writes); it is created from ``corpus/`` when missing.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from spacy.language import Language

from pipeline.batch import extract
from pipeline.store import DATABASE_NAME

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
NOTEBOOK_NAMES = ("01_explore.ipynb", "02_batch.ipynb")
EXTRACTED = REPO / "extracted"
KERNEL_NAME = "baocao-test"
# what `make test` installs with `pip install -e '.[notebooks]'` and nothing else (see the Makefile)
NOTEBOOKS_ALONE = REPO / ".venv-notebooks" / "bin" / "python"
NOTEBOOK_PYTHON = NOTEBOOKS_ALONE if NOTEBOOKS_ALONE.is_file() else Path(sys.executable)
# what a notebook may import: the library and the standard tools for looking at its tables
ALLOWED_IMPORTS = {"os", "pathlib", "shutil", "tempfile", "matplotlib.pyplot", "pandas", "pipeline", "pipeline.notebook"}
GLYPH_WARNINGS = ("missing from font", "Glyph ", "findfont: Font family")


def _code_cells(name: str) -> list[nbformat.NotebookNode]:
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_stored_without_outputs(name: str) -> None:
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    cells = _code_cells(name)
    assert cells, f"{name} has no code"
    for cell in cells:
        assert cell.outputs == [], f"{name}: a cell was saved with its outputs: {cell.source[:60]!r}"
        assert cell.execution_count is None, f"{name}: a cell was saved with an execution count"


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_notebooks_hold_no_logic(name: str) -> None:
    """No functions, classes or extra libraries in a notebook: what it calls lives in pipeline/."""
    for cell in _code_cells(name):
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)), (
                f"{name}: logic belongs in pipeline/, not in the notebook: {cell.source[:80]!r}"
            )
            if isinstance(node, ast.Import):
                modules = {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                modules = {node.module or ""}
            else:
                continue
            assert modules <= ALLOWED_IMPORTS, f"{name} imports {modules - ALLOWED_IMPORTS}"


@pytest.fixture(scope="module")
def sample_extracted(nlp: Language) -> Path:
    """The repository's ``extracted/`` (as ``make demo`` writes it), created when missing."""
    if not (EXTRACTED / DATABASE_NAME).is_file():
        extract([REPO / "corpus"], EXTRACTED, nlp=nlp)
    assert (EXTRACTED / DATABASE_NAME).is_file()
    return EXTRACTED


@pytest.fixture(scope="module")
def jupyter_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Jupyter data folder (for ``JUPYTER_PATH``) with one kernel on ``NOTEBOOK_PYTHON``."""
    folder = tmp_path_factory.mktemp("jupyter")
    spec = folder / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    argv = [str(NOTEBOOK_PYTHON), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "baocao tests", "language": "python"}), encoding="utf-8"
    )
    return folder


def _run(name: str, jupyter_path: Path, out_dir: Path) -> nbformat.NotebookNode:
    # the [notebooks] extra's own command, installed beside the interpreter (bin/ of the venv)
    jupyter = NOTEBOOK_PYTHON.parent / "jupyter"
    assert jupyter.is_file(), f"no {jupyter}: install the notebooks extra (pip install '.[notebooks]')"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_") and k != "MPLBACKEND"}
    env["JUPYTER_PATH"] = str(jupyter_path)
    done = subprocess.run(
        [str(jupyter), "nbconvert", "--to", "notebook", "--execute", f"--ExecutePreprocessor.kernel_name={KERNEL_NAME}",
         "--ExecutePreprocessor.timeout=600", "--output-dir", str(out_dir), str(NOTEBOOKS / name)],
        capture_output=True, text=True, env=env, cwd=NOTEBOOKS, timeout=1800, check=False,
    )
    assert done.returncode == 0, f"jupyter could not run {name}:\n{done.stderr[-3000:]}"
    return nbformat.read(out_dir / name, as_version=4)


@pytest.fixture(scope="module")
def executed(sample_extracted: Path, jupyter_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, nbformat.NotebookNode]:
    """Both notebooks, executed once by ``jupyter``."""
    out_dir = tmp_path_factory.mktemp("executed")
    return {name: _run(name, jupyter_path, out_dir) for name in NOTEBOOK_NAMES}


def _outputs(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]


def _texts(notebook: nbformat.NotebookNode, mime: str = "text/plain") -> str:
    parts = []
    for output in _outputs(notebook):
        if output.output_type == "stream":
            parts.append(output.text)
        elif mime in output.get("data", {}):
            parts.append(output.data[mime])
    return "\n".join(parts)


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_notebook_runs_top_to_bottom(executed: dict[str, nbformat.NotebookNode], name: str) -> None:
    notebook = executed[name]
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in cells), "some cells did not run"
    assert not [o for o in _outputs(notebook) if o.output_type == "error"]
    stderr = "\n".join(o.text for o in _outputs(notebook) if o.output_type == "stream" and o.name == "stderr")
    for warning in GLYPH_WARNINGS:
        assert warning not in stderr, f"{name}: a chart lacks glyphs:\n{stderr[:2000]}"


def test_explore_shows_charts_and_a_highlighted_document(executed: dict[str, nbformat.NotebookNode]) -> None:
    notebook = executed["01_explore.ipynb"]
    images = [o for o in _outputs(notebook) if "image/png" in o.get("data", {})]
    assert len(images) >= 3  # heatmaps, money, citation graph
    html = _texts(notebook, "text/html")
    assert "REFERENCE" in html and "DIFFICULTY" in html  # pipeline.show rendered with displaCy
    assert "QT-001" in _texts(notebook)  # the overview lists the sample's documents


def test_batch_reports_the_broken_file_and_scores(executed: dict[str, nbformat.NotebookNode]) -> None:
    notebook = executed["02_batch.ipynb"]
    text = _texts(notebook)
    assert "truncated.pdf" in text  # the errors table names the broken file
    assert "'failed': 1" in text
    if (REPO.parent / "shared" / "gold").is_dir():
        assert "difficulty items" in text and "precision" in text
        assert any("image/png" in o.get("data", {}) for o in _outputs(notebook))
    else:
        assert "evaluation skipped" in text


@pytest.mark.skipif(not NOTEBOOKS_ALONE.is_file(), reason="no .venv-notebooks: `make test` makes it")
def test_the_notebooks_environment_holds_the_notebooks_extra_alone() -> None:
    # the run above proves the extra is enough only if nothing of the other extras is there
    probe = "import importlib.util as u; print([m for m in ('fastapi', 'dask', 'pytest', 'datasette') if u.find_spec(m)])"
    done = subprocess.run([str(NOTEBOOK_PYTHON), "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stdout
