"""The data dictionary ``extracted/README.md`` is generated (``python -m pipeline.dictionary``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import dictionary
from pipeline.store import TABLES


def test_the_committed_dictionary_is_the_generated_one() -> None:
    committed = dictionary.DICTIONARY_PATH.read_text(encoding="utf-8")
    assert committed == dictionary.render(), "extracted/README.md is stale: run `python -m pipeline.dictionary`"


def test_every_table_has_a_section_in_store_order() -> None:
    headings = [line.split(" ")[1] for line in dictionary.render().splitlines() if line.startswith("## ")]
    assert headings[: len(TABLES)] == list(TABLES)


def test_a_core_table_without_text_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    docs = dict(dictionary.CORE_TABLE_DOCS)
    summary, columns = docs["pages"]
    docs["pages"] = (summary, {k: v for k, v in columns.items() if k != "skew"})
    monkeypatch.setattr(dictionary, "CORE_TABLE_DOCS", docs)
    with pytest.raises(ValueError, match="pages.skew"):
        dictionary.render()


def test_write_creates_the_file(tmp_path: Path) -> None:
    target = dictionary.write(tmp_path / "README.md")
    assert target.read_text(encoding="utf-8") == dictionary.render()
