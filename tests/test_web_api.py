"""The coordination office's page and JSON API (FastAPI TestClient) over a store extracted from four
sample documents (QT-001 .txt, LD-014 .docx, DN-001 .pdf, LD-024 .doc) with its search index."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
from contextlib import closing
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from spacy.language import Language

from pipeline.normalize import fold_accents
from pipeline.query import FactSpan, connect_read_only, search_difficulties
from pipeline.batch import extract
from pipeline.search_index import FTS_TABLE, SearchIndexMissing, build_search_index, fts_expression, match_spans, syllable_pairs
from pipeline.store import DATABASE_NAME
from pipeline.web import create_app
from pipeline.web.render import highlight_facts, page_numbers, vn_date, vn_number

REPO = Path(__file__).resolve().parents[1]
SAMPLE_FILES = ("QT-001", "LD-014", "DN-001", "LD-024")
_BUILT: dict[str, Path] = {}


def build_search_db(tmp_path_factory: pytest.TempPathFactory, nlp: Language) -> Path:
    """Extract the four sample files into a scratch store and index it (once per test session)."""
    if "db" not in _BUILT:
        source = tmp_path_factory.mktemp("web_corpus")
        for prefix in SAMPLE_FILES:
            matches = sorted((REPO / "corpus").glob(f"{prefix}__*"))
            assert matches, f"{prefix} missing from corpus/"
            shutil.copy(matches[0], source / matches[0].name)
        out = tmp_path_factory.mktemp("web_store")
        extract([source], out, nlp=nlp)
        connection = sqlite3.connect(out / DATABASE_NAME)
        try:
            build_search_index(connection)
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
        _BUILT["db"] = out / DATABASE_NAME
    return _BUILT["db"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, nlp: Language) -> Path:
    return build_search_db(tmp_path_factory, nlp)


@pytest.fixture(scope="module")
def client(db: Path) -> TestClient:
    return TestClient(create_app(db), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def rows(db: Path) -> list[dict]:
    """Every difficulty item joined with its document: the oracle the API is checked against."""
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    try:
        return [
            dict(r) | {"categories": json.loads(r["categories"])}
            for r in connection.execute(
                'SELECT d.rowid AS id, d.kind, d.text, d.categories, doc.year, doc.province, doc.issuer, doc.doc_kind AS doc_type '
                'FROM "difficulties" d JOIN "documents" doc USING (doc_id)'
            )
        ]
    finally:
        connection.close()


def _phrase_in(text: str, phrase: str) -> bool:
    words = phrase.split()
    return re.search(r"(?<!\w)" + r"\W+".join(words) + r"(?!\w)", fold_accents(text)) is not None


def _all_items(client: TestClient, **params: object) -> list[dict]:
    items, page = [], 1
    while True:
        body = client.get("/api/difficulties", params={**params, "page": page, "size": 100}).json()
        items += body["items"]
        if page >= body["pages"]:
            return items
        page += 1


# ------------------------------------------------------------------------------------------ index
def test_index_covers_every_item_and_is_idempotent(db: Path, tmp_path: Path, rows: list[dict]) -> None:
    copy = tmp_path / "copy.sqlite"
    shutil.copy(db, copy)
    connection = sqlite3.connect(copy)
    try:
        build_search_index(connection)
        build_search_index(connection)
        assert connection.execute(f'SELECT COUNT(*) FROM "{FTS_TABLE}"').fetchone()[0] == len(rows)
        assert connection.execute('SELECT COUNT(*) FROM "difficulties_facets"').fetchone()[0] == len(rows)
        folded = connection.execute(f'SELECT text FROM "{FTS_TABLE}" WHERE rowid = ?', (rows[0]["id"],)).fetchone()[0]
        assert folded == fold_accents(rows[0]["text"])
        assert syllable_pairs("đất đai, nông-thôn") == "đất_đai đai_nông nông_thôn"
        assert not connection.in_transaction
    finally:
        connection.close()


def test_sample_has_items_to_search(rows: list[dict]) -> None:
    assert len(rows) >= 10
    assert {r["year"] for r in rows} >= {2018, 2020}


def test_fts_expression_never_passes_syntax_through() -> None:
    assert fts_expression("đất đai") == 'pairs : "dat_dai"'
    assert fts_expression("tin dung, dat dai") == 'pairs : "tin_dung" AND pairs : "dat_dai"'
    assert fts_expression('"can bo" OR NEAR(x)') == 'pairs : "can_bo" AND pairs : "or_near near_x"'
    assert fts_expression("chuyen doi*") == 'pairs : "chuyen_doi" *'
    assert fts_expression("Đảng") == 'text : "dang"'
    assert fts_expression("!!! ^ : _") is None


def test_match_spans_point_at_accented_text() -> None:
    text = "Thiếu CÁN BỘ; cán  bộ trẻ, cần bổ sung"
    assert [text[s:e] for s, e in match_spans(text, "can bo")] == ["CÁN BỘ", "cán  bộ", "cần bổ"]


def test_server_refuses_a_database_without_index(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "no_index.sqlite"
    shutil.copy(db, copy)
    connection = sqlite3.connect(copy)
    connection.execute(f'DROP TABLE "{FTS_TABLE}"')
    connection.commit()
    connection.close()
    with pytest.raises(SearchIndexMissing, match="build_search_index"):
        create_app(copy)
    with pytest.raises(FileNotFoundError):
        create_app(tmp_path / "absent.sqlite")


def test_connection_is_read_only(db: Path) -> None:
    connection = connect_read_only(db)
    try:
        with pytest.raises(sqlite3.OperationalError):
            connection.execute('DELETE FROM "difficulties"')
    finally:
        connection.close()


# ------------------------------------------------------------------------------------------ search
@pytest.mark.parametrize("typed, phrase", [("can bo", "can bo"), ("cán bộ", "can bo"), ("CAN BO", "can bo"),
                                           ("dat dai", "dat dai"), ("đất đai", "dat dai"), ("tin dung", "tin dung"),
                                           ("chinh sach", "chinh sach")])
def test_search_is_accent_insensitive(client: TestClient, rows: list[dict], typed: str, phrase: str) -> None:
    expected = {r["id"] for r in rows if _phrase_in(r["text"], phrase)}
    assert expected, f"the sample has no item with {phrase!r}"
    items = _all_items(client, q=typed)
    assert {item["id"] for item in items} == expected
    assert all(_phrase_in(item["text"], phrase) for item in items)


def test_accented_and_unaccented_queries_agree(client: TestClient) -> None:
    plain = client.get("/api/difficulties", params={"q": "dat dai"}).json()
    accented = client.get("/api/difficulties", params={"q": "đất đai"}).json()
    assert plain["total"] == accented["total"] >= 1
    assert any("đất đai" in item["text"].lower() for item in plain["items"])
    assert [i["id"] for i in plain["items"]] == [i["id"] for i in accented["items"]]


def test_results_are_ranked(client: TestClient) -> None:
    items = client.get("/api/difficulties", params={"q": "can bo", "size": 100}).json()["items"]
    scores = [item["score"] for item in items]
    assert len(scores) >= 2 and scores == sorted(scores)  # bm25: smaller is better
    # the item saying "cán bộ" four times ranks first
    assert fold_accents(items[0]["text"]).count("can bo") == max(fold_accents(i["text"]).count("can bo") for i in items)


FILTERS = [
    ("province", "quang tri", lambda r: r["province"] == "Quảng Trị"),
    ("province", "Đắk Nông", lambda r: r["province"] == "Đắk Nông"),
    ("issuer", "lien minh hop tac xa", lambda r: "Liên minh Hợp tác xã" in (r["issuer"] or "")),
    ("year", 2018, lambda r: r["year"] == 2018),
    ("kind", "recommendation", lambda r: r["kind"] == "recommendation"),
    ("category", "nhân lực – năng lực cán bộ", lambda r: "nhân lực – năng lực cán bộ" in r["categories"]),
]


@pytest.mark.parametrize("name, value, keep", FILTERS, ids=[f"{n}={v}" for n, v, _ in FILTERS])
def test_every_filter(client: TestClient, rows: list[dict], name: str, value: object, keep) -> None:  # type: ignore[no-untyped-def]
    expected = {r["id"] for r in rows if keep(r)}
    assert 0 < len(expected) < len(rows), "the filter should keep some items and drop others"
    items = _all_items(client, **{name: value})
    assert {item["id"] for item in items} == expected


def test_doc_type_filter(client: TestClient, rows: list[dict]) -> None:
    # every item of the sample sits in a BÁO CÁO; the THUYẾT MINH (LD-024) has none
    assert {r["doc_type"] for r in rows} == {"BÁO CÁO"}
    assert {i["id"] for i in _all_items(client, doc_type="bao cao")} == {r["id"] for r in rows}
    assert {i["id"] for i in _all_items(client, doc_type="BÁO CÁO")} == {r["id"] for r in rows}
    assert client.get("/api/difficulties", params={"doc_type": "thuyết minh"}).json()["total"] == 0
    assert client.get("/api/difficulties", params={"doc_type": "bao"}).json()["total"] == 0  # exact, not a prefix


def test_filters_combine_with_search(client: TestClient, rows: list[dict]) -> None:
    expected = {r["id"] for r in rows if _phrase_in(r["text"], "can bo") and r["year"] == 2020}
    body = client.get("/api/difficulties", params={"q": "can bo", "year": 2020, "kind": "limitation"}).json()
    assert {i["id"] for i in body["items"]} == {r["id"] for r in rows if r["id"] in expected and r["kind"] == "limitation"}
    assert client.get("/api/difficulties", params={"q": "can bo", "year": 1999}).json()["total"] == 0


def test_counts_by_category_and_year(client: TestClient, rows: list[dict]) -> None:
    body = client.get("/api/difficulties", params={"size": 1}).json()
    assert body["total"] == len(rows) and len(body["items"]) == 1
    by_year = {c["value"]: c["count"] for c in body["counts"]["by_year"]}
    assert by_year == {y: sum(1 for r in rows if r["year"] == y) for y in {r["year"] for r in rows}}
    by_category = {c["value"]: c["count"] for c in body["counts"]["by_category"]}
    categories = {c for r in rows for c in r["categories"]}
    assert by_category == {c: sum(1 for r in rows if c in r["categories"]) for c in categories}
    searched = client.get("/api/difficulties", params={"q": "can bo"}).json()
    assert sum(c["count"] for c in searched["counts"]["by_year"]) == searched["total"]


def test_paging_and_size_cap(client: TestClient, rows: list[dict]) -> None:
    whole = client.get("/api/difficulties", params={"size": 100}).json()["items"]
    paged = [i for p in (1, 2, 3, 4) for i in client.get("/api/difficulties", params={"size": 5, "page": p}).json()["items"]]
    assert [i["id"] for i in paged] == [i["id"] for i in whole[:20]]
    capped = client.get("/api/difficulties", params={"size": 100000})
    assert capped.status_code == 200 and capped.json()["size"] == 100
    far = client.get("/api/difficulties", params={"page": 1000000})
    assert far.status_code == 200 and far.json()["items"] == [] and far.json()["total"] == len(rows)


# ------------------------------------------------------------------------------------------ page
def test_search_page_shows_hits_counts_and_chart(client: TestClient) -> None:
    page = client.get("/", params={"q": "can bo", "year": "", "province": ""})
    assert page.status_code == 200
    total = client.get("/api/difficulties", params={"q": "can bo"}).json()["total"]
    assert f'id="total">{total}<' in page.text
    assert page.text.count('<li class="hit') == total
    assert "<svg" in page.text and "Theo lĩnh vực" in page.text
    assert '<mark class="hit">cán bộ</mark>' in page.text
    assert "/documents/" in page.text and 'lang="vi"' in page.text
    assert "content-security-policy" in page.headers and "script-src" not in page.headers["content-security-policy"]


def test_document_page_highlights_every_fact(client: TestClient, db: Path) -> None:
    hit = client.get("/api/difficulties", params={"q": "can bo"}).json()["items"][0]
    detail = client.get(f"/api/documents/{hit['doc_id']}").json()
    text = detail["document"]["text"]
    spans = detail["document"]["spans"]
    assert all(text[s["start"]:s["end"]] for s in spans)
    kinds = {s["kind"] for s in spans}
    assert {"difficulty", "reference", "date"} <= kinds
    page = client.get(f"/documents/{hit['doc_id']}")
    assert page.status_code == 200
    assert f'id="d{hit["id"]}"' in page.text
    for kind in kinds:
        assert f'class="fact fact-{kind}' in page.text
    stripped = re.sub(r"<[^>]+>", "", page.text.split('<article class="doctext">')[1].split("</article>")[0])
    assert stripped == text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")


def test_highlight_nesting_is_valid_html() -> None:
    text = "Quyết định số 12/QĐ-UBND ngày 7/12/2016 <b> cấp 5 tỷ đồng"
    spans = [
        FactSpan("difficulty", 0, 45, text[:45], "difficulty", "d1"),
        FactSpan("reference", 0, 40, text[:40], "12/QĐ-UBND", "r1"),
        FactSpan("date", 26, 50, text[26:50], "2016-12-07", "t1"),  # crosses the end of the reference
        FactSpan("amount", 47, 59, text[47:59], "5.000.000.000 VND", "a1"),  # crosses the end of the item
    ]
    html = str(highlight_facts(text, spans, ("difficulty", "reference", "amount", "percentage", "date")))

    class Checker(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []
            self.data: list[str] = []

        def handle_starttag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
            self.stack.append(tag)

        def handle_endtag(self, tag: str) -> None:
            assert self.stack and self.stack.pop() == tag

        def handle_data(self, data: str) -> None:
            self.data.append(data)

    checker = Checker()
    checker.feed(html)
    assert checker.stack == []
    assert "".join(checker.data) == text
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert html.count('id="d1"') == 1 and html.count('id="t1"') == 1


@pytest.mark.parametrize(("value", "shown"), [
    ("2020-11-16", "16/11/2020"), ("2018-01-05", "05/01/2018"), (None, ""), ("", ""), (2020, "2020"),
])
def test_vn_date(value: object, shown: str) -> None:
    assert vn_date(value) == shown  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "shown"), [
    (0, "0"), (999, "999"), (1000, "1.000"), (1234567, "1.234.567"), (2.5, "2,5"), (1234.5, "1.234,5"), (3.0, "3"),
])
def test_vn_number(value: float, shown: str) -> None:
    assert vn_number(value) == shown


def test_page_numbers_keep_the_ends_and_the_neighbourhood() -> None:
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 10) == [1, 2, 3, None, 10]
    assert page_numbers(5, 10) == [1, None, 3, 4, 5, 6, 7, None, 10]
    assert page_numbers(4, 6) == [1, 2, 3, 4, 5, 6]


def test_search_page_writes_dates_the_vietnamese_way(client: TestClient, db: Path) -> None:
    with sqlite3.connect(db) as connection:
        iso = connection.execute(
            'SELECT doc.issued_date FROM "difficulties" d JOIN "documents" doc USING (doc_id) '
            "WHERE doc.issued_date IS NOT NULL LIMIT 1").fetchone()[0]
    year, month, day = iso.split("-")
    page = client.get("/", params={"year": year, "size": 100})
    assert f'<span class="date">{day}/{month}/{year}</span>' in page.text
    assert f'<span class="date">{iso}</span>' not in page.text


def test_search_page_has_numbered_pages_and_a_page_size_choice(client: TestClient, rows: list[dict]) -> None:
    size = 3
    pages = -(-len(rows) // size)
    assert pages >= 4
    first = client.get("/", params={"size": size})
    assert first.text.count('<li class="hit') == size
    numbers = re.findall(r'<a class="page-number" href="([^"]+)">(\d+)</a>', first.text)
    assert [int(n) for _, n in numbers][-1] == pages and '<strong class="page-number" aria-current="page">1</strong>' in first.text
    last_url = numbers[-1][0].replace("&amp;", "&")
    assert f"size={size}" in last_url and f"page={pages}" in last_url
    last = client.get(last_url)
    assert last.text.count('<li class="hit') == len(rows) - size * (pages - 1)
    assert f'<strong class="page-number" aria-current="page">{pages}</strong>' in last.text
    # the choice of size is a drop-down, the current one selected; a size typed in the URL is offered too
    assert '<select name="size">' in first.text and '<option value="3" selected>3</option>' in first.text
    assert '<option value="50">50</option>' in first.text
    assert '<option value="20" selected>20</option>' in client.get("/").text


def test_error_pages_speak_vietnamese(client: TestClient) -> None:
    bad = client.get("/", params={"year": "abc"})
    assert bad.status_code == 422 and "«Năm» (year) không nhận giá trị «abc»" in bad.text
    assert "Input should be" not in bad.text
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "Không tìm thấy trang hoặc văn bản này." in missing.text
    assert "Not Found" in missing.text.split("Chi tiết kỹ thuật:")[1]  # the technical detail stays, marked as such
    # the API keeps its English JSON
    assert client.get("/api/difficulties", params={"year": "abc"}).json()["detail"].startswith("year:")


def test_a_hit_of_a_document_without_title_or_number_shows_its_file_name(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "draft.sqlite"
    with closing(sqlite3.connect(db)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
        doc_id, path = target.execute(
            'SELECT doc_id, source_path FROM "documents" WHERE doc_id IN (SELECT doc_id FROM "difficulties") LIMIT 1').fetchone()
        # as a draft reads: a type word, no number, no title
        target.execute('UPDATE "documents" SET title = NULL, doc_number = NULL, doc_kind = ? WHERE doc_id = ?', ("TỜ TRÌNH", doc_id))
        target.commit()
    page = TestClient(create_app(copy)).get("/", params={"size": 100})
    links = re.findall(rf'<a class="doc-link" href="/documents/{doc_id}#d\d+">([^<]*)</a>', page.text)
    assert links and set(links) == {f"TỜ TRÌNH: {path.rsplit('/', 1)[-1]}"}


# ------------------------------------------------------------------------------------------ export
def test_csv_export_is_the_whole_result(client: TestClient) -> None:
    api = _all_items(client, q="can bo")
    response = client.get("/export/difficulties.csv", params={"q": "can bo", "page": 1})
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = table[0], table[1:]
    assert header[:2] == ["Loại", "Nội dung"] and "Liên kết" in header
    assert [row[1] for row in body] == [item["text"] for item in api]
    link = body[0][header.index("Liên kết")]
    assert link.endswith(f"/documents/{api[0]['doc_id']}#d{api[0]['id']}")


def test_xlsx_export_is_the_whole_result(client: TestClient) -> None:
    api = _all_items(client, year=2020, kind="limitation")
    response = client.get("/export/difficulties.xlsx", params={"year": 2020, "kind": "limitation"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][1] == "Nội dung"
    assert [row[1] for row in values[1:]] == [item["text"] for item in api]
    year_column = values[0].index("Năm")
    assert {row[year_column] for row in values[1:]} == {2020}


def test_xlsx_has_date_and_number_cells_filter_buttons_and_a_frozen_header(client: TestClient) -> None:
    api = _all_items(client)
    response = client.get("/export/difficulties.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}{len(api) + 1}"
    date_cells = [row[header.index("Ngày ban hành")] for row in sheet.iter_rows(min_row=2)]
    dated = [c for c in date_cells if c.value is not None]
    assert dated and all(c.is_date and c.number_format == "DD/MM/YYYY" for c in dated)
    by_id = {item["id"]: item for item in api}
    link = header.index("Liên kết")
    for row in sheet.iter_rows(min_row=2):
        item = by_id[int(row[link].value.rsplit("#d", 1)[1])]
        shown = row[header.index("Ngày ban hành")].value
        assert (shown.date().isoformat() if shown else None) == item["issued_date"]
    for name in ("Năm", "Trang"):
        numbers = [row[header.index(name)] for row in sheet.iter_rows(min_row=2) if row[header.index(name)].value is not None]
        assert numbers and all(c.data_type == "n" and isinstance(c.value, int) for c in numbers), name


def test_export_cells_are_never_formulas(db: Path, tmp_path: Path, nlp: Language) -> None:
    client = TestClient(create_app(_hostile_copy(db, tmp_path)), raise_server_exceptions=False)
    sheet = load_workbook(io.BytesIO(client.get("/export/difficulties.xlsx", params={"q": "hostile"}).content)).active
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)
    text = client.get("/export/difficulties.csv", params={"q": "hostile"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text


# ------------------------------------------------------------------------------------------ citations
def test_citation_search(client: TestClient, db: Path) -> None:
    connection = sqlite3.connect(db)
    code, documents = connection.execute(
        'SELECT code, COUNT(DISTINCT doc_id) FROM "references" WHERE code IS NOT NULL '
        "GROUP BY code ORDER BY COUNT(DISTINCT doc_id) DESC, code LIMIT 1"
    ).fetchone()
    connection.close()
    for typed in (code, fold_accents(code), f"  {code.lower()} "):
        body = client.get("/api/references", params={"code": typed}).json()
        assert body["total"] == documents
        assert all(m["code"] == code for item in body["items"] for m in item["mentions"])
        assert all(item["mentions"] for item in body["items"])
    page = client.get("/citations", params={"code": code})
    assert page.status_code == 200 and f'id="total">{documents}<' in page.text
    sheet = load_workbook(io.BytesIO(client.get("/export/references.xlsx", params={"code": code}).content)).active
    assert sheet.max_row == documents + 1
    # the example: QT-001 cites Quyết định 1763/QĐ-UBND
    body = client.get("/api/references", params={"code": "1763/qd-ubnd"}).json()
    assert body["total"] == 1 and body["items"][0]["source_path"].startswith("QT-001")
    assert "1763/QĐ-UBND" in body["items"][0]["mentions"][0]["text"]
    assert client.get("/api/references", params={"code": "9999/QĐ-XYZ"}).json() == {
        "code": "9999/QĐ-XYZ", "total": 0, "page": 1, "size": 20, "items": [], "by_year": []}


# ------------------------------------------------------------------------------------------ hostile input
def _hostile_copy(db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "hostile.sqlite"
    source = sqlite3.connect(db)
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    doc_id = target.execute('SELECT doc_id FROM "documents" WHERE year = 2020').fetchone()[0]
    target.execute('UPDATE "documents" SET title = ? WHERE doc_id = ?', ('<script>alert("title")</script>', doc_id))
    for text in ('<script>alert("x")</script> hostile cán bộ', '=HYPERLINK("http://evil","hostile")'):
        target.execute(
            'INSERT INTO "difficulties" (doc_id, kind, text, section, categories, group_id, start, "end", page) '
            "VALUES (?, 'difficulty', ?, '<img src=x onerror=alert(1)>', '[\"khác\"]', NULL, 0, 10, NULL)",
            (doc_id, text),
        )
    target.commit()
    build_search_index(target)
    target.close()
    return copy


def test_script_in_data_is_shown_as_text(db: Path, tmp_path: Path) -> None:
    client = TestClient(create_app(_hostile_copy(db, tmp_path)), raise_server_exceptions=False)
    page = client.get("/", params={"q": "hostile"})
    assert page.status_code == 200
    assert "<script>" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    hit = client.get("/api/difficulties", params={"q": "script alert"}).json()["items"][0]
    assert hit["text"].startswith("<script>")  # JSON keeps the data as it is
    document = client.get(f"/documents/{hit['doc_id']}")
    assert "<script>" not in document.text and "&lt;script&gt;alert(&#34;title&#34;)" in document.text


HOSTILE_QUERIES = [
    "'; DROP TABLE difficulties; --", '" OR 1=1 --', "can bo) OR (1=1", 'NEAR("a" "b")', "*", '"', "col:can",
    "^can", "<script>alert(1)</script>", "%' OR '1'='1", "\x00", "ｃａｎ ｂｏ", "a" * 500,
]


@pytest.mark.parametrize("q", HOSTILE_QUERIES)
def test_hostile_queries_are_answered(client: TestClient, rows: list[dict], q: str) -> None:
    for path in ("/api/difficulties", "/", "/export/difficulties.csv"):
        response = client.get(path, params={"q": q})
        assert response.status_code == 200, (path, response.text[:300])
        assert "<script>alert(1)" not in response.text
    assert client.get("/api/difficulties", params={"size": 1}).json()["total"] == len(rows)  # nothing dropped


@pytest.mark.parametrize("path, params, status, word", [
    ("/api/difficulties", {"year": "abc"}, 422, "year"),
    ("/api/difficulties", {"year": "2020; DROP TABLE x"}, 422, "year"),
    ("/api/difficulties", {"page": "0"}, 422, "page"),
    ("/api/difficulties", {"page": "-3"}, 422, "page"),
    ("/api/difficulties", {"page": "9" * 40}, 422, "page"),
    ("/api/difficulties", {"size": "-1"}, 422, "size"),
    ("/api/difficulties", {"size": "ten"}, 422, "size"),
    ("/api/difficulties", {"kind": "bogus"}, 422, "kind"),
    ("/api/difficulties", {"q": "x" * 501}, 422, "q"),
    ("/api/difficulties", {"provinc": "Quảng Trị"}, 400, "provinc"),
    ("/api/references", {}, 422, "code"),
    ("/api/references", {"code": "1/QĐ", "extra": "1"}, 400, "extra"),
    ("/api/amounts", {"min_value": "nan"}, 422, "min_value"),
    ("/api/documents/..%2F..%2Fetc", {}, 404, ""),
    ("/api/documents/nope", {}, 404, "nope"),
    ("/api/documents/a%27%20OR%201%3D1", {}, 422, "doc_id"),
    ("/export/difficulties.exe", {}, 422, "fmt"),
])
def test_malformed_parameters_give_4xx_with_a_message(client: TestClient, path: str, params: dict, status: int,
                                                      word: str) -> None:
    response = client.get(path, params=params)
    assert response.status_code == status, response.text[:300]
    detail = response.json()["detail"] if response.headers["content-type"].startswith("application/json") else response.text
    assert word in str(detail)
    assert "Traceback" not in response.text


def test_html_page_errors_are_pages_and_unknown_fields_are_ignored(client: TestClient) -> None:
    bad = client.get("/", params={"year": "abc"})
    assert bad.status_code == 422 and "text/html" in bad.headers["content-type"]
    assert "Không thực hiện được yêu cầu" in bad.text and "year" in bad.text
    assert client.get("/", params={"utm_source": "mail", "q": "can bo"}).status_code == 200
    assert client.get("/documents/doesnotexist").status_code == 404


def test_openapi_describes_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/difficulties", "/api/references", "/api/documents/{doc_id}"} <= set(spec["paths"])
    names = {p["name"] for p in spec["paths"]["/api/difficulties"]["get"]["parameters"]}
    assert {"q", "province", "issuer", "year", "doc_type", "kind", "category", "page", "size"} <= names
    assert client.get("/docs").status_code == 404  # Swagger UI would need a CDN


def test_query_functions_are_usable_from_notebooks(db: Path) -> None:
    connection = connect_read_only(db)
    try:
        page = search_difficulties(connection, q="tín dụng", size=5)
        assert page.total >= 1 and page.items[0].categories
        assert page.size == 5 and page.pages == -(-page.total // 5)
    finally:
        connection.close()


# ------------------------------------------------------------------------------------------ groups
def test_shared_complaints_rank_by_agencies_and_list_every_member(client: TestClient, db: Path) -> None:
    connection = sqlite3.connect(db)
    try:
        oracle: dict[str, set[str]] = {}
        members: dict[str, set[int]] = {}
        for rowid, group_id, issuer in connection.execute(
            'SELECT d.rowid, d.group_id, doc.issuer FROM "difficulties" d JOIN "documents" doc USING (doc_id)'
        ):
            oracle.setdefault(group_id, set()).add(" ".join((issuer or "").casefold().split()))
            members.setdefault(group_id, set()).add(rowid)
    finally:
        connection.close()
    body = client.get("/api/groups", params={"min_agencies": 1}).json()
    assert body["total"] == len(body["items"]) == len(oracle)
    agencies = [group["agencies"] for group in body["items"]]
    assert agencies == sorted(agencies, reverse=True)
    for group in body["items"]:
        assert group["agencies"] == len(oracle[group["group_id"]])
        assert {m["id"] for m in group["members"]} == members[group["group_id"]]
    wide = client.get("/api/groups", params={"min_agencies": 2}).json()
    assert [g["group_id"] for g in wide["items"]] == [g["group_id"] for g in body["items"] if g["agencies"] >= 2]
    assert client.get("/api/groups", params={"min_agencies": 0}).status_code == 422


def test_groups_page_shows_members_side_by_side(client: TestClient) -> None:
    body = client.get("/api/groups", params={"min_agencies": 1}).json()
    page = client.get("/groups", params={"min_agencies": 1})
    assert page.status_code == 200
    assert "cơ quan" in page.text
    first = body["items"][0]
    for member in first["members"]:
        assert f'/documents/{member["doc_id"]}#d{member["id"]}' in page.text
    assert 'href="/groups"' in client.get("/").text


def test_a_hit_links_to_the_agencies_that_report_the_same_complaint(client: TestClient) -> None:
    shared = [g for g in client.get("/api/groups", params={"min_agencies": 2}).json()["items"]]
    assert shared, "the sample holds a complaint of two agencies (LD-014 and QT-001)"
    group = shared[0]
    member = group["members"][0]
    page = client.get("/", params={"q": " ".join(member["text"].split()[:4])})
    assert f'href="/groups?group={group["group_id"]}"' in page.text
    assert f'{group["agencies"]} cơ quan cùng nêu' in page.text
    one = client.get("/groups", params={"group": group["group_id"]})
    assert one.status_code == 200
    for m in group["members"]:
        assert f'/documents/{m["doc_id"]}#d{m["id"]}' in one.text
    assert client.get("/groups", params={"group": "x'; DROP"}).status_code == 422


# ------------------------------------------------------------------------------- a store that changes
_NEW_REPORT = """UỶ BAN NHÂN DÂN TỈNH QUẢNG TRỊ
Số: 99/BC-UBND
Quảng Trị, ngày 5 tháng 3 năm 2031

