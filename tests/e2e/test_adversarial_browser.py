"""A log full of payloads uploaded in real Chromium: nothing executes, nothing is injected, in the panels, the
rejected-lines table, alerts and the tooltips the mouse can reach (map and charts)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from dashboard.sample.hostile import hostile_log
from support.browser import metric_value
from support.deckmap import settle

LOAD_TIMEOUT = 60_000
INJECTED = "img[src=x], svg[onload], script:not([src]):is([id*=xss], [class*=xss]), a[href^='javascript:' i], iframe"


def wait_for_idle(web: Page) -> None:
    web.wait_for_timeout(500)
    web.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=LOAD_TIMEOUT)
    web.wait_for_timeout(500)


def hover_everywhere(web: Page, selector: str) -> None:
    for target in web.locator(selector).all():
        if not target.is_visible():
            continue
        target.scroll_into_view_if_needed()
        box = target.bounding_box()
        if not box:
            continue
        for fx in (0.25, 0.5, 0.75):
            for fy in (0.4, 0.6):
                web.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
                web.wait_for_timeout(40)


def test_hostile_upload_executes_nothing(web: Page, server):
    web.goto(server)
    web.wait_for_selector("[data-testid=stMetric]", timeout=LOAD_TIMEOUT)
    settle(web, timeout=LOAD_TIMEOUT)  # the map's width/WebGL report reruns the page first
    web.get_by_test_id("stSidebarUserContent").get_by_text("Upload", exact=True).click()
    dropzone = web.locator("[data-testid=stFileUploaderDropzoneInput]")
    expect(dropzone).to_be_attached(timeout=LOAD_TIMEOUT)  # CI once waited 30 s for it on a loaded machine
    wait_for_idle(web)
    dropzone.set_input_files(files=[{"name": "hostile.log", "mimeType": "text/plain", "buffer": hostile_log()}])
    wait_for_idle(web)
    web.wait_for_timeout(1500)
    # the hostile log is on screen; its rerun may start after the page looked idle (CI failed reading "5,000")
    expect(metric_value(web, "Requests")).to_have_text("40", timeout=LOAD_TIMEOUT)
    web.get_by_text(re.compile(r"Rejected lines: \d+ of \d+")).first.click()
    wait_for_idle(web)
    hover_everywhere(web, "[data-testid=stDeckGlJsonChart] canvas")
    hover_everywhere(web, "[data-testid=stVegaLiteChart]")
    hover_everywhere(web, "[data-testid=stDataFrame]")
    for expander in web.locator("[data-testid=stExpander] summary").all():
        if expander.is_visible():
            expander.click()
    wait_for_idle(web)
    assert web.dialogs == []
    assert web.locator(INJECTED).count() == 0
    assert web.locator("[data-testid=stException]").count() == 0
    scripts = web.evaluate("Array.from(document.scripts).map(s => s.text).filter(t => t.includes('alert(')).length")
    assert scripts == 0
    assert web.evaluate("typeof window.__xss") == "undefined"
