"""Is the cost of one document linear in its length? One long report concatenated ×1, ×2, ×4, ×8.

Usage: python bench/bench_linear.py [DOCUMENT] [--times 1 2 4 8]

The document's normalised text is repeated N times and written as a UTF-8 ``.txt`` file, which
then goes the whole way a batch sends it (``process_file``: read, normalise, tokenise, extract,
rows). Each run is timed against bare ``underthesea.word_tokenize`` of the same text in the same
process. Prints seconds per syllable for each N and the ratio of the last to the first: a linear
pipeline stays near 1.0 (the issue's bar is 1.15).
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from pathlib import Path

from pipeline.document import assemble
from pipeline.ingest import load_document
from pipeline.nlp import build_nlp
from pipeline.runner import process_file

_SYLLABLE = re.compile(r"\w+")
_DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "LD-034__BC_TONG_KET_CHIEN_LUOC_PCMT.docx"


def _seconds(run) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> None:
    """Print seconds per syllable of the whole path and of bare tokenisation for each length."""
    os.environ["BAOCAO_OCR"] = "0"
    parser = argparse.ArgumentParser()
    parser.add_argument("document", nargs="?", default=str(_DEFAULT))
    parser.add_argument("--times", type=int, nargs="+", default=[1, 2, 4, 8])
    args = parser.parse_args()
    from underthesea import word_tokenize

    text = assemble(load_document(Path(args.document))).text
    nlp = build_nlp()
    nlp("khởi động")  # start-up (model loading) is not part of the per-syllable cost
    word_tokenize("khởi động", use_token_normalize=False)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for times in args.times:
            long_text = "\n".join([text] * times)
            path = Path(folder) / f"long_{times}.txt"
            path.write_text(long_text, encoding="utf-8")
            syllables = len(_SYLLABLE.findall(long_text))
            pipeline = _seconds(lambda: process_file(path, path.name, nlp))
            bare = _seconds(lambda: word_tokenize(long_text, use_token_normalize=False))
            rows.append((times, syllables, pipeline, bare))
    print(f"document: {Path(args.document).name}")
    print(f"{'×':>3} {'syllables':>10} {'pipeline s':>11} {'µs/syllable':>12} {'bare s':>8} {'bare/pipeline':>14}")
    for times, syllables, pipeline, bare in rows:
        print(f"{times:>3} {syllables:>10} {pipeline:>11.2f} {pipeline / syllables * 1e6:>12.1f} {bare:>8.2f} {bare / pipeline:>14.2f}")
    first, last = rows[0], rows[-1]
    growth = (last[2] / last[1]) / (first[2] / first[1])
    print(f"seconds per syllable at ×{last[0]} / at ×{first[0]}: {growth:.2f} (linear: ≤ 1.15)")


if __name__ == "__main__":
    main()
