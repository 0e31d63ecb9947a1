"""Real-browser fixtures: a Streamlit server on a free loopback port and Debian's Chromium via Playwright.

These tests run when Chromium is installed; with DATABLOOM_BROWSER_TESTS=1 (CI) a missing Chromium fails
instead of skipping. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, start_server

EXPLORE_APP = Path(__file__).resolve().parents[1] / "support" / "explore_app.py"


def pytest_collection_modifyitems(items):
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("DATABLOOM_BROWSER_TESTS") == "1":
            pytest.fail("DATABLOOM_BROWSER_TESTS=1 but Debian's chromium is not installed")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="module")
def explore_server(chromium_path):
    """The Explore page alone on its own server, one per test module (filters set by one module stay there)."""
    proc, url = start_server(script=EXPLORE_APP)
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def server(chromium_path):
    proc, url = start_server()
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def chromium_browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def web(chromium_browser, request):
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1800})
    pg = context.new_page()
    pg.dialogs = []
    pg.console_errors = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    finally:
        context.close()
