"""The filter registry (pipeline/filters.py): one declaration per filter, seen by the query
functions, the `baocao query` options, the web API and page, and the notebook helpers."""

from __future__ import annotations

import inspect
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from spacy.language import Language
from typer.testing import CliRunner

from pipeline import filters
from pipeline import notebook as nb
from pipeline.cli import app as cli_app
from pipeline.filters import DOCUMENTS, Filter, FilterValues, QueryError
from pipeline.normalize import fold_accents
from pipeline.query import connect_read_only, facet_values, search_amounts, search_difficulties
from pipeline.web import create_app
from test_web_api import build_search_db

runner = CliRunner()

# a toy filter on a column of the items that no built-in filter reads (the heading they sit under) …
SECTION = Filter("section", str, "Words of the heading the item sits under.", "Mục (tiêu đề)",
                 "difficulties", "section", "contains", max_length=100)
# … and one on the documents (where they were signed), which every search gets
PLACE = Filter("place", str, "Place of signature (part of the name, accents optional).", "Nơi ký",
               DOCUMENTS, "place", "contains", flags=("--place", "-p"), facet="places")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, nlp: Language) -> Path:
    return build_search_db(tmp_path_factory, nlp)


@pytest.fixture
def toys() -> Iterator[None]:
    filters.register(SECTION)
    filters.register(PLACE)
    try:
        yield
    finally:
        filters.unregister("section")
        filters.unregister("place")


def _oracle(db: Path, sql: str, word: str) -> set:  # type: ignore[type-arg]
    """Row keys whose folded value (the query's second column) contains the folded word, computed in Python."""
    connection = sqlite3.connect(db)
    try:
        return {key for key, value in connection.execute(sql) if value and fold_accents(word) in fold_accents(value)}
    finally:
        connection.close()


def _items_under(db: Path, word: str) -> set[int]:
    return _oracle(db, 'SELECT rowid, section FROM "difficulties"', word)


