"""A toy fact type ("Điều N": article mentions) added through the fact registry alone appears
everywhere the registry feeds: its table in the store and the Parquet snapshot, its data
dictionary entry, a query over it, its label and colour on the web page and in the notebook."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

import pipeline
from pipeline import dictionary, facts
from pipeline import notebook as nb
from pipeline.batch import extract
from pipeline.extract.components import pipe_names
from pipeline.extract.difficulties import KINDS
from pipeline.facts import FactType
from pipeline.nlp import build_nlp
from pipeline.query import connect_read_only, document_detail, fact_kinds, fact_rows
from pipeline.store import DATABASE_NAME, TABLES
from pipeline.web import create_app

_ARTICLE = re.compile(r"\bĐiều\s+(\d+)\b")


@dataclass(frozen=True)
class ArticleMatch:
    """One mention of an article of a law ("Điều 5")."""

    start: int
    end: int
    text: str
    number: int


def find_articles(text: str) -> Iterator[ArticleMatch]:
    """Every "Điều N" of ``text``: a pure finder, no spaCy."""
    for match in _ARTICLE.finditer(text):
        yield ArticleMatch(match.start(), match.end(), match.group(), int(match.group(1)))


@dataclass
class ArticleRow:
    """One article mention (table ``articles``)."""

    doc_id: str
    text: str
    start: int
    end: int
    page: int | None
    sentence: str | None
    number: int
    fact_id: str | None = None


ARTICLES = FactType(
    key="article", table="articles", row_type=ArticleRow, factory="toy_articles",
    summary="articles of laws cited (Điều N)", finder=find_articles,
    kind="article", label_vi="Điều khoản", label_en="ARTICLE", color="#ffd700",
    columns={"number": ("the article's number", "`5`")},
    web_label=lambda row: f"Điều {row['number']}", note=lambda row: f"Đ.{row['number']}",
)

REPORT = """ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ
Số: 12/BC-UBND
Quảng Trị, ngày 5 tháng 3 năm 2021
BÁO CÁO
Tình hình thi hành Luật Hợp tác xã
Căn cứ Điều 5 và Điều 12 của Luật Hợp tác xã, tỉnh đã hỗ trợ 150 triệu đồng.
Việc thi hành Điều 21 còn chậm.
"""


@pytest.fixture(scope="module")
def toy_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A store extracted with the toy fact type registered; the registry is restored afterwards."""
    facts.register(ARTICLES)
    try:
        folder = tmp_path_factory.mktemp("toy_in")
        (folder / "QT-999__bao_cao.txt").write_text(REPORT, encoding="utf-8")
        out = tmp_path_factory.mktemp("toy_out")
        summary = extract([folder], out, nlp=build_nlp())
        assert summary.statuses["ok"] == 1
        yield out
    finally:
        facts.unregister("article")


def test_the_pipe_and_the_table_come_from_the_registry(toy_store: Path) -> None:
    assert "toy_articles" in pipe_names() and pipe_names()[-1] == "toy_articles"
    assert "articles" in TABLES
    with closing(sqlite3.connect(toy_store / DATABASE_NAME)) as connection:
        rows = connection.execute('SELECT text, number, sentence, page FROM "articles" ORDER BY start').fetchall()
    assert [(text, number) for text, number, _, _ in rows] == [("Điều 5", 5), ("Điều 12", 12), ("Điều 21", 21)]
    assert rows[0][2].startswith("Căn cứ Điều 5") and rows[2][2].startswith("Việc thi hành")
    parquet = pd.read_parquet(toy_store / "articles.parquet")
    assert list(parquet.columns) == ["doc_id", "text", "start", "end", "page", "sentence", "number", "fact_id"]
    assert list(parquet["fact_id"]) == [f"{d}-article-{a}-{b}" for d, a, b in zip(parquet["doc_id"], parquet["start"], parquet["end"])]
    assert sorted(parquet["number"]) == [5, 12, 21]
    # the built-in facts are still extracted beside it
    assert len(pd.read_parquet(toy_store / "amounts.parquet")) == 1


