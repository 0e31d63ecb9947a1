"""The Traffic map in Chromium: the countries drawn from the static geometry file, a click filtering the page,
the whole world at 400 px."""

from __future__ import annotations

import base64

from playwright.sync_api import Page, expect

from dashboard.render import maps
from dashboard.render.map_scale import MAP_NEUTRAL
from support.browser import metric_value
from support.deckmap import IDLE, click_place, screen_point, view_zoom

LOAD_TIMEOUT = 60_000
DRAW_MS = 4000  # software WebGL draws the map after the page is idle
# Far from any circle (centroids), in countries with no traffic in the sample, and open sea.
GREENLAND_INTERIOR = (74.0, -42.0)
SOUTH_ATLANTIC = (-35.0, -20.0)
ALASKA = (65.0, -152.0)
WESTERN_AUSTRALIA = (-26.0, 121.0)
US_CHIP = (  # the removable filter chip the click adds
    "[...document.querySelectorAll('button')]"
    ".some(b => (b.getAttribute('aria-label') || b.textContent).includes('Country is US'))"
)


def open_map(web: Page, url: str) -> dict:
    """The Traffic page with its map scrolled into view and drawn: the canvas's bounding box."""
    web.goto(url)
    web.wait_for_selector("[data-testid=stMetric]", timeout=LOAD_TIMEOUT)
    canvas = web.locator("[data-testid=stDeckGlJsonChart] canvas").first
    canvas.scroll_into_view_if_needed(timeout=LOAD_TIMEOUT)
    web.wait_for_function(IDLE, timeout=LOAD_TIMEOUT)
    web.wait_for_timeout(DRAW_MS)
    return canvas.bounding_box()


def pixels(web: Page, points: list[tuple[float, float]]) -> list[list[int]]:
    """RGB of the page as painted at each (x, y), read from a screenshot decoded by the browser itself."""
    png = base64.b64encode(web.screenshot()).decode()
    return web.evaluate(
        """async ([png, points]) => {
            const image = new Image();
            image.src = 'data:image/png;base64,' + png;
            await image.decode();
            const canvas = new OffscreenCanvas(image.width, image.height);
            const context = canvas.getContext('2d');
            context.drawImage(image, 0, 0);
            return points.map(([x, y]) => Array.from(context.getImageData(Math.round(x), Math.round(y), 1, 1).data)
                .slice(0, 3));
        }""",
        [png, points],
    )


def close(rgb: list[int], expected: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, expected[:3], strict=False))


def test_countries_are_drawn_from_the_static_geometry(web: Page, server):
    geometry = []
    web.on("response", lambda r: geometry.append(r.status) if "app/static/countries.geojson" in r.url else None)
    box = open_map(web, server)
    assert geometry == [200]  # fetched once, from Streamlit's static route
    land, sea = pixels(web, [screen_point(box, *GREENLAND_INTERIOR), screen_point(box, *SOUTH_ATLANTIC)])
    assert close(land, MAP_NEUTRAL[False]), land  # a country without traffic: its polygon is drawn
    assert close(sea, (255, 255, 255)), sea  # no basemap, so the sea is the page
    # a slider step re-sends no geometry: the browser keeps the fetched file
    before = metric_value(web, "Requests").inner_text()
    web.locator("[data-testid=stSlider] input[aria-label='Time window — start']").first.press("ArrowRight")
    expect(metric_value(web, "Requests")).not_to_have_text(before, timeout=LOAD_TIMEOUT)  # the rerun has drawn
    web.wait_for_function(IDLE, timeout=LOAD_TIMEOUT)
    canvas = web.locator("[data-testid=stDeckGlJsonChart] canvas").first
    canvas.scroll_into_view_if_needed(timeout=LOAD_TIMEOUT)  # focusing the slider scrolled the page
    web.wait_for_timeout(DRAW_MS)
    assert geometry == [200]
    assert close(pixels(web, [screen_point(canvas.bounding_box(), *GREENLAND_INTERIOR)])[0], MAP_NEUTRAL[False])
    assert web.locator("[data-testid=stException]").count() == 0


def test_clicking_a_country_filters_the_traffic_page(web: Page, server):
    box = open_map(web, server)
    before = int(metric_value(web, "Requests").inner_text().replace(",", ""))
    us = maps.load_centroids().set_index("country").loc["US"]
    click_place(web, box, us["lat"], us["lon"], US_CHIP)
    chip = web.get_by_role("button", name="Country is US")
    expect(chip).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(metric_value(web, "Countries")).to_have_text("1", timeout=LOAD_TIMEOUT)
    web.wait_for_function(IDLE, timeout=LOAD_TIMEOUT)
    only_us = int(metric_value(web, "Requests").inner_text().replace(",", ""))
    assert 0 < only_us < before
    chip.click()
    expect(web.get_by_role("button", name="Country is US")).to_have_count(0, timeout=LOAD_TIMEOUT)
    expect(metric_value(web, "Requests")).to_have_text(f"{before:,}", timeout=LOAD_TIMEOUT)
    assert web.console_errors == []


def test_the_whole_world_fits_a_400_px_page(web: Page, server):
    web.set_viewport_size({"width": 400, "height": 900})
    box = open_map(web, server)
    assert box["width"] < 400
    assert view_zoom(box) < 0  # zoomed out from the default
    west, east = screen_point(box, *ALASKA), screen_point(box, *WESTERN_AUSTRALIA)
    assert box["x"] < west[0] and east[0] < box["x"] + box["width"]  # both ends of the world are on the canvas
    # The map is drawn again once the browser has reported its width and WebGL (a rerun): wait for that paint.
    for _ in range(LOAD_TIMEOUT // DRAW_MS):
        ends = pixels(web, [west, east])
        if not any(close(rgb, (255, 255, 255)) for rgb in ends):
            break
        web.wait_for_timeout(DRAW_MS)
    for rgb in ends:
        assert not close(rgb, (255, 255, 255)), rgb  # land is drawn there, not empty page
