"""What the benchmark scripts share: the corpus as normalised documents and a best-of timer."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from pipeline.document import DocumentText, assemble
from pipeline.errors import IngestError
from pipeline.ingest import load_document

SHARED_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def corpus_documents(corpus: Path) -> list[tuple[Path, DocumentText]]:
    """Every readable file of ``corpus`` with text, as ``(path, normalised document)``, by name."""
    documents = []
    for path in sorted(corpus.iterdir()):
        try:
            document = assemble(load_document(path))
        except IngestError:
            continue
        if document.text:
            documents.append((path, document))
    return documents


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """The shortest of ``repeat`` timed runs, in seconds."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return min(timings)
