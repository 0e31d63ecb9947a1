"""Annotations on the live panel's requests-per-minute chart: drawn like on every other time chart, and only those
of the hour it shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from support.loglines import UA_CHROME, combined

APP = Path(__file__).resolve().parents[1] / "app.py"
TIMEOUT = 120

pytestmark = pytest.mark.usefixtures("fresh_caches")  # tests/conftest.py


def live_chart(at: AppTest):
    """The live panel's chart (the one titled in requests per minute)."""
    charts = [c.proto for kind in ("vega_lite_chart", "arrow_vega_lite_chart") for c in at.get(kind)]
    (chart,) = [c for c in charts if "requests per minute" in c.spec]
    return chart


def texts(chart) -> bytes:
    return b"".join(d.data.data for d in chart.datasets) + chart.spec.encode()


def test_the_live_chart_draws_the_annotations_of_its_hour(tmp_path, monkeypatch) -> None:
    log = tmp_path / "live.log"
    lines = [
        combined("8.8.8.8", f"01/Jun/2026:{hour:02d}:{minute:02d}:00 +0000", "GET / HTTP/1.1", 200, 10, agent=UA_CHROME)
        for hour, minute in [(10, 0), (10, 20), (10, 40), (11, 0), (11, 20), (11, 30)]
    ]
    log.write_text("\n".join(lines) + "\n")
    notes = tmp_path / "notes.jsonl"
    notes.write_text(
        '{"time": "2026-06-01T11:05:00Z", "text": "deploy v2.3", "tag": "deploy"}\n'
        '{"time": "2026-06-01T10:10:00Z", "text": "an hour before"}\n'
    )
    monkeypatch.setenv("DATABLOOM_ARGS", f"--follow {log} --annotations {notes}")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception and not at.error and not at.warning
    chart = live_chart(at)
    assert b"deploy v2.3" in texts(chart)
    assert '"strokeDash": [6, 3]' in chart.spec
    assert b"an hour before" not in texts(chart)  # the panel shows the last hour only
