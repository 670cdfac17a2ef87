"""baocao: structured facts from Vietnamese government reports.

The public names (``build_nlp``, ``extract``, ``parse_file``, ``load``, ``show`` …) are imported at
first use, not with the package: ``import pipeline.query`` or ``baocao --help`` must not pay for
spaCy, underthesea, pandas or the notebook module.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it
_LAZY = {
    "build_nlp": "pipeline.nlp",
    "extract": "pipeline.batch",
    "RunSummary": "pipeline.batch",
    "parse_file": "pipeline.runner",
    "Dataset": "pipeline.notebook",
    "load": "pipeline.notebook",
    "show": "pipeline.notebook",
}

__all__ = ["__version__", "build_nlp", "extract", "parse_file", "RunSummary", "Dataset", "load", "show"]

if TYPE_CHECKING:
    from pipeline.batch import RunSummary, extract
    from pipeline.nlp import build_nlp
    from pipeline.notebook import Dataset, load, show
    from pipeline.runner import parse_file


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


class _Package(types.ModuleType):
    """``pipeline.extract`` is the batch function, although a subpackage has that name too.

    Importing the subpackage ``pipeline.extract`` (done by the NLP stage) binds it as an attribute of
    this package; the function must keep the public name, as it did when this module imported it
    last. The subpackage stays reachable as ``sys.modules["pipeline.extract"]`` and through
    ``from pipeline.extract import …``.
    """

    @property
    def extract(self) -> Any:
        from pipeline.batch import extract

        return extract

    @extract.setter
    def extract(self, value: Any) -> None:
        pass  # the import system recording the subpackage: the function keeps the name


sys.modules[__name__].__class__ = _Package