BÁO CÁO
Tình hình thực hiện chương trình năm 2030

I. KẾT QUẢ THỰC HIỆN
Năm 2030 đã hoàn thành các chỉ tiêu.

II. KHÓ KHĂN, VƯỚNG MẮC
1. Nguồn vốn bố trí cho chương trình còn thiếu, chậm giải ngân so với kế hoạch.
2. Đội ngũ cán bộ cấp xã còn thiếu về số lượng và hạn chế về chuyên môn.

III. KIẾN NGHỊ
1. Đề nghị Trung ương bổ sung vốn cho tỉnh để hoàn thành chương trình.
"""


def test_counts_and_facets_follow_an_extract_into_the_served_store(db: Path, tmp_path: Path, nlp: Language) -> None:
    store = tmp_path / "store"
    store.mkdir()
    shutil.copy(db, store / DATABASE_NAME)
    client = TestClient(create_app(store / DATABASE_NAME), raise_server_exceptions=False)
    before = client.get("/api/difficulties", params={"size": 100}).json()
    assert before["total"] > 0
    years_before = client.get("/api/facets").json()["years"]
    searched_before = client.get("/api/difficulties", params={"q": "giai ngan"}).json()["total"]
    assert client.get("/").status_code == 200

    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "bao_cao_2030.txt").write_text(_NEW_REPORT, encoding="utf-8")
    extract([folder], store, nlp=nlp)  # written while the app (its caches) stays up
    with sqlite3.connect(store / DATABASE_NAME) as connection:
        stored = connection.execute('SELECT count(*) FROM "difficulties"').fetchone()[0]
        (year,) = connection.execute("SELECT year FROM documents WHERE source_path = 'bao_cao_2030.txt'").fetchone()
    assert stored > before["total"] and year not in years_before

    after = client.get("/api/difficulties", params={"size": 100}).json()
    assert after["total"] == stored
    assert sum(c["count"] for c in after["counts"]["by_year"]) == stored
    # the search arrays were reloaded too: the new item is found and counted
    assert client.get("/api/difficulties", params={"q": "giai ngan"}).json()["total"] == searched_before + 1
    assert year in client.get("/api/facets").json()["years"]
    last = client.get("/api/difficulties", params={"size": 100, "page": after["pages"]}).json()
    assert len(last["items"]) == stored - 100 * (after["pages"] - 1)  # the new items can be paged to
    page = client.get("/", params={"year": year})
    assert page.status_code == 200 and f'value="{year}"' in page.text


# ------------------------------------------------------------------------------- Host header, HEAD
def test_a_foreign_host_header_is_refused_and_never_written_into_links(db: Path) -> None:
    from pipeline.web import allowed_hosts

    client = TestClient(create_app(db, allowed_hosts=allowed_hosts("127.0.0.1")), base_url="http://127.0.0.1:8000",
                        raise_server_exceptions=False)
    export = client.get("/export/difficulties.csv")
    assert export.status_code == 200 and "http://127.0.0.1:8000/documents/" in export.content.decode("utf-8-sig")
    for host in ("localhost:8000", "[::1]:8000", "127.0.0.1"):
        assert client.get("/api/facets", headers={"host": host}).status_code == 200, host
    for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example", "", "localhost:8000@evil.example"):
        for path in ("/", "/export/difficulties.csv", "/api/difficulties", "/static/style.css"):
            response = client.get(path, headers={"host": host})
            assert response.status_code == 400, (host, path)
            assert "evil" not in response.text
    wildcard = allowed_hosts("0.0.0.0", ["reports.example.org"])
    assert {"reports.example.org", "localhost", "127.0.0.1"} <= wildcard and "evil.example" not in wildcard
    assert "0.0.0.0" not in wildcard
    assert allowed_hosts("192.0.2.7") == {"192.0.2.7"}


def test_head_is_answered_wherever_get_is(client: TestClient, rows: list[dict]) -> None:
    doc_id = client.get("/api/difficulties").json()["items"][0]["doc_id"]
    paths = ["/", "/api/difficulties?q=can+bo", "/api/facets", f"/api/documents/{doc_id}", f"/documents/{doc_id}",
             "/citations", "/groups", "/export/difficulties.csv", "/facts.css", "/static/style.css", "/openapi.json",
             "/documents/nope", "/api/difficulties?page=0", "/no-such-page"]
    for path in paths:
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code, path
        assert head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"], path
        if "content-length" in get.headers and path != "/openapi.json":
            assert head.headers["content-length"] == get.headers["content-length"], path
    assert client.post("/api/facets").status_code == 405


def test_a_real_server_answers_head_and_refuses_a_foreign_host(db: Path) -> None:
    import http.client
    import socket
    import threading
    import time

    import uvicorn

    from pipeline.web import allowed_hosts

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(db, allowed_hosts=allowed_hosts("127.0.0.1"))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
            time.sleep(0.05)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/api/facets")
        got = connection.getresponse()
        body = got.read()
        connection.request("HEAD", "/api/facets")  # same connection: a body sent after HEAD would corrupt the next reply
        head = connection.getresponse()
        assert head.status == 200 and head.read() == b""
        assert head.getheader("content-length") == str(len(body))
        connection.request("GET", "/api/facets", headers={"Host": "evil.example"})
        refused = connection.getresponse()
        assert refused.status == 400 and b"evil" not in refused.read()
        connection.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
