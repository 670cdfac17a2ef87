"""baocao: structured facts from Vietnamese government reports."""

from __future__ import annotations

__version__ = "0.1.0"

from pipeline.nlp import build_nlp  # noqa: E402
from pipeline.batch import RunSummary, extract  # noqa: E402
from pipeline.notebook import Dataset, load, show  # noqa: E402

__all__ = ["__version__", "build_nlp", "extract", "RunSummary", "Dataset", "load", "show"]
