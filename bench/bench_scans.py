"""Same facts from a document and from a synthetic scan of it (issue 5).

Each DOCX is printed to PDF by LibreOffice; each PDF (printed or from the archive) is rendered at
DPI, tilted by up to ±3°, given noise, blur and JPEG compression, and read back by the pipeline
with OCR. The cited codes, money values and percentages of the scan are compared with those the
pipeline reads from the original file (the DOCX itself, or the PDF's text layer).

Usage: python bench/bench_scans.py [--dpi 300] [--seed 1] FILE_OR_PREFIX ... (prefixes are looked
up in ../shared/corpus, e.g. LD-012 DN-007)
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from pipeline.scan_check import FACT_KINDS, Agreement, check_scan, pooled_f1

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _resolve(name: str) -> Path:
    path = Path(name)
    if path.is_file():
        return path
    matches = sorted(CORPUS.glob(f"{name}__*"))
    if not matches:
        raise SystemExit(f"{name}: no such file, and no {name}__* in {CORPUS}")
    return matches[0]


def _f1(value: float | None) -> str:
    return "   -" if value is None else f"{value:.3f}"


def main() -> None:
    """Print, per document and pooled, the F1 of the scan's facts against the original's."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("documents", nargs="+")
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ["BAOCAO_OCR"] = "1"
    results: list[Agreement] = []
    print(f"{'document':44s} pages  secs  facts  all    code   money  percent  worst-page-loss  silent  missing / extra")
    with tempfile.TemporaryDirectory() as folder:
        for name in args.documents:
            path = _resolve(name)
            start = time.perf_counter()
            agreement = check_scan(path, Path(folder), args.dpi, args.seed)
            seconds = time.perf_counter() - start
            results.append(agreement)
            scores = "  ".join(_f1(agreement.f1(kind)) for kind in (None, *FACT_KINDS))
            worst = max((p.lost_share for p in agreement.losses), default=0.0)
            silent = ",".join(str(p.page) for p in agreement.silent_losses()) or "-"
            print(f"{path.name[:44]:44s} {len(agreement.angles):5d} {seconds:5.0f} {len(agreement.expected):6d}  {scores}"
                  f"  {worst:15.1%}  {silent:6s}  {agreement.missing[:6]} / {agreement.extra[:6]}", flush=True)
    pooled = "  ".join(_f1(pooled_f1(results, kind)) for kind in (None, *FACT_KINDS))
    print(f"{'pooled over ' + str(len(results)) + ' documents':44s} {'':19s}  {pooled}")
    pages = [p for a in results for p in a.losses]
    silent = [(a.name, p.page, f"{p.lost_share:.1%}") for a in results for p in a.silent_losses()]
    print(f"pages: {len(pages)}, losing > 2% of their text: {sum(p.lost_share > 0.02 for p in pages)}, of which unflagged: {silent or 0}")


if __name__ == "__main__":
    main()
