"""Document metadata against every gold that annotates it, read as the pipeline reads (OCR on).

The gold sets are ``../shared/gold`` and the helper sets ``tests/data/gold_*``; fields compare as
``baocao eval`` compares them. Scanned headers (a block read by OCR among the first) and text
headers are totalled apart. Reading the 84 documents with OCR takes about ten minutes on two
cores: ``--cache FILE`` keeps what was read (a pickle of each document's blocks) and reads it
back on the next run, so that a change to the metadata rules is scored in seconds.

Usage: python bench/bench_metadata.py [--cache /tmp/metadata_blocks.pkl] [--misses]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SETS = {"shared": ROOT.parent / "shared" / "gold", **{p.name: p for p in sorted((ROOT / "tests" / "data").glob("gold_*"))}}


def _gold() -> dict[str, tuple[str, dict]]:  # type: ignore[type-arg]
    found: dict[str, tuple[str, dict]] = {}  # type: ignore[type-arg]
    for name, folder in SETS.items():
        for path in sorted(folder.rglob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and "metadata" in data and "id" in data:
                found.setdefault(data["id"], (name, data["metadata"]))
    return found


def _blocks(gold: dict[str, tuple[str, dict]], cache: Path | None) -> dict[str, list]:  # type: ignore[type-arg]
    if cache is not None and cache.is_file():
        with cache.open("rb") as handle:
            return pickle.load(handle)  # noqa: S301 - a file this script wrote
    os.environ["BAOCAO_OCR"] = "1"
    from pipeline.ingest import load_document

    read = {}
    for doc_id in sorted(gold):
        files = sorted(CORPUS.glob(f"{doc_id}__*"))
        if files:
            read[doc_id] = list(load_document(files[0]).blocks)
    if cache is not None:
        with cache.open("wb") as handle:
            pickle.dump(read, handle)
    return read


def _signatures(files: list[Path]) -> list:  # type: ignore[type-arg]
    """The digital signatures of a PDF (not cached: read in milliseconds from the file itself)."""
    if not files or files[0].suffix.lower() != ".pdf":
        return []
    import pypdfium2

    from pipeline.ingest.pdf_signatures import read_signatures

    document = pypdfium2.PdfDocument(str(files[0]))
    try:
        return read_signatures(document)
    finally:
        document.close()


def main() -> None:
    """Print the fields matched per gold set, scanned and text headers apart."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="pickle of the documents' blocks, written once, then read")
    parser.add_argument("--misses", action="store_true", help="list every field that differs from the gold")
    args = parser.parse_args()
    from pipeline.document import assemble
    from pipeline.evaluate import METADATA_FIELDS, _comparable
    from pipeline.extract.metadata import extract_metadata

    gold = _gold()
    blocks = _blocks(gold, args.cache)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for doc_id, read in sorted(blocks.items()):
        if doc_id not in gold:
            continue
        name, expected = gold[doc_id]
        files = sorted(CORPUS.glob(f"{doc_id}__*"))
        source = SimpleNamespace(blocks=read, path=files[0].name if files else "", signatures=_signatures(files))
        text = assemble(source)  # type: ignore[arg-type]
        scanned = any(b.source == "ocr" for b in text.blocks[:30])
        metadata = extract_metadata(text.blocks, text.name, text.signed_on)
        for field in METADATA_FIELDS:
            right = _comparable(expected.get(field)) == _comparable(getattr(metadata, field))
            for key in (name, "all scanned headers" if scanned else "all text headers"):
                totals[key][0] += right
                totals[key][1] += 1
            if args.misses and not right:
                print(f"  {doc_id} {field}: gold {expected.get(field)!r}, read {getattr(metadata, field)!r}")
    for key, (right, compared) in sorted(totals.items()):
        print(f"{key:<22} {right:>4} / {compared:<4} {right / compared:.3f}")


if __name__ == "__main__":
    main()
