"""Do pdfium (plain pages) and pdfplumber (every page) give the same blocks for every text PDF?

Usage: python bench/compare_pdf_readers.py [CORPUS_DIR] [--ocr]

Each PDF of the corpus is read twice by ``load_pdf``: ``fast=False`` (pdfplumber on every page, the
reader of record) and ``fast=True`` (pdfium on plain pages). Blocks (kind, text, page, column,
bold, cells, source), page infos and warnings must be equal. OCR is off unless ``--ocr`` (it reads
the same pages either way). Prints one line per PDF with text and the count of identical ones.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import asdict
from pathlib import Path

from common import SHARED_CORPUS


def main() -> None:
    """Compare the two readers on every PDF of the corpus; exit 1 if any differs."""
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", default=str(SHARED_CORPUS))
    parser.add_argument("--ocr", action="store_true", help="leave OCR on (default: BAOCAO_OCR=0)")
    args = parser.parse_args()
    if not args.ocr:
        os.environ["BAOCAO_OCR"] = "0"
    from pipeline.errors import IngestError
    from pipeline.ingest.pdf import load_pdf

    identical = compared = pdfium_pages = all_pages = 0
    slow_total = fast_total = 0.0
    differing: list[str] = []
    for path in sorted(Path(args.corpus).glob("*.pdf")):
        try:
            started = time.perf_counter()
            slow = load_pdf(path, path.name, fast=False)
            middle = time.perf_counter()
            fast = load_pdf(path, path.name, fast=True)
            ended = time.perf_counter()
        except IngestError as e:
            print(f"{path.name[:40]:40} skipped: {e.code}")
            continue
        if not any(b.text for b in slow.blocks):
            continue  # no text layer read (a scan with OCR off)
        compared += 1
        same = (
            [asdict(b) for b in slow.blocks] == [asdict(b) for b in fast.blocks]
            and [asdict(p) for p in slow.pages] == [asdict(p) for p in fast.pages]
            and slow.warnings == fast.warnings
        )
        identical += same
        if not same:
            differing.append(path.name)
        read_fast = len(fast.provenance.get("pdfium_pages", "").split(",")) if fast.provenance.get("pdfium_pages") else 0
        pdfium_pages += read_fast
        all_pages += len(slow.pages)
        slow_total += middle - started
        fast_total += ended - middle
        print(f"{path.name[:40]:40} {'same' if same else 'DIFFERENT':9} pages {len(slow.pages):3} by pdfium {read_fast:3}  "
              f"pdfplumber {middle - started:6.2f} s  fast {ended - middle:6.2f} s")
    print(f"identical: {identical} of {compared} PDFs with a text layer; {pdfium_pages} of {all_pages} pages read by pdfium; "
          f"load_pdf {slow_total:.2f} s -> {fast_total:.2f} s")
    if differing:
        print("different:", ", ".join(differing))
        raise SystemExit(1)


if __name__ == "__main__":
    main()
