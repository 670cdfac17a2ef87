"""Character error rate of OCR on synthetic scans of a real text PDF, raw and after correction.

Pages of the PDF are rendered at DPI, tilted, given noise, blur and JPEG compression
(``pipeline.scan_check.degrade``), read by the pipeline's page OCR with and without the
syllable correction, and compared with the page's text layer (page number line dropped).
Lines are joined as the PDF reader joins them. Tesseract runs once per scan: the correction
is applied to a copy of the raw words.

Usage: python bench/bench_cer.py [PDF] [--pages 0-9] [--angles 2.5,-3,1] [--dpi 300]
"""

from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path

import numpy as np
import pypdfium2

from pipeline.ingest.ocr import correct_words, ocr_image
from pipeline.scan_check import cer, degrade, ocr_text, page_reference

DEFAULT_PDF = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "DN-001__216BC_CCHC_nam_2018.pdf"


def _pages(spec: str) -> list[int]:
    first, _, last = spec.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main() -> None:
    """Print CER per page and angle, and pooled over all (edits / reference characters)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", nargs="?", type=Path, default=DEFAULT_PDF)
    parser.add_argument("--pages", default="0-9")
    parser.add_argument("--angles", default="2.5,-3,1")
    parser.add_argument("--dpi", type=int, default=300)
    args = parser.parse_args()
    document = pypdfium2.PdfDocument(str(args.pdf))
    angles = [float(a) for a in args.angles.split(",")]
    totals = {"raw": 0.0, "corrected": 0.0}
    characters = 0
    print(f"{args.pdf.name}, {args.dpi} dpi")
    print(f"{'page':>4} {'angle':>6} {'chars':>6} {'raw':>7} {'corrected':>9} {'secs':>5}")
    for index in _pages(args.pages):
        if index >= len(document):
            break
        reference = page_reference(args.pdf, index)
        clean = document[index].render(scale=args.dpi / 72, grayscale=True).to_pil()
        for seed, angle in enumerate(angles):
            scan, _ = degrade(clean, np.random.default_rng(seed), tilt=angle)
            start = time.perf_counter()
            raw_page = ocr_image(scan, args.dpi, correct=False)
            seconds = time.perf_counter() - start
            corrected_page = copy.deepcopy(raw_page)
            correct_words(corrected_page.words)
            raw, corrected = cer(reference, ocr_text(raw_page)), cer(reference, ocr_text(corrected_page))
            totals["raw"] += raw * len(reference)
            totals["corrected"] += corrected * len(reference)
            characters += len(reference)
            print(f"{index:4d} {angle:6.1f} {len(reference):6d} {raw:7.2%} {corrected:9.2%} {seconds:5.1f}", flush=True)
    print(f"pooled over {characters} reference characters: raw {totals['raw'] / characters:.2%}, "
          f"corrected {totals['corrected'] / characters:.2%}")


if __name__ == "__main__":
    main()
