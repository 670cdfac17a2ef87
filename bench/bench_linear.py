"""Is the cost of one document linear in its length? One long report concatenated ×1, ×2, ×4, ×8.

Usage: python bench/bench_linear.py [DOCUMENT] [--times 1 2 4 8] [--longest N] [--all] [--repeat N] [--skip-linear] [--corpus DIR]

The document's normalised text is repeated N times and written as a UTF-8 ``.txt`` file, which
then goes the whole way a batch sends it (``process_file``: read, normalise, tokenise, extract,
rows). Each run is timed against bare ``underthesea.word_tokenize`` of the same text in the same
process. Prints seconds per syllable for each N and the ratio of the last to the first: a linear
pipeline stays near 1.0 (the issue's bar is 1.15).

Then the N longest text documents of the corpus (by syllables, OCR off), and with ``--all`` every
text document, go the same whole way, one by one, against bare ``word_tokenize`` of their
normalised texts in the same process: once with PDFs read as the pipeline reads them (pdfium on
plain pages) and once with pdfplumber on every page (``load_pdf(fast=False)``).
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
from pathlib import Path

from collections.abc import Callable
from functools import partial

from pipeline.document import assemble
from pipeline.ingest import BACKENDS, load_document
from pipeline.ingest.pdf import load_pdf
from pipeline.nlp import build_nlp
from pipeline.runner import process_file

from common import SHARED_CORPUS, best_of, corpus_documents

_SYLLABLE = re.compile(r"\w+")
_DEFAULT = SHARED_CORPUS / "LD-034__BC_TONG_KET_CHIEN_LUOC_PCMT.docx"


def main() -> None:
    """Print seconds per syllable of the whole path and of bare tokenisation for each length."""
    os.environ["BAOCAO_OCR"] = "0"
    parser = argparse.ArgumentParser()
    parser.add_argument("document", nargs="?", default=str(_DEFAULT))
    parser.add_argument("--times", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--longest", type=int, default=5)
    parser.add_argument("--corpus", default=str(_DEFAULT.parent))
    parser.add_argument("--all", action="store_true", help="also every text document of the corpus, one by one")
    parser.add_argument("--skip-linear", action="store_true", help="only the longest / all documents")
    parser.add_argument("--repeat", type=int, default=1, help="best of N for each document (longest / all)")
    args = parser.parse_args()
    from underthesea import word_tokenize

    nlp = build_nlp()
    nlp("khởi động")  # start-up (model loading) is not part of the per-syllable cost
    word_tokenize("khởi động", use_token_normalize=False)
    if not args.skip_linear:
        _linear(Path(args.document), args.times, nlp, word_tokenize)
    if args.longest or args.all:
        _longest(Path(args.corpus), args.longest, args.all, args.repeat, nlp, word_tokenize)


def _linear(document: Path, times_list: list[int], nlp, word_tokenize) -> None:  # type: ignore[no-untyped-def]
    """One document's text repeated ``times_list`` times: seconds per syllable of each length."""
    text = assemble(load_document(document)).text
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for times in times_list:
            long_text = "\n".join([text] * times)
            path = Path(folder) / f"long_{times}.txt"
            path.write_text(long_text, encoding="utf-8")
            syllables = len(_SYLLABLE.findall(long_text))
            pipeline = best_of(1, lambda: process_file(path, path.name, nlp))
            bare = best_of(1, lambda: word_tokenize(long_text, use_token_normalize=False))
            rows.append((times, syllables, pipeline, bare))
    print(f"document: {document.name}")
    print(f"{'×':>3} {'syllables':>10} {'pipeline s':>11} {'µs/syllable':>12} {'bare s':>8} {'bare/pipeline':>14}")
    for times, syllables, pipeline, bare in rows:
        print(f"{times:>3} {syllables:>10} {pipeline:>11.2f} {pipeline / syllables * 1e6:>12.1f} {bare:>8.2f} {bare / pipeline:>14.2f}")
    first, last = rows[0], rows[-1]
    growth = (last[2] / last[1]) / (first[2] / first[1])
    print(f"seconds per syllable at ×{last[0]} / at ×{first[0]}: {growth:.2f} (linear: ≤ 1.15)")


def _longest(corpus: Path, count: int, everything: bool, repeat: int, nlp, word_tokenize) -> None:  # type: ignore[no-untyped-def]
    """The ``count`` longest (and with ``everything`` all) text documents, whole path vs bare tokenisation.

    Each document is timed bare, through the pipeline's PDF reading and through pdfplumber on every
    page, one after the other (best of ``repeat``), so that a change of load on the machine
    weighs on the three alike.
    """
    sized = [(len(_SYLLABLE.findall(d.text)), path, d.text) for path, d in corpus_documents(corpus)]
    sized.sort(key=lambda row: (-row[0], row[1].name))
    slow_pdf = partial(load_pdf, fast=False)

    def whole_path(path: Path, reader: Callable[..., object]) -> float:
        BACKENDS["pdf"] = reader
        try:
            return best_of(repeat, lambda: process_file(path, path.name, nlp))
        finally:
            BACKENDS["pdf"] = load_pdf

    timings = {}
    for _, path, text in sized[:count] if not everything else sized:
        bare = best_of(repeat, lambda: word_tokenize(text, use_token_normalize=False))
        timings[path] = (bare, whole_path(path, load_pdf), whole_path(path, slow_pdf))
    sets = [(f"the {min(count, len(sized))} longest documents", sized[:count])] if count else []
    if everything:
        sets.append((f"all {len(sized)} text documents", sized))
    for label, chosen in sets:
        names = ", ".join(p.name.split("__")[0] for _, p, _ in chosen) if len(chosen) <= 8 else "OCR off"
        syllables = sum(n for n, _, _ in chosen)
        bare, fast, slow = (sum(timings[p][i] for _, p, _ in chosen) for i in range(3))
        print(f"{label} ({names}): {syllables} syllables, bare word_tokenize {bare:.2f} s, {syllables / bare:,.0f} syllables/s")
        for reader, seconds in (("pdfium on plain PDF pages", fast), ("pdfplumber on every PDF page", slow)):
            print(f"  whole path, {reader}: {seconds:.2f} s, {syllables / seconds:,.0f} syllables/s: "
                  f"ratio {bare / seconds:.2f} (aim ≥ 0.8)")


if __name__ == "__main__":
    main()
