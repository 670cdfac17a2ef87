"""A digest of every table a run writes, to prove a refactoring changed no row.

``python tests/rows_digest.py`` runs ``baocao extract ../shared/corpus`` (OCR off, as in the
suite) and rewrites ``tests/data/rows_digest.json``. Regenerate it only deliberately: when a change
is meant to change what is extracted, and say so in the commit.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

from pipeline.store import TABLES

DIGEST_FILE = Path(__file__).resolve().parent / "data" / "rows_digest.json"
# the code fingerprint changes with every edit; it says nothing about the rows
_IGNORED_COLUMNS = {"documents": {"pipeline_version"}}


def table_digests(db_path: Path) -> dict[str, str]:
    """SHA-256 of each table of the store's contract (core and fact tables), rows in a canonical order,
    without the ignored columns."""
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        digests = {}
        for table in TABLES:
            cursor = connection.execute(f'SELECT * FROM "{table}"')
            names = [d[0] for d in cursor.description]
            keep = [i for i, name in enumerate(names) if name not in _IGNORED_COLUMNS.get(table, set())]
            rows = sorted(json.dumps([row[i] for i in keep], ensure_ascii=False) for row in cursor)
            digest = hashlib.sha256()
            digest.update(json.dumps([names[i] for i in keep]).encode())
            for row in rows:
                digest.update(row.encode("utf-8") + b"\n")
            digests[table] = f"{len(rows)} rows {digest.hexdigest()[:16]}"
        return digests
    finally:
        connection.close()


def main() -> None:
    """Extract ../shared/corpus with OCR off and store the digests."""
    os.environ["BAOCAO_OCR"] = "0"
    from pipeline.batch import extract

    corpus = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    with tempfile.TemporaryDirectory() as out:
        extract([corpus], Path(out))
        digests = table_digests(Path(out) / "reports.sqlite")
    DIGEST_FILE.write_text(json.dumps(digests, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    sys.stdout.write(json.dumps(digests, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
