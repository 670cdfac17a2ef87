"""Take the README's screenshots of the coordination office's page with headless Debian Chromium.

Usage: python docs/screenshots.py DB   (a store with its search index, e.g. extracted/reports.sqlite)
Writes docs/search_page.png and docs/document_page.png.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from pipeline.web import create_app

DOCS = Path(__file__).resolve().parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


def main(db: str) -> None:
    """Serve DB on a free local port and capture the search and document pages."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 1400})
            page.goto(f"{base}/?q=can+bo")
            page.screenshot(path=DOCS / "search_page.png", full_page=False)
            page.locator("li.hit a.doc-link").first.click()
            page.wait_for_load_state()
            page.locator(":target").scroll_into_view_if_needed()
            page.evaluate("window.scrollBy(0, -200)")
            page.screenshot(path=DOCS / "document_page.png", full_page=False)
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "extracted/reports.sqlite")
