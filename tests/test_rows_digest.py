"""No unintended change: every table of a run over ../shared/corpus equals the stored digest.

When a change is meant to change what is extracted, regenerate the digest with
``python tests/rows_digest.py`` and say so in the commit.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from pipeline.document import BLOCK_SEPARATOR, DocumentText, TextBlock
from pipeline.extract.base import SentenceIndex, sentence_bounds
from pipeline.batch import RunSummary
from rows_digest import DIGEST_FILE, table_digests


def test_every_table_equals_the_stored_digest(shared_dataset: tuple[Path, RunSummary]) -> None:
    out, _ = shared_dataset
    expected = json.loads(DIGEST_FILE.read_text(encoding="utf-8"))
    assert table_digests(out / "reports.sqlite") == expected


def test_the_sentence_index_gives_the_bounds_of_a_scan_per_span() -> None:
    # short texts over an alphabet of sentence ends, quotes, capitals and line breaks reach every
    # edge: a span right after '. (' or '. “', spans across lines, empty lines and spans
    pieces = ["a", "B", ". ", "; ", "\n", " ", "(", "“", "Đ", "1", "-", "  ", "!", "x y"]
    generator = random.Random(7)
    compared = 0
    for _ in range(2000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 40)))
        index = SentenceIndex(text)
        for _ in range(10):
            start = generator.randint(0, len(text))
            end = generator.randint(start, len(text))
            assert index.bounds(start, end) == sentence_bounds(text, start, end), (text, start, end)
            compared += 1
    assert compared == 20000


def test_page_at_finds_the_block_of_every_offset() -> None:
    texts = ["Trang một", "", "Trang hai có chữ", "Trang ba"]
    pages = [1, 1, 2, 3]
    blocks, offset = [], 0
    for index, (text, page) in enumerate(zip(texts, pages)):
        blocks.append(TextBlock(index, "paragraph", offset, offset + len(text), text, page, "text", None, None, None, False))
        offset += len(text) + len(BLOCK_SEPARATOR)
    document = DocumentText(BLOCK_SEPARATOR.join(texts), tuple(blocks))
    for offset in range(len(document.text) + 1):
        linear = next((b.page for b in blocks if b.start <= offset < b.end + len(BLOCK_SEPARATOR)), None)
        assert document.page_at(offset) == linear
    assert document.page_at(len(document.text) + 5) is None
