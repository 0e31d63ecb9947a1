"""AppTest: what the pages look like beyond their numbers: the empty state of a filter set that matches nothing,
the active theme reaching the heatmap tables and charts, and the rows of headline figures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.render import theme
from dashboard.views import notice

ROOT = Path(__file__).resolve().parents[1]
TRAFFIC, EXPLORE = ROOT / "app.py", ROOT / "tests" / "support" / "explore_app.py"
SAMPLE_LINES = 2000
TIMEOUT = 120
NOTHING = "path:is:/no-such-page-anywhere"


pytestmark = pytest.mark.usefixtures("fresh_caches")  # tests/conftest.py


def run(app: Path, query: dict | None = None, dark: bool | None = None) -> AppTest:
    at = AppTest.from_file(str(app), default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    if dark is not None:
        at.context["theme"] = "dark" if dark else "light"
    return at.run()


def url_filters(at: AppTest) -> list[str]:
    value = at.query_params.get("f", [])
    return [value] if isinstance(value, str) else list(value)


def test_a_filter_set_matching_nothing_shows_an_empty_state_not_empty_charts():
    at = run(EXPLORE, {"f": ["status:is:2xx", NOTHING]})
    assert not at.exception and not at.error
    assert any(notice.NO_MATCH in m.value for m in at.markdown)
    assert not at.get("vega_lite_chart"), "no empty chart with a 0.000000 axis"
    assert any("/no-such-page-anywhere" in t.value for t in at.text)
    at.button(key="no_match_remove_last").click().run()
    assert url_filters(at) == ["status:is:2xx"]  # only the last filter went
    assert not any(notice.NO_MATCH in m.value for m in at.markdown)
    assert at.get("vega_lite_chart")


def test_only_a_zero_request_count_is_an_empty_state():
    from dashboard.analysis.figures import Figure

    assert notice.matches_nothing([Figure("requests", "Requests", 0), Figure("bytes", "Bytes", 0)])
    assert not notice.matches_nothing([Figure("requests", "Requests", 3), Figure("5xx", "5xx", 0)])
    assert not notice.matches_nothing([])


def heat_backgrounds(at: AppTest) -> set[str]:
    """The background colours the heatmap table's Styler gives its cells."""
    css = " ".join(frame.proto.arrow_data.styler.styles for frame in at.dataframe)
    return set(re.findall(r"background-color:\s*(#[0-9a-f]{6})", css))


def luminance(colour: str) -> float:
    return theme.luminance(theme.hex_rgb(colour))


@pytest.mark.parametrize("dark", [False, True])
def test_the_heatmap_table_takes_the_active_theme(dark):
    at = run(TRAFFIC, dark=dark)
    assert not at.exception
    colours = heat_backgrounds(at)
    assert colours, "the heatmap table is coloured"
    emptiest = max(colours, key=luminance) if not dark else min(colours, key=luminance)
    if dark:  # empty cells recede into the dark page instead of glowing white
        assert luminance(emptiest) < 0.05 and max(map(luminance, colours)) < 0.75
    else:
        assert luminance(emptiest) > 0.85


@pytest.mark.parametrize("dark", [False, True])
def test_the_explore_heatmap_charts_take_the_active_theme(dark):
    at = run(EXPLORE, dark=dark)
    assert not at.exception
    schemes = set()
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        scale = spec.get("encoding", {}).get("color", {}).get("scale", {})
        if "scheme" in scale:
            schemes.add(scale["scheme"])
    assert schemes == {theme.heat_scheme(dark)}


def figure_rows(node) -> list[int]:
    """How many columns each row of headline figures has (a row: a block whose columns hold metrics)."""
    children = list(getattr(node, "children", {}).values())
    if children and all(c.type == "column" for c in children) and any(c.get("metric") for c in children):
        return [len(children)]
    return [n for child in children for n in figure_rows(child)]


@pytest.mark.parametrize("app", [TRAFFIC, EXPLORE], ids=["traffic", "explore"])
def test_headline_figures_come_at_most_four_to_a_row(app):
    at = run(app)
    assert not at.exception
    assert len(at.metric) > 4
    rows = figure_rows(at.main)
    assert rows and set(rows) == {4}, rows  # never seven in a row, where a value is cut to "198.4…"