def test_its_dictionary_entry(toy_store: Path) -> None:
    text = dictionary.render()
    assert "## articles — articles of laws cited (Điều N)" in text
    assert "| number | INTEGER | the article's number | `5` |" in text
    assert "| sentence | TEXT, null | sentence | |" in text.split("## articles", 1)[1]


def test_a_query_over_it_and_its_spans_on_the_document(toy_store: Path) -> None:
    with closing(connect_read_only(toy_store / DATABASE_NAME)) as connection:
        rows = fact_rows(connection, "article")
        assert [row["number"] for row in rows] == [5, 12, 21]
        detail = document_detail(connection, rows[0]["doc_id"])
    assert detail is not None
    assert "article" in fact_kinds() and detail.counts["article"] == 3
    articles = [span for span in detail.spans if span.kind == "article"]
    assert [span.label for span in articles] == ["Điều 5", "Điều 12", "Điều 21"]
    assert all(detail.text[span.start:span.end] == span.text for span in articles)


def test_its_label_and_colour_on_the_web_page(toy_store: Path) -> None:
    with closing(connect_read_only(toy_store / DATABASE_NAME)) as connection:
        doc_id = fact_rows(connection, "article")[0]["doc_id"]
    client = TestClient(create_app(toy_store / DATABASE_NAME))
    page = client.get(f"/documents/{doc_id}")
    assert page.status_code == 200
    assert 'class="fact fact-article"' in page.text and 'title="Điều khoản: Điều 12"' in page.text
    assert "Điều khoản: <strong>3</strong>" in page.text
    css = client.get("/facts.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ".fact-article { background: #ffd700; }" in css.text


def test_its_label_and_colour_in_the_notebook(toy_store: Path) -> None:
    assert nb.fact_tables()[-2:] == ("difficulties", "articles")
    assert nb.span_labels()["articles"] == "ARTICLE" and nb.span_colors()["ARTICLE"] == "#ffd700"
    data = pipeline.load(toy_store)
    assert sorted(data.articles["number"]) == [5, 12, 21]
    shown = pipeline.show("QT-999", data, max_chars=None)
    assert shown.count("ARTICLE") == 3 and "Đ.12" in shown
    assert "articles" in nb.overview(data).columns


def test_unregistering_removes_it_everywhere(toy_store: Path) -> None:
    facts.unregister("article")
    try:
        assert "articles" not in TABLES and "toy_articles" not in pipe_names()
        assert "article" not in fact_kinds() and "articles" not in nb.fact_tables()
        assert "## articles" not in dictionary.render()
    finally:
        facts.register(ARTICLES)


def test_the_registry_refuses_a_clash_or_an_undocumented_column() -> None:
    with pytest.raises(ValueError, match="already used by fact money"):
        facts.register(FactType(key="toy", table="amounts", row_type=ArticleRow, factory="toy_x", summary="x",
                                columns={"number": ("n", "")}))
    with pytest.raises(ValueError, match="no dictionary text for column"):
        facts.register(FactType(key="toy", table="toys", row_type=ArticleRow, factory="toy_x", summary="x"))

    @dataclass
    class NoIdRow:
        doc_id: str
        start: int
        end: int

    with pytest.raises(ValueError, match="lacks fact_id"):
        facts.register(FactType(key="toy", table="toys", row_type=NoIdRow, factory="toy_x", summary="x"))
    assert "toy" not in {f.key for f in facts.registered()}


def test_the_built_in_fact_types() -> None:
    assert [(f.key, f.table, f.kind) for f in facts.registered()][:6] == [
        ("section", "sections", None), ("reference", "references", "reference"), ("money", "amounts", "amount"),
        ("percent", "percentages", "percentage"), ("date", "dates", "date"),
        ("difficulty", "difficulties", "difficulty"),
    ]
    # the labels are declared for exactly the kinds the extractor gives
    assert facts.kinds_of("difficulty") == KINDS
