"""AppTest: the Explore page (sidebar + page, through tests/explore_app.py) as Streamlit runs it."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent / "support" / "explore_app.py"
SAMPLE_LINES = 5000
TIMEOUT = 120


pytestmark = pytest.mark.usefixtures("fresh_caches")  # tests/conftest.py


def run_app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    return at.run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def requests(at: AppTest) -> int:
    return int(metric(at, "Requests").replace(",", ""))


def chips(at: AppTest) -> list[str]:
    return next((m.value for m in at.multiselect if m.label.startswith("Active filters")), [])


def url_filters(at: AppTest) -> list[str]:
    value = at.query_params.get("f", [])
    return [value] if isinstance(value, str) else list(value)


def table_with(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_page_renders_every_panel():
    at = run_app()
    assert not at.exception
    assert not at.error
    assert requests(at) == SAMPLE_LINES
    titles = [s.value for s in at.subheader]
    for title in (
        "Traffic over time",
        "Status codes over time",
        "Top URLs",
        "Top 404 URLs",
        "Referring sites",
        "Operating systems",
        "Devices",
        "Bots by crawler",
        "Visitors by weekday × hour",
        "Countries × hour",
    ):
        assert title in titles
    assert len(at.get("vega_lite_chart")) >= 12
    assert not any(m.delta for m in at.metric)  # "all" has no previous period
    assert len(at.get("download_button")) >= 12


def test_a_filter_from_the_form_changes_the_figures_and_the_url():
    at = run_app()
    at.selectbox(key="explore_field").set_value("status")
    at.selectbox(key="explore_op").set_value("is")
    at.text_input(key="explore_value").set_value("4xx")
    at.button(key="explore_add").click().run()
    assert not at.exception
    assert url_filters(at) == ["status:is:4xx"]
    assert 0 < requests(at) < SAMPLE_LINES // 10
    assert metric(at, "4xx") == "100.0%"
    assert chips(at) == ["status:is:4xx"]


def test_a_bad_filter_from_the_form_is_one_clear_error():
    at = run_app()
    at.selectbox(key="explore_field").set_value("path")
    at.selectbox(key="explore_op").set_value("regex")
    at.text_input(key="explore_value").set_value("(unclosed")
    at.button(key="explore_add").click().run()
    assert not at.exception
    assert any("invalid regular expression" in e.value for e in at.error)
    assert requests(at) == SAMPLE_LINES


def test_the_url_restores_filters_range_and_comparison():
    at = run_app({"f": ["bots:is:only", "status:is:2xx"], "range": "day", "compare": "true"})
    assert not at.exception
    assert chips(at) == ["bots:is:only", "status:is:2xx"]
    assert at.selectbox(key="range").value == "day"
    assert 0 < requests(at) < SAMPLE_LINES
    assert metric(at, "Bots") == "100.0%"
    assert all(m.delta for m in at.metric)  # compared with the day before


def test_removing_a_chip_removes_the_filter():
    at = run_app({"f": ["country:is:US", "method:is:GET"]})
    filtered = requests(at)
    multiselect = next(m for m in at.multiselect if m.label.startswith("Active filters"))
    multiselect.set_value(["method:is:GET"]).run()
    assert not at.exception
    assert url_filters(at) == ["method:is:GET"]
    assert requests(at) > filtered


def test_bad_filters_in_the_url_are_reported_and_ignored():
    at = run_app({"f": ["path:regex:(a", "nonsense", "status:is:5xx"]})
    assert not at.exception
    errors = " ".join(e.value for e in at.error).replace("\\", "")  # the Markdown escapes
    assert "invalid regular expression '(a': unclosed group" in errors and "field:op:value" in errors
    assert chips(at) == ["status:is:5xx"]
    assert metric(at, "5xx") == "100.0%"


def test_anonymised_addresses_in_the_client_table():
    at = run_app({"anon": "true"})
    assert not at.exception
    ips = [ip.split(" #")[0] for ip in table_with(at, "ip")["ip"] if not ip.startswith("Other (")]
    assert ips and all(ip.endswith((".0", "::")) for ip in ips)
    plain = run_app()
    assert any(not ip.endswith((".0", "::")) for ip in table_with(plain, "ip")["ip"] if not ip.startswith("Other ("))


def test_sidebar_bot_setting_applies_to_explore():
    at = run_app({"bots": "exclude"})
    assert not at.exception
    assert metric(at, "Bots") == "0.0%"


def test_custom_days_narrow_the_range():
    at = run_app({"range": "custom"})
    assert not at.exception
    days = at.date_input(key="days")
    first, last = days.value
    assert first < last
    days.set_value((first, first)).run()
    assert not at.exception
    assert 0 < requests(at) < SAMPLE_LINES
    # the first day is compared with the day before the log: no deltas, and the page says why
    assert not any(m.delta for m in at.metric)
    assert any("no data in the previous period" in c.value for c in at.caption)
    days.set_value((last, last)).run()
    assert all(m.delta for m in at.metric)  # the last day is compared with the day before it, which has data


def test_the_map_follows_the_filters():
    import json

    def countries(at: AppTest) -> dict[str, int]:
        deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
        layer = next(layer for layer in deck["layers"] if layer["id"] == "heat")  # the per-country numbers
        return {point["country"]: point["requests"] for point in layer["data"] if point["requests"]}

    app = run_app()
    everything = countries(app)
    assert list(app.get("deck_gl_json_chart")[0].proto.selection_mode)  # a click on a country is a selection
    only_us = countries(run_app({"f": "country:is:US"}))
    assert len(everything) > 1
    assert only_us == {"US": everything["US"]}


def test_a_failing_panel_leaves_the_other_panels(monkeypatch):
    from dashboard.render import bars

    def broken(*args, **kwargs):
        raise KeyError("share")

    monkeypatch.setattr(bars, "top_bar_chart", broken)
    at = run_app()
    assert not at.exception
    assert at.error
    assert all("could not be drawn: KeyError: 'share'" in e.value for e in at.error)
    assert requests(at) == SAMPLE_LINES
    titles = [s.value for s in at.subheader]
    assert {"Traffic over time", "Countries", "Visitors by weekday × hour"} <= set(titles)


def test_annotations_are_drawn_on_the_time_charts(monkeypatch, tmp_path):
    notes = tmp_path / "notes.jsonl"
    notes.write_text(
        '{"time": "2026-06-03T12:00:00Z", "text": "deploy v2.3", "tag": "deploy"}\n'
        '{"time": "2030-01-01T00:00:00Z", "text": "out of range"}\n'
    )
    monkeypatch.setenv("DATABLOOM_ARGS", f"--sample-lines {SAMPLE_LINES} --annotations {notes}")
    at = run_app()
    assert not at.exception and not at.error and not at.warning
    charts = [c.proto for c in at.get("vega_lite_chart")]  # Streamlit moves chart data to Arrow datasets
    marked = [c for c in charts if any(b"deploy v2.3" in d.data.data for d in c.datasets)]
    assert len(marked) >= 2  # traffic, status codes (and response time when the log has it)
    assert all('"strokeDash": [6, 3]' in c.spec for c in marked)
    assert not any(b"out of range" in d.data.data for c in charts for d in c.datasets)
    assert any('"pick"' in c.spec for c in marked)  # the status chart's click-to-filter survives the layering


def test_a_bad_annotations_file_is_one_warning(monkeypatch, tmp_path):
    notes = tmp_path / "notes.jsonl"
    notes.write_text('{"time": "soon", "text": "deploy"}\n')
    monkeypatch.setenv("DATABLOOM_ARGS", f"--sample-lines {SAMPLE_LINES} --annotations {notes}")
    at = run_app()
    assert not at.exception and not at.error
    message = f"Annotations not shown: {notes}:1: 'soon' is not a time such as 2026-06-01T14:05:00+02:00"
    assert [w.value for w in at.warning] == [message]
    assert requests(at) == SAMPLE_LINES