def _cli_json(*args: str) -> dict:
    result = runner.invoke(cli_app, ["query", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# ------------------------------------------------------------------------------------ toy filters
def test_a_toy_filter_reaches_the_cli_the_api_the_page_and_the_notebook(db: Path, toys: None) -> None:
    expected = _items_under(db, "kien nghi")
    total = search_difficulties(connect_read_only(db), size=1).total
    assert 0 < len(expected) < total, "the toy filter should keep some items and drop others"

    cli = _cli_json("difficulties", "--db", str(db), "--section", "kien nghi", "--size", "100")
    assert {item["id"] for item in cli["items"]} == expected
    assert "--section" in runner.invoke(cli_app, ["query", "difficulties", "--help"]).output

    client = TestClient(create_app(db), raise_server_exceptions=False)
    body = client.get("/api/difficulties", params={"section": "kiến nghị", "size": 100}).json()
    assert {item["id"] for item in body["items"]} == expected
    spec = client.get("/openapi.json").json()
    section = next(p for p in spec["paths"]["/api/difficulties"]["get"]["parameters"] if p["name"] == "section")
    assert section["description"] == SECTION.help
    assert client.get("/api/difficulties", params={"section": "x" * 101}).status_code == 422  # max_length
    page = client.get("/", params={"section": "kien nghi"}).text
    assert 'name="section" value="kien nghi"' in page and "Mục (tiêu đề)" in page

    frame = nb.find_difficulties(db, section="kien nghi")
    assert set(frame["id"]) == expected
    assert "section" in inspect.signature(nb.find_difficulties).parameters


def test_a_toy_documents_filter_reaches_every_search(db: Path, toys: None) -> None:
    items = _oracle(db, 'SELECT d.rowid, doc.place FROM "difficulties" d JOIN "documents" doc USING (doc_id)', "lam dong")
    amounts = _oracle(db, 'SELECT a.rowid, doc.place FROM "amounts" a JOIN "documents" doc USING (doc_id)', "lam dong")
    assert items and amounts

    assert {i["id"] for i in _cli_json("difficulties", "--db", str(db), "-p", "lam dong", "--all")["items"]} == items
    cli_amounts = _cli_json("amounts", "--db", str(db), "--place", "Lâm Đồng", "--all")
    assert cli_amounts["total"] == len(amounts) and {i["province"] for i in cli_amounts["items"]} == {"Lâm Đồng"}

    client = TestClient(create_app(db), raise_server_exceptions=False)
    assert client.get("/api/amounts", params={"place": "lam dong"}).json()["total"] == len(amounts)
    assert client.get("/api/difficulties", params={"place": "lam dong"}).json()["total"] == len(items)
    assert client.get("/api/facets").json()["places"] == ["Lâm Đồng", "Quảng Trị", "Đăk Nông"]
    page = client.get("/").text
    assert '<select name="place">' in page and "Nơi ký" in page

    assert len(nb.find_amounts(db, place="lam dong")) == len(amounts)
    assert set(nb.find_difficulties(db, place="lam dong", kind="recommendation")["kind"]) <= {"recommendation"}


def test_without_the_toy_filter_every_surface_refuses_it(db: Path) -> None:
    assert "section" not in {f.name for f in filters.registered()}
    result = runner.invoke(cli_app, ["query", "difficulties", "--db", str(db), "--section", "x"])
    assert result.exit_code == 2 and "No such option" in result.output
    client = TestClient(create_app(db), raise_server_exceptions=False)
    response = client.get("/api/difficulties", params={"section": "x"})
    assert response.status_code == 400 and "section" in response.json()["detail"]
    with pytest.raises(QueryError, match="unknown filter"):
        nb.find_difficulties(db, section="x")
    with pytest.raises(QueryError, match="unknown filter"):
        search_difficulties(connect_read_only(db), section="x")


# ------------------------------------------------------------------------------ one declaration
@pytest.mark.parametrize("search, command", [("difficulties", "difficulties"), ("amounts", "amounts")])
def test_every_surface_lists_exactly_the_declared_filters(db: Path, search: str, command: str) -> None:
    declared = [f.name for f in filters.for_search(search)]
    group = typer.main.get_command(cli_app)
    cli_params = [p.name for p in group.commands["query"].commands[command].params]  # type: ignore[attr-defined]
    assert cli_params[: len(declared)] == declared
    spec = TestClient(create_app(db)).get("/openapi.json").json()
    api_params = [p["name"] for p in spec["paths"][f"/api/{search}"]["get"]["parameters"]]
    assert api_params == [*declared, "page", "size"]
    helper = nb.find_difficulties if search == "difficulties" else nb.find_amounts
    assert [p for p in inspect.signature(helper).parameters if p not in ("source", "limit")] == declared


def test_builtin_filters_and_their_facets(db: Path) -> None:
    assert [f.name for f in filters.for_search("difficulties")] == [
        "q", "province", "issuer", "year", "doc_type", "kind", "category"]
    assert [f.name for f in filters.for_search("amounts")] == [
        "q", "province", "issuer", "year", "doc_type", "role", "currency", "min_value", "max_value"]
    connection = connect_read_only(db)
    try:
        facets = facet_values(connection)
        assert list(facets) == ["provinces", "issuers", "years", "doc_types", "kinds", "categories"]
        assert facets["kinds"] == ["difficulty", "limitation", "cause", "recommendation"]
        assert facets["years"] == sorted(facets["years"]) and all(isinstance(y, int) for y in facets["years"])
        usd = search_amounts(connection, currency=" usd ").total
        assert usd == search_amounts(connection, currency="USD").total
    finally:
        connection.close()


# ------------------------------------------------------------------------------------ the values
def test_values_are_cleaned_and_checked() -> None:
    values = FilterValues("difficulties", q="  can bo ", province="   ", year=None, kind="cause")
    assert dict(values) == {"q": "can bo", "kind": "cause"}
    assert values.q == "can bo" and values.province is None
    assert values == FilterValues("difficulties", {"kind": "cause"}, q="can bo")
    assert hash(values) == hash(FilterValues("difficulties", {"kind": "cause", "q": "can bo"}))
    assert FilterValues("amounts", currency="usd")["currency"] == "USD"
    for bad, message in [({"year": "2020"}, "year must be an integer"), ({"year": True}, "year must be an integer"),
                         ({"kind": "bogus"}, "kind must be one of"), ({"provinc": "x"}, "unknown filter")]:
        with pytest.raises(QueryError, match=message):
            FilterValues("difficulties", bad)
    with pytest.raises(QueryError, match="min_value must be a number"):
        FilterValues("amounts", min_value=float("nan"))
    with pytest.raises(QueryError, match="unknown filter"):
        FilterValues("amounts", kind="cause")  # kind is a filter of the difficulty search only


def test_register_refuses_a_clash_or_a_filter_outside_its_search() -> None:
    with pytest.raises(ValueError, match="already declared"):
        filters.register(Filter("province", str, "x", "x", DOCUMENTS, "place", "contains", searches=("amounts",)))
    with pytest.raises(ValueError, match="belongs to the difficulties search only"):
        filters.register(Filter("section", str, "x", "x", "difficulties", "section", "contains", searches=("amounts",)))
    with pytest.raises(ValueError, match="unknown search"):
        filters.register(Filter("x", str, "x", "x", "percentages", "value", "equals"))
    with pytest.raises(ValueError, match="not a usable parameter name"):
        filters.register(Filter("page", int, "x", "x", DOCUMENTS, "pages", "equals"))
    assert [f.name for f in filters.for_search("amounts")][1] == "province"  # nothing changed
