"""Optional parts of the package and the extra that installs each (``pip install 'baocao[web]'``).

The core install carries what ``extract``, ``parse``, ``query`` and ``pipeline.load`` need. The
office's page (``baocao serve``, its Excel export), the Dask executor and the notebooks' charts
need an extra each; :func:`require` checks, before anything is read or started, that its modules
are installed, and raises :class:`MissingExtra` naming the extra when one is not. Keep
``EXTRAS`` in step with ``[project.optional-dependencies]`` in pyproject.toml (a test compares them).
"""

from __future__ import annotations

import importlib.util

from pipeline.errors import UsageError

# extra -> the distributions it installs, as pyproject.toml names them
EXTRAS: dict[str, tuple[str, ...]] = {
    "web": ("fastapi", "uvicorn", "jinja2", "python-multipart", "openpyxl"),
    "dask": ("dask",),
    "notebooks": ("matplotlib", "ipykernel", "ipywidgets", "jupyterlab"),
}
# feature -> (its extra, the modules it imports); a chart needs neither a kernel nor JupyterLab
FEATURES: dict[str, tuple[str, tuple[str, ...]]] = {
    "serve": ("web", ("fastapi", "uvicorn", "jinja2", "openpyxl")),
    "dask": ("dask", ("dask", "distributed")),
    "charts": ("notebooks", ("matplotlib",)),
}


class MissingExtra(UsageError, ImportError):
    """A feature needs packages of an extra that is not installed: nothing was started. A
    :class:`~pipeline.errors.UsageError` (the CLI exits with status 2) and an ``ImportError``."""

    def __init__(self, what: str, extra: str, module: str) -> None:
        self.extra = extra
        self.module = module
        super().__init__(
            f"{what} needs the optional packages of baocao[{extra}] ({module} is not installed): pip install 'baocao[{extra}]'"
        )


def require(feature: str, what: str | None = None) -> None:
    """Raise :class:`MissingExtra` when a module ``feature`` (``serve``, ``dask``, ``charts``) needs
    is not installed; ``what`` names the feature in the message (default: its name)."""
    extra, modules = FEATURES[feature]
    for module in modules:
        if importlib.util.find_spec(module) is None:
            raise MissingExtra(what or feature, extra, module)
