"""Is the cost of one document linear in its length? One long report concatenated ×1, ×2, ×4, ×8.

Usage: python bench/bench_linear.py [DOCUMENT] [--times 1 2 4 8] [--longest N] [--corpus DIR]

The document's normalised text is repeated N times and written as a UTF-8 ``.txt`` file, which
then goes the whole way a batch sends it (``process_file``: read, normalise, tokenise, extract,
rows). Each run is timed against bare ``underthesea.word_tokenize`` of the same text in the same
process. Prints seconds per syllable for each N and the ratio of the last to the first: a linear
pipeline stays near 1.0 (the issue's bar is 1.15).

Then the N longest text documents of the corpus (by syllables, OCR off) go the same whole way,
one by one, against bare ``word_tokenize`` of their normalised texts in the same process.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
from pathlib import Path

from pipeline.document import assemble
from pipeline.ingest import load_document
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
            pipeline = best_of(1, lambda: process_file(path, path.name, nlp))
            bare = best_of(1, lambda: word_tokenize(long_text, use_token_normalize=False))
            rows.append((times, syllables, pipeline, bare))
    print(f"document: {Path(args.document).name}")
    print(f"{'×':>3} {'syllables':>10} {'pipeline s':>11} {'µs/syllable':>12} {'bare s':>8} {'bare/pipeline':>14}")
    for times, syllables, pipeline, bare in rows:
        print(f"{times:>3} {syllables:>10} {pipeline:>11.2f} {pipeline / syllables * 1e6:>12.1f} {bare:>8.2f} {bare / pipeline:>14.2f}")
    first, last = rows[0], rows[-1]
    growth = (last[2] / last[1]) / (first[2] / first[1])
    print(f"seconds per syllable at ×{last[0]} / at ×{first[0]}: {growth:.2f} (linear: ≤ 1.15)")
    if args.longest:
        _longest(Path(args.corpus), args.longest, nlp, word_tokenize)


def _longest(corpus: Path, count: int, nlp, word_tokenize) -> None:  # type: ignore[no-untyped-def]
    sized = [(len(_SYLLABLE.findall(d.text)), path, d.text) for path, d in corpus_documents(corpus)]
    sized.sort(key=lambda row: (-row[0], row[1].name))
    chosen = sized[:count]
    pipeline = sum(best_of(1, lambda: process_file(path, path.name, nlp)) for _, path, _ in chosen)
    bare = sum(best_of(1, lambda: word_tokenize(text, use_token_normalize=False)) for _, _, text in chosen)
    syllables = sum(n for n, _, _ in chosen)
    print(f"the {len(chosen)} longest documents ({', '.join(p.name.split('__')[0] for _, p, _ in chosen)}): "
          f"{syllables} syllables, whole path {syllables / pipeline:,.0f} syllables/s, "
          f"bare word_tokenize {syllables / bare:,.0f} syllables/s: ratio {bare / pipeline:.2f} (aim ≥ 0.8)")

if __name__ == "__main__":
    main()
