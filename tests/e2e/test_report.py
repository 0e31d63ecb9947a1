"""The HTML report in real Chromium from a file:// URL: no network, no console error, charts drawn, no XSS."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

from dashboard.analysis.annotations import parse_annotations
from dashboard.pipeline import load_log
from dashboard.render.report import build_report
from support.explore_log import FORMAT, lines

RENDER_TIMEOUT = 30_000
XSS_AGENT = "<img src=x onerror=alert(1)>"
XSS_PATH = "/</script><script>alert(2)</script>"
XSS_REFERRER = "https://evil.example/\u2028</script><svg onload=alert(3)>"


def hostile_lines() -> list[str]:
    return [
        f'x.example 8.8.8.8 - - [02/Jun/2026:10:11:00 +0000] "GET {XSS_PATH} HTTP/1.1" 404 5 "{XSS_REFERRER}" '
        f'"{XSS_AGENT}" 0.001'
    ]


def write_report(folder: Path, **options) -> Path:
    log = folder / "access.log"
    log.write_text("\n".join([*lines(), *hostile_lines()]) + "\n")
    loaded = load_log(log, FORMAT)
    path = folder / "report.html"
    path.write_text(build_report(loaded, **options), encoding="utf-8")
    return path


def test_report_opens_offline_and_draws_every_chart(web: Page, tmp_path: Path):
    notes = parse_annotations('{"time": "2026-06-02T10:05:00Z", "text": "deploy v2.3"}', "UTC")
    path = write_report(tmp_path, preset="day", tz="Europe/Berlin", annotations=notes)
    outside: list[str] = []
    web.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
    web.goto(path.as_uri())
    charts = web.locator("div.chart")
    expected = charts.count()
    assert expected >= 10
    web.wait_for_function(
        f"document.querySelectorAll('div.chart svg.marks').length === {expected}", timeout=RENDER_TIMEOUT
    )
    sizes = web.evaluate("Array.from(document.querySelectorAll('div.chart svg.marks')).map(s => s.clientWidth)")
    assert min(sizes) > 200  # drawn at the width of their column, not collapsed
    # marks were drawn: bars (paths) in the top-URL chart, rectangles in the heatmaps
    assert web.locator("div.chart svg.marks path").count() > 50
    assert web.console_errors == []
    assert web.dialogs == []
    assert outside == []
    text = web.locator("body").inner_text()
    assert "Top URLs" in text and "Requests" in text
    assert XSS_PATH in text  # shown as text ...
    assert web.locator("img[src=x]").count() == 0  # ... never as markup
    assert web.locator("svg[onload]").count() == 0
    assert web.locator("div.chart svg.marks text", has_text="deploy v2.3").count() >= 3  # on the time charts
    assert web.locator("svg.worldmap path").count() > 200 and web.locator("svg.worldmap").bounding_box()["width"] > 500
