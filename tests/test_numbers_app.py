"""AppTest: the numbers of #14 item 3 as the pages show them (the Traffic page and the Explore page)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
TRAFFIC = ROOT / "app.py"
EXPLORE = ROOT / "tests" / "support" / "explore_app.py"
SAMPLE_LINES = 5000
TIMEOUT = 120


pytestmark = pytest.mark.usefixtures("fresh_caches")  # tests/conftest.py


def run_app(app: Path, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(app), default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    return at.run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_explore_follows_the_sidebar_bucket_and_says_so():
    at = run_app(EXPLORE, {"bucket": "15min"})
    assert not at.exception
    assert any("buckets of 15min (the sidebar's Bucket)" in t.value for t in at.text)
    at.selectbox(key="bucket").set_value("1D").run()
    assert any("buckets of 1D (the sidebar's Bucket)" in t.value for t in at.text)


def test_changing_the_bucket_keeps_the_whole_range_whole():
    at = run_app(TRAFFIC)
    assert metric(at, "Requests") == f"{SAMPLE_LINES:,}"
    for bucket in ("15min", "1h", "1D", "4h"):
        at.selectbox(key="bucket").set_value(bucket).run()
        assert not at.exception
        assert metric(at, "Requests") == f"{SAMPLE_LINES:,}", bucket
        window = at.select_slider(key="window").value
        assert window == (at.select_slider(key="window").options[0], at.select_slider(key="window").options[-1])


def test_changing_the_bucket_keeps_the_time_span_of_a_window():
    at = run_app(TRAFFIC)
    slider = at.select_slider(key="window")
    options = slider.options
    slider.set_value((options[3], options[6])).run()  # four 4h buckets: 16 hours
    before = metric(at, "Requests")
    at.selectbox(key="bucket").set_value("15min").run()
    assert not at.exception
    assert metric(at, "Requests") == before
    first, last = at.select_slider(key="window").value
    last_quarter = (pd.Timestamp(options[6]) + pd.Timedelta("3h45min")).strftime("%Y-%m-%d %H:%M")
    assert (first, last) == (options[3], last_quarter)


def test_anonymising_masks_what_is_shown_not_what_is_counted():
    def counted(at: AppTest) -> tuple:
        alerts = next(s.value for s in at.subheader if s.value.startswith("Alerts ("))
        return metric(at, "Requests"), metric(at, "Unique visitors"), alerts

    plain, masked = run_app(TRAFFIC), run_app(TRAFFIC, {"anon": "true"})
    assert not masked.exception
    assert counted(masked) == counted(plain)
    explore_plain, explore_masked = run_app(EXPLORE), run_app(EXPLORE, {"anon": "true"})
    assert metric(explore_masked, "Unique visitors") == metric(explore_plain, "Unique visitors")
    plain_ips = next(d.value for d in explore_plain.dataframe if "ip" in d.value.columns)
    masked_ips = next(d.value for d in explore_masked.dataframe if "ip" in d.value.columns)
    assert masked_ips["requests"].tolist() == plain_ips["requests"].tolist()  # the same clients, ranked the same
    assert masked_ips["ip"].is_unique
    assert not set(masked_ips["ip"]) & set(plain_ips["ip"][~plain_ips["ip"].str.startswith("Other (")])


def test_a_followed_log_starts_at_minute_buckets_and_its_panel_agrees_with_the_page(tmp_path, monkeypatch):
    from support.loglines import combined

    path = tmp_path / "live.log"
    lines = [combined("8.8.8.8", f"01/Jun/2026:10:{m:02d}:00 +0000", "GET / HTTP/1.1", 200, 10) for m in range(30)]
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setenv("DATABLOOM_ARGS", f"--follow {path}")
    at = run_app(TRAFFIC)
    assert not at.exception
    assert at.selectbox(key="bucket").value == "1min"
    assert len(at.select_slider(key="window_live").options) == 30  # one bar a minute, not one 4-hour bar

    def held(at: AppTest) -> str:
        note = next(c.value for c in at.caption if c.value.startswith("This read:"))
        return note.split()[2]

    assert held(at) == metric(at, "Requests") == "30"
    with path.open("a") as f:
        f.write(combined("8.8.4.4", "01/Jun/2026:10:45:00 +0000", "GET /a HTTP/1.1", 200, 10) + "\n")
    at.run()
    assert held(at) == metric(at, "Requests") == "31"
    at.selectbox(key="bucket").set_value("1h").run()
    assert at.selectbox(key="bucket").value == "1h"  # the user's choice stays


def test_the_whole_range_stays_whole_when_the_log_grows(tmp_path, monkeypatch):
    from support.loglines import combined

    path = tmp_path / "access.log"
    first = [combined("8.8.8.8", f"01/Jun/2026:{h:02d}:00:00 +0000", "GET / HTTP/1.1", 200, 10) for h in range(10)]
    path.write_text("\n".join(first) + "\n")
    monkeypatch.setenv("DATABLOOM_ARGS", f"--log {path}")
    at = run_app(TRAFFIC)
    assert metric(at, "Requests") == "10"
    with path.open("a") as f:
        f.write(combined("8.8.4.4", "01/Jun/2026:20:00:00 +0000", "GET /a HTTP/1.1", 200, 10) + "\n")
    at.run()
    assert not at.exception
    assert metric(at, "Requests") == "11"
