"""How much the fact extractors add to tokenisation, on the same texts in the same process.

Usage: python bench/bench_extract.py [CORPUS_DIR] [--repeat N]
Prints seconds for (a) the tokenizer alone (build_nlp(extractors=False)) and (b) the whole NLP
object with every extractor, over the normalised texts of every readable document, and the ratio
(b - a) / a: the share of time extraction adds to tokenisation; then each pure finder alone, and
the number finders (money, percent, dates) together as a share of tokenisation.
"""

from __future__ import annotations

import argparse
import os
import platform
from pathlib import Path

from pipeline import facts
from pipeline.nlp import build_nlp

from common import SHARED_CORPUS, best_of, corpus_documents

# the finders of numbers, amounts, percentages and dates (issue 16: together ≤ 20% of tokenisation)
NUMBER_FINDERS = ("money", "percent", "date")


def main() -> None:
    """Run the benchmark and print the figures (text path: OCR off, see bench/bench_ocr.py)."""
    os.environ["BAOCAO_OCR"] = "0"
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", default=str(SHARED_CORPUS))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    texts = [document.text for _, document in corpus_documents(Path(args.corpus))]
    tokenizer_only = build_nlp(extractors=False)
    full = build_nlp()
    tokenizer_only("warm up"), full("warm up")
    characters = sum(len(t) for t in texts)
    tokenize = best_of(args.repeat, lambda: [tokenizer_only(t) for t in texts])
    everything = best_of(args.repeat, lambda: [full(t) for t in texts])
    finders_only = best_of(args.repeat, lambda: [list(f.find(t)) for t in texts for f in facts.registered() if f.finder is not None])
    print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}")
    print(f"documents: {len(texts)}, characters: {characters:,}, best of {args.repeat}")
    print(f"tokenizer only:           {tokenize:7.2f} s")
    print(f"tokenizer + extractors:   {everything:7.2f} s")
    print(f"finders alone (no spaCy): {finders_only:7.2f} s")
    print(f"extraction adds {100 * (everything - tokenize) / tokenize:.1f}% to tokenisation time "
          f"(ratio full/tokenizer = {everything / tokenize:.3f})")
    for fact_type in facts.registered():
        if fact_type.finder is None:
            continue
        seconds = best_of(args.repeat, lambda f=fact_type: [list(f.find(t)) for t in texts])
        print(f"  finder {fact_type.key:<10} {seconds:7.2f} s = {100 * seconds / tokenize:5.1f}% of tokenisation "
              "(alone over every text)")
    # as the pipeline runs them: each document's text through the number finders one after the
    # other (money and percent share what both read of a text: its table cells, where numbers start)
    number_types = [f for f in facts.registered() if f.key in NUMBER_FINDERS and f.finder is not None]
    numbers = best_of(args.repeat, lambda: [list(f.find(t)) for t in texts for f in number_types])
    print(f"number finders ({', '.join(NUMBER_FINDERS)}) on each text in turn: {numbers:.2f} s = "
          f"{100 * numbers / tokenize:.1f}% of tokenisation (aim ≤ 20%)")


if __name__ == "__main__":
    main()
