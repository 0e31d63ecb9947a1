"""AppTest: what a rerun does again and what it keeps (issue #14, the pages' speed at a million lines)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from support.loglines import UA_CHROME, UA_FIREFOX, combined

APP = Path(__file__).resolve().parents[1] / "app.py"
EXPLORE_APP = APP.parent / "tests" / "support" / "explore_app.py"
SAMPLE_LINES = 2000
TIMEOUT = 120

pytestmark = pytest.mark.usefixtures("fresh_caches")  # tests/conftest.py


def small_log() -> bytes:
    lines = [
        combined("8.8.8.8", "01/Jun/2026:10:00:00 +0000", "GET / HTTP/1.1", 200, 100, agent=UA_CHROME),
        combined("8.8.4.4", "01/Jun/2026:10:05:00 +0000", "GET /a HTTP/1.1", 404, 50, agent=UA_FIREFOX),
    ]
    return ("\n".join(lines) + "\n").encode()


def test_an_upload_is_hashed_once_not_on_every_rerun(monkeypatch):
    from dashboard.views import cache

    hashed = []
    digest = cache.digest
    monkeypatch.setattr(cache, "digest", lambda data: hashed.append(len(data)) or digest(data))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    at.radio(key="source").set_value("Upload").run()
    at.file_uploader[0].set_value(("mine.log", small_log(), "text/plain")).run()
    at.selectbox(key="bucket").set_value("1h").run()
    at.radio(key="bots").set_value("exclude").run()
    assert not at.exception, [e.message for e in at.exception]
    assert hashed == [len(small_log())]
    at.file_uploader[0].set_value(("other.log", small_log() * 2, "text/plain")).run()  # a new file: hashed
    assert hashed == [len(small_log()), 2 * len(small_log())]
    assert next(m.value for m in at.metric if m.label == "Requests") == "4"


def chart_ids(at: AppTest) -> list[str]:
    """The element ids of the clickable charts (bars and map): a new id is a chart drawn anew in the browser."""
    charts = [*at.get("vega_lite_chart"), *at.get("deck_gl_json_chart")]
    return [c.proto.id for c in charts if c.proto.id]


def test_a_filter_change_keeps_the_explore_charts_so_vega_only_updates_their_data():
    at = AppTest.from_file(str(EXPLORE_APP), default_timeout=TIMEOUT)
    at.query_params.update({"f": ["country:is:US", "method:is:GET"]})
    at.run()
    before = chart_ids(at)
    multiselect = next(m for m in at.multiselect if m.label.startswith("Active filters"))
    multiselect.set_value(["method:is:GET"]).run()  # a chip removed: every panel gets new data
    assert not at.exception, [e.message for e in at.exception]
    assert len(before) >= 8
    assert chart_ids(at) == before


def chart_paths(node, prefix: tuple = ()) -> list[tuple]:
    """Where each vega chart sits in the page tree: the browser keeps (and updates) what stays in place."""
    found = []
    for i, child in getattr(node, "children", {}).items():
        path = (*prefix, i)
        found += [path] if getattr(child, "type", None) == "vega_lite_chart" else chart_paths(child, path)
    return found


def test_a_caption_that_comes_and_goes_does_not_move_the_explore_charts():
    paths = []
    for days in ("week", "day"):  # the whole sample has no previous week to compare with: a note says so
        at = AppTest.from_file(str(EXPLORE_APP), default_timeout=TIMEOUT)
        at.query_params.update({"range": days})
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        paths.append(chart_paths(at.main))
    assert len(paths[0]) >= 8
    assert paths[0] == paths[1]


def test_a_cold_start_imports_only_the_page_it_opens_on():
    import subprocess
    import sys

    script = (
        "import sys; from streamlit.testing.v1 import AppTest; "
        f"at = AppTest.from_file({str(APP)!r}, default_timeout={TIMEOUT}).run(); "
        "assert not at.exception; "
        "print(sorted(m for m in sys.modules if m.startswith('dashboard.views.')))"
    )
    env = {**os.environ, "DATABLOOM_ARGS": f"--sample-lines {SAMPLE_LINES}"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=TIMEOUT)
    assert out.returncode == 0, out.stderr[-2000:]
    views = out.stdout.strip().splitlines()[-1]
    assert "dashboard.views.traffic" in views
    for other in ("explore", "lines", "clients", "audience"):
        assert f"dashboard.views.{other}'" not in views


def test_the_traffic_page_sends_one_heatmap_table_at_a_time():
    """Tabs sent both tables (each ~30 KB of cells and styles) on every slider step; the control sends the one shown."""
    at = AppTest.from_file(str(APP), default_timeout=180).run()
    assert not at.exception
    tables = [d.value for d in at.main.dataframe if "Total" in d.value.columns]
    assert len(tables) == 1 and tables[0].columns.name == "browser"
    at.segmented_control(key="overview_heatmap").set_value("Time × country").run()
    tables = [d.value for d in at.main.dataframe if "Total" in d.value.columns]
    assert len(tables) == 1 and tables[0].columns.name == "country"
    assert any(b.label == "Download CSV (country)" for b in at.get("download_button"))


@pytest.fixture(scope="module")
def incidents(tmp_path_factory):
    """A generated log with incidents (it raises alerts) and its store."""
    from support.storeapp import history

    return history(tmp_path_factory.mktemp("alerts"), lines=6_000, days=2.0)


@pytest.mark.parametrize("source", ["log", "store"])
def test_a_first_look_draws_the_traffic_before_finding_the_alerts_then_marks_them(incidents, monkeypatch, source):
    """Alerts take seconds on a large store: the first run draws the timeline, then finds them, then reruns with
    their markers; a later run in the session has them (a cache hit) before the timeline."""
    import dashboard.alerts
    from dashboard.render import timeline
    from dashboard.views import alerts_panel
    from support.storeapp import run

    monkeypatch.setattr(alerts_panel, "LATE_ALERTS_LINES", 1_000)  # the 6k-line log stands for a large one
    events = []
    detect, chart = dashboard.alerts.detect_alerts, timeline.browser_timeline_chart
    monkeypatch.setattr(dashboard.alerts, "detect_alerts", lambda *a, **k: events.append("detect") or detect(*a, **k))

    def drawn(*args, markers=None, **kwargs):
        events.append(("timeline", 0 if markers is None else len(markers)))
        return chart(*args, markers=markers, **kwargs)

    monkeypatch.setattr(timeline, "browser_timeline_chart", drawn)
    log, store = incidents
    at = run(APP, f"--log {log}" if source == "log" else f"--store {store}", monkeypatch)
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    (first, found, marked) = events
    alerts = int(next(s.value for s in at.subheader if s.value.startswith("Alerts")).strip("Alerts ()"))
    assert (first, found) == (("timeline", 0), "detect") and alerts > 0 and marked[1] > 0
    events.clear()
    # another bucket builds the timeline again (a rerun that changes nothing keeps it), with the markers at once
    at.selectbox(key="bucket").set_value("1h").run()
    assert events == [("timeline", marked[1])]


def test_a_small_log_finds_its_alerts_before_drawing_the_traffic(incidents, monkeypatch):
    """On a small log (the embedded sample) the alerts cost less than the rerun that would mark them later."""
    import dashboard.alerts
    from dashboard.render import timeline
    from support.storeapp import run

    events = []
    detect, chart = dashboard.alerts.detect_alerts, timeline.browser_timeline_chart
    monkeypatch.setattr(dashboard.alerts, "detect_alerts", lambda *a, **k: events.append("detect") or detect(*a, **k))
    monkeypatch.setattr(timeline, "browser_timeline_chart", lambda *a, **k: events.append("timeline") or chart(*a, **k))
    at = run(APP, f"--log {incidents[0]}", monkeypatch)
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    assert events == ["detect", "timeline"]


@pytest.mark.parametrize("source", ["log", "store"])
def test_a_bad_alerts_config_is_one_error_on_a_first_look_and_after(incidents, tmp_path, monkeypatch, source):
    """Found late (a large log) or at once (a later run), a bad configuration is one message; the traffic stays."""
    from dashboard.views import alerts_panel
    from support.storeapp import run

    monkeypatch.setattr(alerts_panel, "LATE_ALERTS_LINES", 1_000)
    config = tmp_path / "alerts.toml"
    config.write_text("[scanner]\nmin_404 = -3\n")
    log, store = incidents
    at = run(
        APP,
        f"{'--log ' + str(log) if source == 'log' else '--store ' + str(store)} --alerts-config {config}",
        monkeypatch,
    )
    for _ in range(2):
        assert not at.exception, at.exception
        assert [e.value for e in at.error if "scanner.min_404" in e.value] and len(at.error) == 1
        assert next(s.value for s in at.subheader if s.value.startswith("Alerts")) == "Alerts (0)"
        at.selectbox(key="bucket").set_value("1h").run()
