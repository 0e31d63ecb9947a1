"""AppTest: the map on the Traffic page (geometry by URL, legend, click to filter) as Streamlit runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.views import map_panel

APP = Path(__file__).resolve().parents[1] / "app.py"
SAMPLE_LINES = 5000
TIMEOUT = 120


pytestmark = pytest.mark.usefixtures("fresh_caches")  # tests/conftest.py


def deck(at: AppTest) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def heat(at: AppTest) -> dict[str, int]:
    return {p["country"]: p["requests"] for p in next(x for x in deck(at)["layers"] if x["id"] == "heat")["data"]}


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_the_page_sends_the_geometry_by_url_with_a_legend():
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    spec = deck(at)
    countries = next(x for x in spec["layers"] if x["id"] == "countries")
    assert countries["data"].startswith("app/static/countries.geojson?v=")  # static serving is on in config.toml
    assert len(at.get("deck_gl_json_chart")[0].proto.json) < 50_000
    legend = [h for h in at.get("html") if map_panel.LEGEND_TITLE in h.proto.body]
    assert len(legend) == 1 and "#bd0026" in legend[0].proto.body  # the top class, light theme
    assert list(at.get("deck_gl_json_chart")[0].proto.selection_mode)  # a click on a country is a selection


def test_a_country_clicked_on_the_traffic_map_filters_the_page():
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    everything = heat(at)
    code = max(everything, key=everything.get)
    # what the map's on_select callback stores for a click on that country (tests/e2e clicks for real)
    at.session_state[map_panel.TRAFFIC_COUNTRY] = code
    at.run()
    assert not at.exception
    assert heat(at) == {code: everything[code]}
    assert metric(at, "Requests") == f"{everything[code]:,}"  # the figures follow the country too
    assert metric(at, "Countries") == "1"
    chip = next(b for b in at.button if b.label == f"Country is {code}")
    assert any(code in info.value for info in at.info)
    chip.click().run()
    assert not at.exception
    assert heat(at) == everything
    assert not any(b.label.startswith("Country is") for b in at.button)
