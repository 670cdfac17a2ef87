"""OCR throughput: the pipeline's page OCR (deskew, orientation, coverage, correction) vs bare
``tesseract -l vie`` on the same page images in the same run, one thread and all cores.

Usage: python bench/bench_ocr.py [CORPUS_DIR] [PAGES]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pypdfium2

from pipeline.ingest.ocr import ocr_image, pdf_page_image


def _pages(corpus: Path, count: int) -> list[tuple[object, float]]:
    pages = []
    for path in sorted(corpus.glob("DN-0*.pdf")):
        document = pypdfium2.PdfDocument(str(path))
        if len(document) and not document[0].get_textpage().get_text_range().strip():
            pages.append(pdf_page_image(document, 0))
        if len(pages) >= count:
            break
    return pages


def _bare(image_path: str, dpi: float) -> None:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    subprocess.run(["tesseract", image_path, "-", "-l", "vie", "--dpi", str(int(dpi)), "tsv"], capture_output=True, env=env, check=True)


def main() -> None:
    """Print pages/s for bare tesseract and the pipeline, with 1 worker and with all cores."""
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/corpus")
    pages = _pages(corpus, int(sys.argv[2]) if len(sys.argv) > 2 else 6)
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for i, (image, dpi) in enumerate(pages):
            name = f"{folder}/p{i}.pgm"
            image.save(name)
            files.append((name, dpi))
        results = {}
        for workers in (1, cores):
            with ThreadPoolExecutor(max_workers=workers) as pool:
                start = time.perf_counter()
                list(pool.map(lambda item: _bare(*item), files))
                results[("bare", workers)] = len(files) / (time.perf_counter() - start)
                start = time.perf_counter()
                list(pool.map(lambda item: ocr_image(*item), pages))
                results[("pipeline", workers)] = len(pages) / (time.perf_counter() - start)
    print(f"pages: {len(pages)} (first pages of scanned DN PDFs, native resolution), cores: {cores}")
    for (kind, workers), rate in results.items():
        print(f"{kind:9s} workers={workers}: {rate:.3f} pages/s")
    print(f"pipeline/bare, 1 worker: {results[('pipeline', 1)] / results[('bare', 1)]:.2f}x")
    print(f"speed-up with {cores} cores: pipeline {results[('pipeline', cores)] / results[('pipeline', 1)]:.2f}x, "
          f"bare {results[('bare', cores)] / results[('bare', 1)]:.2f}x")


if __name__ == "__main__":
    main()
