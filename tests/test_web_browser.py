"""The page in a real browser: Debian's headless Chromium driven by Playwright (no browser download).

Open the page, search ``can bo``, filter by a year, see dates written dd/mm/yyyy, download the XLSX
(date and number cells, filter buttons), open a hit's document page, see a highlighted fact; page
through every item with a chosen page size and numbered page links. Skipped only when /usr/bin/chromium is absent (`make test` installs it).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from spacy.language import Language

from pipeline.query import connect_read_only, search_difficulties
from pipeline.web import create_app
from test_web_api import build_search_db

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium (/usr/bin/chromium) is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, nlp: Language) -> Iterator[str]:
    import uvicorn

    app = create_app(build_search_db(tmp_path_factory, nlp))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_search_filter_open_document_and_download(browser, base_url: str, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                 tmp_path_factory: pytest.TempPathFactory, nlp: Language) -> None:
    connection = connect_read_only(build_search_db(tmp_path_factory, nlp))
    expected_2020 = search_difficulties(connection, q="can bo", year=2020).total
    connection.close()
    context = browser.new_context(accept_downloads=True, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        page.goto(base_url + "/")
        assert "Khó khăn, vướng mắc và kiến nghị" in page.locator("h1").inner_text()
        everything = int(page.locator("#total").inner_text().replace(".", ""))

        page.fill("input[name=q]", "can bo")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        found = int(page.locator("#total").inner_text().replace(".", ""))
        assert 2 <= found < everything
        assert page.locator("li.hit").count() == found
        assert page.locator("li.hit mark.hit").first.inner_text().lower() == "cán bộ"
        assert page.locator("svg.chart").count() == 2

        page.select_option("select[name=year]", "2020")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert "year=2020" in page.url and "q=can+bo" in page.url
        in_2020 = int(page.locator("#total").inner_text().replace(".", ""))
        assert in_2020 == expected_2020 >= 1
        assert page.locator("select[name=year]").input_value() == "2020"
        sources = page.locator("li.hit p.source").all_inner_texts()
        assert len(sources) == in_2020 and all("2020" in s for s in sources)
        shown_dates = page.locator("li.hit span.date").all_inner_texts()
        assert shown_dates and all(re.fullmatch(r"\d{2}/\d{2}/2020", d) for d in shown_dates), shown_dates

        with page.expect_download() as download_info:
            page.click("#export-xlsx")
        download = download_info.value
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        assert target.suffix == ".xlsx"
        sheet = load_workbook(target).active
        rows = list(sheet.iter_rows(values_only=True))
        assert len(rows) == in_2020 + 1 and rows[0][1] == "Nội dung"
        assert all("cán bộ" in row[1].lower() for row in rows[1:])
        # the office's spreadsheet: real dates (the ones the page shows), numbers, filter buttons
        header = list(rows[0])
        date_cells = [row[header.index("Ngày ban hành")] for row in sheet.iter_rows(min_row=2)]
        assert sorted(c.value.strftime("%d/%m/%Y") for c in date_cells if c.value) == sorted(shown_dates)
        assert all(c.is_date and c.number_format == "DD/MM/YYYY" for c in date_cells if c.value)
        assert all(row[header.index("Năm")] == 2020 for row in rows[1:])
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:") and sheet.freeze_panes == "A2"

        first_text = page.locator("li.hit p.item-text").first.inner_text()
        page.locator("li.hit a.doc-link").first.click()
        page.wait_for_load_state()
        assert "/documents/" in page.url and "#d" in page.url
        target_item = page.locator(":target")
        assert target_item.count() == 1 and "fact-difficulty" in (target_item.get_attribute("class") or "")
        assert " ".join(target_item.inner_text().split())[:40] == " ".join(first_text.split())[:40]
        fact = page.locator("article.doctext mark.fact").first
        assert fact.is_visible()
        background = fact.evaluate("element => getComputedStyle(element).backgroundColor")
        assert background not in ("rgba(0, 0, 0, 0)", "transparent")
        assert page.locator("article.doctext mark.fact-reference").count() >= 1
        assert not errors, errors
    finally:
        context.close()


def test_numbered_pages_and_page_size(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(base_url + "/")
        total = int(page.locator("#total").inner_text().replace(".", ""))
        page.select_option("select[name=size]", "50")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert "size=50" in page.url
        assert page.locator("li.hit").count() == min(total, 50)
        # a small page size (typed in the address), then every page through its number
        page.goto(base_url + "/?size=3")
        pages = -(-total // 3)
        assert page.locator("select[name=size]").input_value() == "3"
        seen = page.locator("li.hit p.item-text").all_inner_texts()
        for number in range(2, pages + 1):
            page.locator("nav.pager a.page-number", has_text=re.compile(rf"^{number}$")).click()
            page.wait_for_load_state()
            assert page.locator("nav.pager [aria-current=page]").inner_text() == str(number)
            assert page.locator("ol.hits").get_attribute("start") == str((number - 1) * 3 + 1)
            seen += page.locator("li.hit p.item-text").all_inner_texts()
        assert len(seen) == total
        assert page.locator("a[rel=next]").count() == 0 and page.locator("a[rel=prev]").count() == 1
    finally:
        context.close()
