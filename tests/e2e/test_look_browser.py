"""What only a browser shows of the pages' look: figures two a row at 400 px, Explore's figures uncut at 1400 px,
the timeline's tooltips answering for the bar under the pointer, the plot using the page's width, and the heatmap
table in the viewer's theme."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import Page

from dashboard.render import theme
from support.browser import ARTIFACTS

LOAD_TIMEOUT = 90_000
TOOLTIP = "#vg-tooltip-element"


@pytest.fixture
def page_at(chromium_browser, request):
    """A page factory: ``page_at(width, scheme)``; screenshots go to test-artifacts/."""
    contexts = []

    def make(width: int, scheme: str = "light") -> Page:
        context = chromium_browser.new_context(viewport={"width": width, "height": 1800}, color_scheme=scheme)
        contexts.append(context)
        return context.new_page()

    yield make
    ARTIFACTS.mkdir(exist_ok=True)
    for i, context in enumerate(contexts):
        for pg in context.pages:
            pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{i}.png"), full_page=True)
        context.close()


def open_page(web: Page, url: str) -> None:
    web.goto(url)
    web.wait_for_selector("[data-testid=stMetric]", timeout=LOAD_TIMEOUT)
    web.wait_for_selector("[data-testid=stVegaLiteChart] canvas, [data-testid=stVegaLiteChart] svg")
    web.wait_for_timeout(2000)


def metric_boxes(web: Page) -> list[dict]:
    metrics = web.locator("[data-testid=stMetric]")
    return [metrics.nth(i).bounding_box() for i in range(metrics.count())]


def test_headline_figures_are_two_a_row_at_400_px(page_at, server):
    web = page_at(400)
    open_page(web, server)
    boxes = metric_boxes(web)
    assert len(boxes) >= 8
    paired = boxes[: len(boxes) // 2 * 2]
    for left, right in zip(paired[0::2], paired[1::2], strict=True):
        assert abs(left["y"] - right["y"]) < 2, (left, right)  # side by side
        assert right["x"] >= left["x"] + left["width"] - 1
        assert left["width"] > 120 and right["x"] + right["width"] <= 400
    assert len({round(b["y"]) for b in boxes}) == -(-len(boxes) // 2)


def test_explore_figures_are_not_cut_at_1400_px(page_at, server):
    web = page_at(1400)
    open_page(web, server + "/explore")
    cut = web.evaluate(
        """() => [...document.querySelectorAll('[data-testid=stMetricValue], [data-testid=stMetricValue] *')]
            .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.textContent)"""
    )
    assert cut == []


def tooltips_over(web: Page, chart, rows: int = 10, cols: int = 40) -> list[str]:
    """The tooltip texts met while the pointer sweeps a grid over ``chart``."""
    box = chart.bounding_box()
    seen = []
    for fy in (0.1 + 0.6 * r / rows for r in range(rows)):
        for fx in (0.1 + 0.85 * c / cols for c in range(cols)):
            web.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
            web.wait_for_timeout(30)
            tip = web.locator(TOOLTIP)
            if tip.count() and tip.is_visible():
                seen.append(tip.inner_text())
    return seen


TIMELINE = 1  # the Traffic page's second chart: the window's strip comes first


def test_the_timeline_tooltip_answers_for_the_bar_not_the_window(page_at, server):
    web = page_at(1400)
    open_page(web, server + "/?bucket=4h")
    chart = web.locator("[data-testid=stVegaLiteChart]").nth(TIMELINE)
    seen = tooltips_over(web, chart)
    assert any("requests" in text for text in seen), seen[:5]  # a bar's own tooltip reached the pointer


def test_the_timeline_plot_uses_the_page_width(page_at, server):
    web = page_at(1400)
    open_page(web, server + "/?bucket=15min")
    main = web.locator("[data-testid=stMainBlockContainer]").bounding_box()
    chart = web.locator("[data-testid=stVegaLiteChart]").nth(TIMELINE).bounding_box()
    assert chart["width"] > 0.9 * (main["width"] - 2 * 48)  # the whole column, not a [3, 2] split


def mean_luminance(png: bytes) -> float:
    image = Image.open(io.BytesIO(png)).convert("RGB").resize((64, 32))
    pixels = list(image.getdata())
    return sum(theme.luminance(p) for p in pixels) / len(pixels)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_heatmap_table_follows_the_viewer_theme(page_at, server, scheme):
    web = page_at(1400, scheme)
    open_page(web, server)
    table = web.locator("[data-testid=stDataFrame]").first
    table.scroll_into_view_if_needed()
    web.wait_for_timeout(1000)
    light = mean_luminance(table.screenshot())
    if scheme == "dark":
        assert light < 0.2, light  # the near-empty cells recede into the dark page
    else:
        assert light > 0.6, light
