"""Ten browser sessions on one server, each moving the window slider: no errors, bounded server memory."""

from __future__ import annotations

from pathlib import Path

from support.browser import ARTIFACTS, metric_value, start_server

SESSIONS = 10
LOAD_TIMEOUT = 90_000
# Pages share one GPU process that renders WebGL in software (no GPU here): ~12 CPU-seconds per map.
MAP_TIMEOUT = 180_000
RSS_GROWTH_LIMIT_MB = 400  # ten sessions share the cached log; what grows is per-session state only


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def test_ten_sessions_moving_the_slider(chromium_browser):
    proc, url = start_server()
    contexts = []
    try:
        contexts = [chromium_browser.new_context(viewport={"width": 1300, "height": 1400}) for _ in range(SESSIONS)]
        pages = [c.new_page() for c in contexts]
        dialogs: list[str] = []
        for page in pages:
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        # Sessions open one after another, each left connected: ten maps drawn at once in one software-WebGL
        # GPU process stalled page scripts for over 90 s (CI), a client-side cost real users don't share.
        for page in pages:
            page.goto(url, wait_until="commit")
            page.wait_for_selector("[data-testid=stSlider] input[type=range]", state="attached", timeout=LOAD_TIMEOUT)
            page.wait_for_selector("[data-testid=stMetric]", timeout=LOAD_TIMEOUT)
            page.wait_for_selector("[data-testid=stDeckGlJsonChart] canvas", state="attached", timeout=MAP_TIMEOUT)
        baseline = rss_mb(proc.pid)
        figures = []
        for i, page in enumerate(pages):
            # The slider's end handle, by keyboard: the locator is re-resolved if a rerun replaces the element.
            end = page.locator("[data-testid=stSlider] input[type=range]").nth(1)
            for _ in range(i + 1):
                end.press("ArrowLeft", timeout=LOAD_TIMEOUT)
        for page in pages:
            page.wait_for_timeout(300)
            page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=LOAD_TIMEOUT)
            assert page.locator("[data-testid=stException]").count() == 0
            assert "window=" in page.url
            figures.append(metric_value(page, "Requests").inner_text())
        growth = rss_mb(proc.pid) - baseline
        ARTIFACTS.mkdir(exist_ok=True)
        pages[-1].screenshot(path=str(ARTIFACTS / "load-last-session.png"))
        assert dialogs == []
        assert len(set(figures)) > 1  # each session has its own window
        assert growth < RSS_GROWTH_LIMIT_MB, f"server RSS grew {growth:.0f} MB"
    finally:
        for c in contexts:
            c.close()
        proc.terminate()
        proc.wait(10)
