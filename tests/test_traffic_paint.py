"""Issue #14: what the Traffic page sends and the browser draws at each slider step, Play step or bot switch."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.render import heatmaps, maps, timeline
from dashboard.views import map_panel, rejects, traffic
from support.loglines import UA_CHROME, UA_FIREFOX, combined

APP = Path(__file__).resolve().parents[1] / "app.py"
TIMEOUT = 120
URL = "app/static/countries.geojson?v=0123456789ab"


def countries_layer(spec: dict) -> dict:
    return next(layer for layer in spec["layers"] if layer["id"] == maps.MAP_COUNTRY_LAYER)


def counts() -> pd.DataFrame:
    return pd.DataFrame({"country": ["US", "FR", "DE"], "country_name": ["", "", ""], "requests": [1000, 3, 50]})


def test_the_map_leaves_the_borders_out_when_asked() -> None:
    """Software WebGL spent 1.4 s of each redraw on the border paths: the fills, circles and colours stay."""
    with_borders = json.loads(maps.country_map(counts(), URL, maps.load_centroids()).to_json())
    without = json.loads(maps.country_map(counts(), URL, maps.load_centroids(), borders=False).to_json())
    assert countries_layer(with_borders)["stroked"] is True
    assert countries_layer(without)["stroked"] is False
    for key in ("getFillColor", "updateTriggers", "data", "pickable", "filled"):
        assert countries_layer(without)[key] == countries_layer(with_borders)[key]
    assert [layer for layer in without["layers"] if layer["id"] == maps.MAP_HEAT_LAYER] == [
        layer for layer in with_borders["layers"] if layer["id"] == maps.MAP_HEAT_LAYER
    ]


def test_the_circles_carry_only_what_they_draw() -> None:
    """The circles are re-sent at every step: position to 0.01°, no share (the tooltip says it), same numbers."""
    points = maps.heat_points(maps.country_requests(counts()), maps.load_centroids(), total=1100)
    sent = maps.halo_points(points)
    assert [set(p) for p in sent] == [{"country", "name", "requests", "radius", "position"}] * 3
    for full, slim in zip(points, sent, strict=True):
        assert slim["position"] == [round(full["lon"], 2), round(full["lat"], 2)]
        assert (slim["name"], slim["requests"], slim["radius"]) == (full["name"], full["requests"], full["radius"])
    text = maps.country_map(counts(), URL, maps.load_centroids()).to_json()
    assert "\\u00b7" not in text and "·" in text  # the tooltip's separator as UTF-8, not a 6-byte escape


def test_the_heatmap_table_sends_short_rules_and_the_same_numbers() -> None:
    pivot = pd.DataFrame({"Chrome": [1234, 5], "Other": [0, 7]}, index=pd.Index(["a", "b"], name="bucket"))
    pivot[heatmaps.TOTAL] = pivot.sum(axis=1)
    styler = heatmaps.style_heatmap(pivot)
    assert styler.uuid == heatmaps.STYLE_ID
    assert (styler.data.dtypes == np.int32).all()
    assert styler.data.equals(pivot.astype(np.int32))
    html = styler.to_html()
    assert "1,234" in html and f"#T_{heatmaps.STYLE_ID}_row0_col0" in html
    huge = pivot * 10_000_000  # a count past 2**31 stays 64-bit
    assert heatmaps.style_heatmap(huge).data.dtypes.eq(np.int64).all()


def test_the_legend_keeps_its_colours_labels_and_counts() -> None:
    entries = maps.map_legend(counts())
    html = map_panel.legend_html(entries)
    assert map_panel.LEGEND_TITLE in html
    for entry in entries:
        assert entry["colour"] in html and entry["label"] in html and f"({entry['countries']})" in html
    assert len(html) < 250 + 90 * len(entries)


@pytest.mark.usefixtures("fresh_caches")
def test_the_map_drops_its_borders_once_the_browser_says_it_draws_in_software() -> None:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert countries_layer(json.loads(at.get("deck_gl_json_chart")[0].proto.json))["stroked"] is True
    at.session_state[map_panel.WIDTH_KEY] = {"width": 800, "software": True}  # what the component reports
    at.run()
    assert not at.exception
    assert countries_layer(json.loads(at.get("deck_gl_json_chart")[0].proto.json))["stroked"] is False


def rejects_shown(at: AppTest) -> bool:
    return any("reason" in frame.value.columns for frame in at.dataframe)


@pytest.mark.usefixtures("fresh_caches")
def test_the_rejected_lines_are_sent_only_while_their_list_is_open() -> None:
    """Closed, the list (up to a thousand lines, ~75 KB) is not re-sent at every rerun; opened, it is drawn."""
    lines = [
        combined("8.8.8.8", "01/Jun/2026:10:00:00 +0000", "GET / HTTP/1.1", 200, 100, agent=UA_CHROME),
        combined("8.8.4.4", "01/Jun/2026:10:05:00 +0000", "GET /a HTTP/1.1", 404, 50, agent=UA_FIREFOX),
        "not a log line",
    ]
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    at.radio(key="source").set_value("Upload").run()
    at.file_uploader[0].set_value(("mine.log.gz", gzip.compress("\n".join(lines).encode()), "application/gzip"))
    at.run()
    assert not at.exception
    assert any(e.label.startswith("Rejected lines: 1 of 3") for e in at.expander)
    assert not rejects_shown(at)
    at.session_state[rejects.KEY] = True  # the user opens it (a rerun)
    at.run()
    assert not at.exception
    assert rejects_shown(at)


@pytest.mark.usefixtures("fresh_caches")
def test_a_slider_step_does_not_build_the_browser_timeline_again(monkeypatch) -> None:
    """The timeline draws the whole log whatever the window: built once (Altair took ~0.15 s a step at 1M rows),
    sent as the same spec (Streamlit then sends a reference), and built again when what it draws changes."""
    built = []
    original = timeline.browser_timeline_chart
    monkeypatch.setattr(timeline, "browser_timeline_chart", lambda *a, **k: built.append(1) or original(*a, **k))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()  # a first look reruns once to mark the alerts
    assert not at.exception and built
    first = len(built)
    specs = [chart.proto.spec for chart in at.get("vega_lite_chart")]
    slider = at.select_slider(key="window")
    slider.set_value((slider.options[1], slider.options[-1])).run()
    assert not at.exception
    assert len(built) == first
    assert max(specs, key=len) in [chart.proto.spec for chart in at.get("vega_lite_chart")]
    at.toggle(key=traffic.KEY + "stacked").set_value(False).run()
    assert not at.exception and len(built) == first + 1
