"""In Chromium: no page of the app asks the browser to fetch anything from another host (offline, private)."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

LOAD_TIMEOUT = 90_000
PAGES = ("traffic", "explore", "lines", "clients", "audience")


def test_every_page_loads_from_the_app_alone(web: Page, server):
    outside: list[str] = []
    web.on("request", lambda r: outside.append(r.url) if urlsplit(r.url).hostname not in (None, "127.0.0.1") else None)
    for name in PAGES:
        web.goto(f"{server}/{name}")
        expect(web.locator("[data-testid=stMain] h1").first).to_be_visible(timeout=LOAD_TIMEOUT)
        web.wait_for_timeout(1500)  # icons and the favicon load after the first paint
    assert outside == []  # a Material page icon made the browser fetch its SVG from fonts.gstatic.com
