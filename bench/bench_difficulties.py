"""What the difficulties stage costs next to tokenisation, on the same documents in the same process.

Usage: python bench/bench_difficulties.py [CORPUS_DIR] [--repeat N]

Over the normalised texts of every readable document (OCR off), prints the best-of-N seconds of
(a) the tokenizer alone (``build_nlp(extractors=False)``), (b) the difficulty finder with the
category classifier on every item it finds (the stage's per-document work; the document's
metadata comes from the metadata stage before it, as in the pipeline), and (c) grouping all items
found (``assign_groups``, the store-wide step after a batch), each as a share of (a); and (a') bare
underthesea ``word_tokenize`` of the same texts, line by line, with (b) as a share of it too (the
pipeline's tokenizer decodes underthesea's model faster than underthesea: ``pipeline.segmenter``).
The issue's bar for (b) is 15%.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from pipeline.extract import categories
from pipeline.extract.categories import classify
from pipeline.extract.difficulties import find_difficulties
from pipeline.extract.metadata import extract_metadata
from pipeline.extract.groups import assign_groups
from pipeline.nlp import build_nlp

from common import SHARED_CORPUS, best_of, corpus_documents


def main() -> None:
    """Run the three measurements and print them with their ratios to tokenisation."""
    os.environ["BAOCAO_OCR"] = "0"
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", default=str(SHARED_CORPUS))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    documents = [document for _, document in corpus_documents(Path(args.corpus))]
    tokenizer = build_nlp(extractors=False)
    tokenizer("khởi động")
    metadata = [extract_metadata(document.blocks, document.name) for document in documents]
    items = [item for document, meta in zip(documents, metadata) for item in find_difficulties(document, metadata=meta)]
    classify("khởi động", None)  # trains the classifier once, as the first document of a batch does

    def cold() -> None:
        # each repeat tokenises and reads the items anew, as a batch over new documents does
        for cached in (categories.tokens, categories._cased_tokens, categories._read, categories._analyse):
            cached.cache_clear()

    def stage() -> None:
        cold()
        for document, meta in zip(documents, metadata):
            for item in find_difficulties(document, metadata=meta):
                classify(item.text, item.kind)

    from underthesea import word_tokenize

    tokenize = best_of(args.repeat, lambda: [tokenizer(d.text) for d in documents])
    lines = [line for d in documents for line in d.text.split("\n") if line.strip()]
    bare = best_of(args.repeat, lambda: [word_tokenize(line) for line in lines])
    difficulties = best_of(args.repeat, stage)
    keyed = [(f"{n}", item.text) for n, item in enumerate(items)]
    grouping = best_of(args.repeat, lambda: (cold(), assign_groups(keyed)))
    characters = sum(len(d.text) for d in documents)
    print(f"{len(documents)} documents, {characters:,} characters, {len(items)} difficulty items")
    print(f"tokenizer alone:                      {tokenize:7.2f} s")
    print(f"difficulty finder + categories:       {difficulties:7.2f} s = {difficulties / tokenize:.1%} of tokenisation (bar: 15%)")
    print(f"grouping all items (after the batch): {grouping:7.2f} s = {grouping / tokenize:.1%} of tokenisation")
    print(f"bare underthesea word_tokenize:       {bare:7.2f} s; the difficulty stage = {difficulties / bare:.1%} of it")


if __name__ == "__main__":
    main()
