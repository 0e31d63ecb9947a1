"""The Explore page in Chromium: clicking a bar adds a filter to the URL and changes the figures."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "tests" / "explore_app.py"
SAMPLE_LINES = 5000
START_TIMEOUT = 60
LOAD_TIMEOUT = 60_000


@pytest.fixture(scope="module")
def explore_server(chromium_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABLOOM_ARGS": f"--sample-lines {SAMPLE_LINES}"}
    command = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("streamlit did not start")
    yield url
    proc.terminate()
    proc.wait(10)


def figure(web: Page, label: str) -> str:
    metric = web.locator("[data-testid=stMetric]").filter(has_text=label).first
    return metric.locator("[data-testid=stMetricValue]").inner_text()


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
