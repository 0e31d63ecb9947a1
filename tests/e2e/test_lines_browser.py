"""In Chromium: Explore's "Show these lines" opens the Lines page with the same filters and window."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from support.deckmap import settle

LOAD_TIMEOUT = 90_000


def test_show_these_lines_carries_the_filters(web: Page, server):
    web.goto(f"{server}/explore?f=status:is:5xx&range=week")
    link = web.get_by_role("link", name="Show these lines")
    expect(link).to_be_visible(timeout=LOAD_TIMEOUT)
    # A click while the page still reruns (its map reports the browser's width and WebGL kind once drawn, and the
    # page reruns for it) can be overtaken by that rerun, which lands back on Explore.
    settle(web, timeout=LOAD_TIMEOUT)
    link.click()
    web.wait_for_url(re.compile(r"/lines\?.*f=status%3Ais%3A5xx"), timeout=LOAD_TIMEOUT)
    expect(web.get_by_text(re.compile(r"[\d,]+ lines match"))).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(web.get_by_role("textbox", name="Query")).to_have_value("status:5xx")
    assert "from=" in web.url and "to=" in web.url  # the week travelled as a window
    expect(web.get_by_role("button", name="Whole log")).to_be_visible()
