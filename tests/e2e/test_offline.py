"""The app works offline: started the way an operator starts it (``streamlit run app.py`` with the repository's
config, no address flag), it contacts nothing beyond this machine, at start or while a page loads.

The server runs with ``tests/support/offline`` on PYTHONPATH: its sitecustomize refuses and records every
non-loopback connect and name lookup, and keeps the wildcard bind on loopback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page

from support.browser import ROOT, SAMPLE_LINES, _free_port, wait_healthy

GUARD = Path(__file__).resolve().parents[1] / "support" / "offline"
LOAD_TIMEOUT = 90_000


def start_offline(log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(GUARD), os.environ.get("PYTHONPATH")])),
        "DATABLOOM_OFFLINE_LOG": str(log),
        "DATABLOOM_ARGS": f"--sample-lines {SAMPLE_LINES}",
    }
    # As the README starts it: the settings come from .streamlit/config.toml, none from the command line.
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return proc, wait_healthy(proc, f"http://[::1]:{port}")  # the guard keeps the wildcard bind on the IPv6 loopback


def test_nothing_beyond_this_machine_is_contacted_at_start_or_page_load(web: Page, tmp_path):
    log = tmp_path / "offline.log"
    proc, url = start_offline(log)
    try:
        web.goto(url)
        web.wait_for_selector("[data-testid=stMetric]", timeout=LOAD_TIMEOUT)
        web.wait_for_timeout(2000)
        web.goto(url + "/explore")
        web.wait_for_selector("[data-testid=stMetric]", timeout=LOAD_TIMEOUT)
        web.wait_for_timeout(2000)
    finally:
        proc.terminate()
        proc.wait(10)
    lines = log.read_text().splitlines()
    assert lines and lines[0].startswith("# offline guard active"), "the guard did not load: the test proves nothing"
    attempts = [line for line in lines if not line.startswith("#")]
    assert attempts == [], f"contacted beyond this machine: {attempts}"
