"""The Explore page in Chromium: clicking a bar adds a filter to the URL and changes the figures."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from dashboard.render.maps import load_centroids
from support.browser import metric_value
from support.deckmap import click_place

LOAD_TIMEOUT = 60_000


def figure(web: Page, label: str) -> str:
    return metric_value(web, label).inner_text()


def panel_chart(web: Page, title: str):
    block = web.locator("[data-testid=stVerticalBlock]").filter(has=web.get_by_role("heading", name=title)).last
    return block.locator("[data-testid=stVegaLiteChart]").first


def test_clicking_a_bar_adds_a_filter(web: Page, explore_server):
    web.goto(explore_server)
    web.wait_for_selector("[data-testid=stMetric]", timeout=LOAD_TIMEOUT)
    web.wait_for_timeout(2000)
    before = figure(web, "Requests")
    chart = panel_chart(web, "Devices")
    chart.scroll_into_view_if_needed()
    chart.locator("path[role=graphics-symbol]").first.click(force=True)  # the largest bar: desktop
    web.wait_for_function("location.search.includes('f=device')", timeout=LOAD_TIMEOUT)
    expect(metric_value(web, "Requests")).not_to_have_text(before, timeout=LOAD_TIMEOUT)  # the rerun has drawn
    web.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=LOAD_TIMEOUT)
    web.wait_for_timeout(1000)
    assert "f=device%3Ais%3Adesktop" in web.url
    after = figure(web, "Requests")
    assert after != before
    assert int(after.replace(",", "")) < int(before.replace(",", ""))
    assert web.console_errors == []
    # the link reproduces the view
    web.goto(web.url)
    web.wait_for_selector("[data-testid=stMetric]", timeout=LOAD_TIMEOUT)
    web.wait_for_timeout(2000)
    assert figure(web, "Requests") == after


def test_clicking_a_country_on_the_map_adds_a_filter(web: Page, explore_server):
    web.goto(explore_server)
    web.wait_for_selector("[data-testid=stMetric]", timeout=LOAD_TIMEOUT)
    before = figure(web, "Requests")
    canvas = web.locator("[data-testid=stDeckGlJsonChart] canvas").first
    canvas.scroll_into_view_if_needed(timeout=LOAD_TIMEOUT)
    web.wait_for_timeout(3000)  # the map draws (software WebGL here)
    us = load_centroids().set_index("country").loc["US"]
    click_place(web, canvas.bounding_box(), us["lat"], us["lon"], "location.search.includes('f=country')")
    expect(metric_value(web, "Requests")).not_to_have_text(before, timeout=LOAD_TIMEOUT)  # the rerun has drawn
    web.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=LOAD_TIMEOUT)
    web.wait_for_timeout(1000)
    assert "f=country%3Ais%3AUS" in web.url
    after = int(figure(web, "Requests").replace(",", ""))
    assert 0 < after < int(before.replace(",", ""))
    assert web.get_by_text("Country is US").count() >= 1  # the removable chip
    assert web.console_errors == []
