"""Batch benchmarks: throughput against bare underthesea, workers, memory, incremental runs, scale.

Usage: python bench/bench_batch.py [CORPUS_DIR] [--workers N] [--skip-large]
Every figure is a ratio or a measurement taken in this same command, on this machine. OCR is
switched off here (BAOCAO_OCR=0: scanned pages are only marked) so that the figures are those of
the text path; bench/bench_ocr.py measures OCR.
  1. syllables per second of the whole NLP pipeline (tokenizer + every extractor) vs bare
     ``underthesea.word_tokenize`` over the same normalised texts;
  2. documents per second of ``extract`` with 1 and N workers;
  3. peak resident memory of ``baocao extract`` on the corpus and on 10 copies of it;
  4. an incremental re-run of an unchanged corpus vs the first run;
  5. run time for the corpus x1, x2, x4 (copies whose bytes differ, so nothing is skipped).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from underthesea import word_tokenize

from pipeline.batch import extract
from pipeline.nlp import annotate, build_nlp

from common import corpus_documents

REPO = Path(__file__).resolve().parents[1]
_SYLLABLE = re.compile(r"\w+")


def text_path(corpus: Path) -> None:
    documents = [document for _, document in corpus_documents(corpus)]
    syllables = sum(len(_SYLLABLE.findall(d.text)) for d in documents)
    nlp = build_nlp()
    annotate(nlp, documents[0])
    word_tokenize("khởi động")
    started = time.perf_counter()
    for document in documents:
        word_tokenize(document.text, use_token_normalize=False)
    bare = time.perf_counter() - started
    started = time.perf_counter()
    for document in documents:
        annotate(nlp, document)
    pipeline = time.perf_counter() - started
    print(f"[text path] {len(documents)} documents, {syllables:,} syllables")
    print(f"  bare underthesea.word_tokenize: {syllables / bare:10,.0f} syllables/s")
    print(f"  whole NLP pipeline:             {syllables / pipeline:10,.0f} syllables/s")
    print(f"  ratio pipeline / bare:          {bare / pipeline:10.2f}  (aim >= 0.8)")


def _copy_with_new_bytes(source: Path, target: Path, copy: int) -> None:
    """Copies of a corpus whose bytes differ (so doc_ids differ) but which still read the same."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.iterdir()):
        if not path.is_file():
            continue
        name = f"c{copy}_{path.name}"
        data = path.read_bytes()
        if data.startswith(b"PK\x03\x04"):
            with zipfile.ZipFile(path) as original, zipfile.ZipFile(target / name, "w", zipfile.ZIP_DEFLATED) as clone:
                for item in original.infolist():
                    clone.writestr(item, original.read(item.filename))
                clone.comment = f"copy {copy}".encode()
        elif path.suffix.lower() in (".txt", ".md"):
            (target / name).write_bytes(data + f"\n\n(bản sao {copy})\n".encode())
        else:
            (target / name).write_bytes(data + f"\n%copy {copy}\n".encode())


def _cli_run(folder: Path, out: Path, workers: int) -> tuple[float, int]:
    """Run ``baocao extract`` as a command; return (seconds, peak total RSS of its process tree in bytes)."""
    import psutil

    command = [sys.executable, "-m", "pipeline.cli", "extract", str(folder), "--out", str(out), "-j", str(workers)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.2)
    return time.perf_counter() - started, peak


def main() -> None:
    """Run the benchmarks and print the figures."""
    os.environ["BAOCAO_OCR"] = "0"
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", default=str(REPO.parent / "shared" / "corpus"))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-large", action="store_true", help="skip the x10 memory run and the x4 scale point")
    args = parser.parse_args()
    corpus = Path(args.corpus)
    files = sum(1 for p in corpus.iterdir() if p.is_file())
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}; corpus {corpus} ({files} files)")
    text_path(corpus)

    with tempfile.TemporaryDirectory(prefix="baocao-bench-") as scratch_name:
        scratch = Path(scratch_name)
        timings = {}
        for workers in sorted({1, args.workers}):
            started = time.perf_counter()
            summary = extract([corpus], scratch / f"w{workers}", workers=workers)
            timings[workers] = time.perf_counter() - started
            print(f"[workers] {workers}: {files / timings[workers]:.2f} documents/s ({timings[workers]:.1f} s, {summary.pages} pages)")
        if args.workers > 1:
            print(f"  speed-up with {args.workers} workers: {timings[1] / timings[args.workers]:.2f}x")

        started = time.perf_counter()
        extract([corpus], scratch / f"w{args.workers}", workers=args.workers)
        rerun = time.perf_counter() - started
        print(f"[incremental] unchanged re-run {rerun:.2f} s = {100 * rerun / timings[args.workers]:.1f}% of the first run (aim <= 5%)")

        seconds, peak = _cli_run(corpus, scratch / "mem1", args.workers)
        print(f"[memory] corpus x1: peak RSS of the whole run (all processes) {peak / 2**20:.0f} MiB ({seconds:.1f} s)")
        copies = {1: corpus}
        for factor in (2, 4) + (() if args.skip_large else (10,)):
            folder = scratch / f"x{factor}"
            for copy in range(factor):
                _copy_with_new_bytes(corpus, folder, copy)
            copies[factor] = folder
        if not args.skip_large:
            seconds, peak = _cli_run(copies[10], scratch / "mem10", args.workers)
            print(f"[memory] corpus x10: peak RSS of the whole run (all processes) {peak / 2**20:.0f} MiB ({seconds:.1f} s)")
        base = None
        for factor in (1, 2) + (() if args.skip_large else (4,)):
            started = time.perf_counter()
            extract([copies[factor]], scratch / f"scale{factor}", workers=args.workers)
            seconds = time.perf_counter() - started
            base = base or seconds
            print(f"[scale] corpus x{factor}: {seconds:.1f} s = {seconds / base:.2f}x the x1 time")
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
