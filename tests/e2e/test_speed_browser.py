"""Issue #14 in Chromium: an upload survives a page switch; a filter click or a measure change redraws only
what changed (a chart drawn anew costs Vega a parse and compile, a data update does not)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from support.browser import metric_value

LOAD_TIMEOUT = 60_000
IDLE = "!document.querySelector('[data-testid=stStatusWidget]')"
LINES = 1234


def idle(web: Page) -> None:
    web.wait_for_timeout(500)
    web.wait_for_function(IDLE, timeout=LOAD_TIMEOUT)
    web.wait_for_timeout(500)


def small_log() -> bytes:
    lines = [
        f'81.2.69.{i % 250} - - [01/Jun/2026:1{i % 10}:00:00 +0000] "GET /p{i} HTTP/1.1" 200 10 "-" "curl/8.5.0"'
        for i in range(LINES)
    ]
    return ("\n".join(lines) + "\n").encode()


def go_to(web: Page, page: str) -> None:
    web.locator("[data-testid=stSidebarNav] a").filter(has_text=page).click()


def test_an_upload_survives_switching_to_explore_and_back(web: Page, server):
    web.goto(server)
    web.wait_for_selector("[data-testid=stMetric]", timeout=LOAD_TIMEOUT)
    idle(web)
    web.get_by_test_id("stSidebarUserContent").get_by_text("Upload", exact=True).click()
    idle(web)
    web.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(
        files=[{"name": "mine.log", "mimeType": "text/plain", "buffer": small_log()}]
    )
    expect(metric_value(web, "Requests")).to_have_text(f"{LINES:,}", timeout=LOAD_TIMEOUT)
    go_to(web, "Explore")
    expect(web.get_by_role("heading", name="Browsers")).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(metric_value(web, "Requests")).to_have_text(f"{LINES:,}", timeout=LOAD_TIMEOUT)
    expect(web.get_by_text("mine.log ·").first).to_be_visible()
    go_to(web, "Traffic")
    expect(web.get_by_role("heading", name="Heatmap tables")).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(metric_value(web, "Requests")).to_have_text(f"{LINES:,}", timeout=LOAD_TIMEOUT)
    expect(web.get_by_text("mine.log").first).to_be_visible()
    assert web.locator("[data-testid=stException]").count() == 0


def chart(web: Page, title: str):
    block = web.locator("[data-testid=stVerticalBlock]").filter(has=web.get_by_role("heading", name=title)).last
    return block.locator("[data-testid=stVegaLiteChart]").first


def mark(web: Page, title: str) -> None:
    """Tag a chart's element: the tag survives a data update and goes when the chart is drawn anew."""
    chart(web, title).evaluate("el => { el.dataset.kept = 'yes'; }")


def kept(web: Page, title: str) -> bool:
    return chart(web, title).evaluate("el => el.dataset.kept === 'yes'")


def test_a_filter_click_redraws_the_clicked_chart_and_updates_the_others(web: Page, explore_server):
    web.goto(explore_server)
    expect(web.get_by_role("heading", name="Devices")).to_be_visible(timeout=LOAD_TIMEOUT)
    idle(web)
    before = metric_value(web, "Requests").inner_text()
    for title in ("Devices", "Browsers", "Operating systems"):
        mark(web, title)
    bar = chart(web, "Devices").locator("path[role=graphics-symbol]").first
    bar.scroll_into_view_if_needed()
    bar.click(force=True)
    web.wait_for_function("location.search.includes('f=device')", timeout=LOAD_TIMEOUT)
    expect(metric_value(web, "Requests")).not_to_have_text(before, timeout=LOAD_TIMEOUT)
    idle(web)
    assert not kept(web, "Devices")  # drawn anew: the clicked bar is not left highlighted
    assert kept(web, "Browsers") and kept(web, "Operating systems")  # their data updated in place
    assert web.console_errors == []


def test_changing_the_measure_reruns_only_its_chart(web: Page, explore_server):
    frames = []
    web.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(len(payload))))
    web.goto(explore_server)
    expect(web.get_by_role("heading", name="Devices")).to_be_visible(timeout=LOAD_TIMEOUT)
    settled(web, frames)
    full = len(frames)
    web.locator("[data-testid=stRadio]").filter(has_text="Measure").get_by_text("Visitors", exact=True).click()
    settled(web, frames)
    assert full > 60  # the whole page (and the map's width report): a message per element
    assert 0 < len(frames) - full < 15  # the fragment: the radio, its chart and its download button


def settled(web: Page, frames: list) -> None:
    """Idle, and no message for two seconds (the first page load reruns once the map reports its width)."""
    seen = -1
    while seen != len(frames):
        seen = len(frames)
        idle(web)
        web.wait_for_timeout(2000)


def test_a_csv_is_made_when_its_button_is_clicked(web: Page, explore_server):
    frames = []
    web.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(len(payload))))
    web.goto(explore_server)
    expect(web.get_by_role("heading", name="Devices")).to_be_visible(timeout=LOAD_TIMEOUT)
    settled(web, frames)  # a rerun meanwhile would replace the button the click is meant for
    block = web.locator("[data-testid=stVerticalBlock]").filter(has=web.get_by_role("heading", name="Devices")).last
    button = block.get_by_role("button", name="CSV (")
    with web.expect_download(timeout=LOAD_TIMEOUT) as download:
        button.click()
    rows = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("device,requests")
    assert len(rows) > 2
