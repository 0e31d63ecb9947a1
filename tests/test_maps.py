"""The world map's deck.gl JSON: geometry by URL (never re-sent), colours by class, legend, tooltips, picking."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pydeck as pdk
import pytest

from dashboard.render import map_scale, maps, theme

ROOT = Path(__file__).resolve().parents[1]
SHAPES_PATH = ROOT / "data" / "countries.geojson"
CENTROIDS_PATH = ROOT / "data" / "country_centroids.csv"
URL = "app/static/countries.geojson?v=abc"
XSS = "<img src=x onerror=alert(1)>"


def feature(code: str, name: str, lon: float, lat: float) -> dict:
    """A small square country."""
    ring = [[lon, lat], [lon + 1, lat], [lon + 1, lat + 1], [lon, lat + 1], [lon, lat]]
    return {
        "type": "Feature",
        "properties": {"country": code, "name": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


@pytest.fixture
def shapes() -> dict:
    """Four countries."""
    return {
        "type": "FeatureCollection",
        "features": [
            feature("DE", "Germany", 10, 50),
            feature("US", "United States", -100, 40),
            feature("FR", "France", 2, 46),
            feature("IS", "Iceland", -19, 64),
        ],
    }


@pytest.fixture
def centroids() -> pd.DataFrame:
    """Centroids for the fixture countries."""
    return pd.DataFrame(
        {
            "country": ["DE", "US", "FR", "IS"],
            "name": ["Germany", "United States", "France", "Iceland"],
            "lat": [51.1, 39.5, 46.6, 65.0],
            "lon": [10.4, -99.1, 2.5, -18.6],
        }
    )


@pytest.fixture
def country_counts() -> pd.DataFrame:
    """Requests per country as the view would pass them, with non-country labels mixed in."""
    return pd.DataFrame(
        {
            "country": ["US", "DE", "private", "FR", "unknown", "reserved"],
            "country_name": ["United States", XSS, "Private network", "France", "Unknown", "Reserved"],
            "requests": [1000, 50, 70, 3, 9, 1],
        }
    )


def deck_json(deck) -> dict:
    """The deck.gl JSON spec as Streamlit receives it."""
    return json.loads(deck.to_json())


def layer(spec: dict, layer_id: str) -> dict:
    return next(item for item in spec["layers"] if item["id"] == layer_id)


def evaluate(expression: str, code: str) -> list[int]:
    """What deck.gl's expression evaluator computes for a feature of ``code`` (the chained ternary only)."""
    body = expression.removeprefix("@@=")
    for branch in body.split(":"):
        if "?" not in branch:
            return json.loads(branch)
        test, colour = branch.split("?")
        if code in re.findall(r"properties\.country==='([A-Z]{2})'", test):
            return json.loads(colour)
    raise AssertionError("no default colour")


def test_map_layers_and_offline(country_counts: pd.DataFrame, centroids: pd.DataFrame) -> None:
    text = maps.country_map(country_counts, URL, centroids).to_json()
    spec = json.loads(text)
    assert [(item["@@type"], item["id"]) for item in spec["layers"]] == [
        ("GeoJsonLayer", "countries"),
        ("ScatterplotLayer", "heat"),
    ]
    # no basemap: mapProvider is dropped (None) and mapStyle is pydeck's sentinel, which Streamlit strips
    assert "mapProvider" not in spec
    assert spec["mapStyle"] == "__MAP_STYLE__"
    assert "cartocdn" not in text and "mapbox" not in text
    assert spec["initialViewState"]["zoom"] == maps.MAP_VIEW["zoom"]
    countries = layer(spec, "countries")
    assert countries["pickable"] is True
    # only the fills are picked: with the borders too, a click took longer than deck.gl's tap window
    assert countries["_subLayerProps"] == {"polygons-stroke": {"pickable": False}}
    assert countries["data"] == URL
    assert layer(spec, "heat")["pickable"] is True  # the circles carry the tooltip with the numbers
    assert "\n" not in text


def test_the_rerun_json_carries_no_polygons(country_counts: pd.DataFrame, centroids: pd.DataFrame) -> None:
    """Issue #14: the country geometry is fetched once by URL; a rerun sends only colours and circles."""
    everything = pd.DataFrame({"country": list(maps.load_centroids()["country"]), "requests": 1})
    everything["requests"] = np.arange(1, len(everything) + 1) * 37
    text = maps.country_map(everything, URL, maps.load_centroids()).to_json()
    assert '"coordinates"' not in text and "Polygon" not in text
    assert len(text) < 50_000  # the budget per slider rerun, with every country in the window


def test_fill_colours_match_the_classes(country_counts: pd.DataFrame, centroids: pd.DataFrame) -> None:
    spec = deck_json(maps.country_map(country_counts, URL, centroids))
    countries = layer(spec, "countries")
    expression = countries["getFillColor"]
    assert expression.startswith("@@=")
    classes = map_scale.map_classes(maps.country_requests(country_counts)["requests"])
    for code in ("US", "DE", "FR"):
        assert evaluate(expression, code) == list(map_scale.class_of(classes, code).colour)
    assert evaluate(expression, "IS") == list(map_scale.MAP_NEUTRAL[False])  # no requests
    us, fr = evaluate(expression, "US"), evaluate(expression, "FR")
    assert theme.luminance(tuple(us[:3])) < theme.luminance(tuple(fr[:3]))  # more traffic, darker (light theme)
    # deck.gl recomputes the colours only when the trigger changes: it follows the expression
    assert countries["updateTriggers"] == {"getFillColor": [map_scale.expression_key(expression.removeprefix("@@="))]}
    other = country_counts.assign(requests=[3, 50, 70, 1000, 9, 1])
    other_spec = deck_json(maps.country_map(other, URL, centroids))
    assert layer(other_spec, "countries")["updateTriggers"] != countries["updateTriggers"]


def test_inline_geometry_is_the_bundled_shapes_untouched(
    country_counts: pd.DataFrame, shapes: dict, centroids: pd.DataFrame
) -> None:
    before = copy.deepcopy(shapes)
    spec = deck_json(maps.country_map(country_counts, shapes, centroids))
    assert shapes == before
    assert layer(spec, "countries")["data"] == shapes  # no per-rerun properties: colours come from the expression


def test_heat_points_and_tooltips(country_counts: pd.DataFrame, centroids: pd.DataFrame) -> None:
    deck = maps.country_map(country_counts, URL, centroids)
    assert deck._tooltip == {"text": "{name}"}  # text, never HTML
    heat = layer(deck_json(deck), "heat")["data"]
    by_code = {p["country"]: p for p in heat}
    assert {code: p["requests"] for code, p in by_code.items()} == {"DE": 50, "US": 1000, "FR": 3}
    # shares are of every request given (non-countries included), as the top lists count them
    assert by_code["US"]["name"] == "United States: 1,000 requests · 88.3%"
    assert by_code["FR"]["name"] == "France: 3 requests · 0.3%"
    assert by_code["DE"]["name"].startswith(XSS)  # carried verbatim as data, shown by a text tooltip
    assert by_code["US"]["radius"] == maps.MAP_HEAT_RADIUS[1] > by_code["FR"]["radius"]
    big = maps.country_map(pd.DataFrame({"country": ["US", "FR"], "requests": [123_456, 1]}), URL, centroids)
    assert {p["name"] for p in layer(deck_json(big), "heat")["data"]} == {
        "United States: 123,456 requests · 100.0%",
        "France: 1 requests · <0.1%",
    }
    shares = maps.country_map(country_counts, URL, centroids, total=2000)
    assert layer(deck_json(shares), "heat")["data"][0]["name"].endswith(": 50 requests · 2.5%")
    assert maps.heat_points(maps.country_requests(country_counts), centroids, 2000)[0]["share"] == 50 / 2000


def test_map_excludes_non_countries(country_counts: pd.DataFrame, centroids: pd.DataFrame) -> None:
    text = maps.country_map(country_counts, URL, centroids).to_json()
    for label in ("private", "unknown", "reserved", "Private network"):
        assert label not in text


def test_map_dark_theme(country_counts: pd.DataFrame, centroids: pd.DataFrame) -> None:
    light = deck_json(maps.country_map(country_counts, URL, centroids, dark=False))
    dark = deck_json(maps.country_map(country_counts, URL, centroids, dark=True))
    assert evaluate(layer(dark, "countries")["getFillColor"], "IS") == list(map_scale.MAP_NEUTRAL[True])
    assert layer(light, "countries")["getLineColor"] != layer(dark, "countries")["getLineColor"]
    us = evaluate(layer(dark, "countries")["getFillColor"], "US")
    fr = evaluate(layer(dark, "countries")["getFillColor"], "FR")
    assert theme.luminance(tuple(us[:3])) > theme.luminance(tuple(fr[:3]))  # more traffic, brighter on dark
    assert maps.map_legend(country_counts, dark=True) != maps.map_legend(country_counts, dark=False)


def test_map_city_points(country_counts: pd.DataFrame, centroids: pd.DataFrame) -> None:
    cities = pd.DataFrame({"lat": [52.52, 48.86, float("nan")], "lon": [13.40, 2.35, 0.0], "requests": [4000, 100, 5]})
    spec = deck_json(maps.country_map(country_counts, URL, centroids, city_points=cities))
    cities_layer = spec["layers"][-1]
    assert (cities_layer["@@type"], cities_layer["id"], cities_layer["pickable"]) == (
        "ScatterplotLayer",
        "cities",
        True,
    )
    assert [p["requests"] for p in cities_layer["data"]] == [4000, 100]
    assert cities_layer["data"][0]["radius"] == maps.MAP_CITY_RADIUS[1] > cities_layer["data"][1]["radius"]
    assert cities_layer["data"][0]["name"] == "52.52, 13.40: 4,000 requests"


def test_map_with_no_requests(centroids: pd.DataFrame) -> None:
    empty = pd.DataFrame({"country": [], "country_name": [], "requests": []})
    spec = deck_json(maps.country_map(empty, URL, centroids))
    assert layer(spec, "countries")["getFillColor"] == "@@=[{},{},{},{}]".format(*map_scale.MAP_NEUTRAL[False])
    assert layer(spec, "heat")["data"] == []
    assert maps.map_legend(empty) == []


@pytest.mark.parametrize(
    ("values", "bounds"),
    [
        ([], []),
        ([5], [5]),
        ([7, 7, 7], [7]),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 3, 5, 7, 9]),
        ([150, 1234, 56_789, 2, 40], [2, 40, 150, 1200, 56_000]),
        ([0, 0, 3], [3]),
    ],
)
def test_class_bounds(values: list[int], bounds: list[int]) -> None:
    assert map_scale.class_bounds(np.array(values)) == bounds


def test_quantile_classes_spread_the_countries() -> None:
    """The old log scale painted 46 of 83 countries one orange: each class now holds about a fifth of them."""
    rng = np.random.default_rng(14)
    codes = maps.load_centroids()["country"].sample(83, random_state=14).tolist()
    requests = pd.Series((rng.pareto(0.8, 83) * 50 + 1).astype(np.int64), index=codes)
    classes = map_scale.map_classes(requests)
    assert len(classes) == map_scale.MAX_CLASSES
    sizes = [len(c.countries) for c in classes]
    assert sum(sizes) == 83 and max(sizes) <= 83 // 5 + 6
    assert sorted(code for c in classes for code in c.countries) == sorted(codes)
    for c in classes:
        assert all(c.lower <= requests[code] <= c.upper for code in c.countries)
    assert [c.lower for c in classes] == sorted({c.lower for c in classes})
    assert len({c.colour for c in classes}) == len(classes)
    rows = map_scale.legend(classes)
    assert [r["countries"] for r in rows] == sizes
    assert rows[0]["label"] == f"{classes[0].lower:,}–{classes[0].upper:,}"
    assert all(re.fullmatch(r"#[0-9a-f]{6}", r["colour"]) for r in rows)
    assert rows[-1]["label"].endswith(f"{int(requests.max()):,}")


def test_expression_never_carries_anything_but_codes() -> None:
    hostile = [map_scale.MapClass(1, 2, (1, 2, 3, 4), ("US", "x'||1", "D'E"))]
    expression = map_scale.fill_expression(hostile)
    assert expression == "properties.country==='US'?[1,2,3,4]:[221,224,229,255]"


def test_map_with_bundled_geometry() -> None:
    # the geometry ships with the package: a missing file is a failure, not a skip
    assert maps.COUNTRY_SHAPES_PATH == SHAPES_PATH and maps.CENTROIDS_PATH == CENTROIDS_PATH
    shapes, centroids = maps.load_country_shapes(), maps.load_centroids()
    before = json.dumps(shapes, sort_keys=True)
    table = pd.DataFrame({"country": ["DE", "US", "FR", "private", "unknown"], "requests": [3, 3, 1, 1, 1]})
    table["country_name"] = table["country"]
    text = maps.country_map(table, shapes, centroids, dark=True).to_json()
    assert json.dumps(maps.load_country_shapes(), sort_keys=True) == before  # the shared cached dict
    spec = json.loads(text)
    assert {p["country"]: p["requests"] for p in layer(spec, "heat")["data"]} == {"US": 3, "DE": 3, "FR": 1}
    assert text.count('"coordinates"') == len(shapes["features"])
    assert len(text) < 1.2 * SHAPES_PATH.stat().st_size


def test_compact_deck_is_pydecks_own_spec_without_whitespace(
    country_counts: pd.DataFrame, shapes: dict, centroids: pd.DataFrame
) -> None:
    cities = pd.DataFrame({"lat": [52.52], "lon": [13.40], "requests": [4]})
    deck = maps.country_map(country_counts, shapes, centroids, city_points=cities)
    data = [copy.deepcopy(item.data) for item in deck.layers]
    text = deck.to_json()
    assert json.loads(text) == json.loads(pdk.Deck.to_json(deck))  # pydeck's public, indented serialization
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert [item.data for item in deck.layers] == data  # serializing leaves the deck as it was


def test_geometry_url_only_for_the_bundled_file(tmp_path: Path) -> None:
    assert maps.geometry_url(None) is None
    assert maps.geometry_url(tmp_path) is None  # no static copy: inline geometry
    (tmp_path / maps.STATIC_NAME).write_bytes(SHAPES_PATH.read_bytes())
    url = maps.geometry_url(tmp_path)
    assert url is not None and url.startswith("app/static/countries.geojson?v=")
    assert maps.geometry_url(ROOT / "static") == url  # the checkout's static copy is the bundled file
    (tmp_path / maps.STATIC_NAME).write_bytes(SHAPES_PATH.read_bytes()[:-2] + b"\n")
    assert maps.geometry_url(tmp_path) is None  # a stale copy is never served


@pytest.mark.parametrize(
    ("width", "zoom"), [(None, maps.MAP_VIEW["zoom"]), (1400, maps.MAP_VIEW["zoom"]), (360, -0.509)]
)
def test_fit_view_zooms_out_on_narrow_maps(width: float | None, zoom: float) -> None:
    view = maps.fit_view(width)
    assert view["zoom"] == zoom
    assert maps.WORLD_PX * 2 ** view["zoom"] <= (width or 10_000)  # the whole world's width fits


FEATURE_US = {"type": "Feature", "properties": {"country": "US", "name": "United States"}, "geometry": None}


@pytest.mark.parametrize(
    ("event", "code"),
    [
        ({"selection": {"indices": {"countries": [228]}, "objects": {"countries": [FEATURE_US]}}}, "US"),
        ({"selection": {"indices": {"heat": [3]}, "objects": {"heat": [{"country": "FR", "name": "x"}]}}}, "FR"),
        ({"selection": {"indices": {}, "objects": {}}}, None),  # a click on the sea, or the same country again
        ({"selection": {"indices": {"cities": [0]}, "objects": {"cities": [{"name": "Paris"}]}}}, None),
        ({"selection": {"objects": {"countries": [{"properties": {}}]}}}, None),
        ({"selection": {"objects": {"countries": [{"properties": {"country": "x'"}}]}}}, None),
        ({"selection": {"objects": {"countries": [None]}}}, None),
        ({}, None),
        (None, None),
    ],
)
def test_picked_country(event: dict | None, code: str | None) -> None:
    assert maps.picked_country(event) == code


def test_the_report_map_colours_countries_as_the_page_map_does():
    """One scale for both maps: the report's inline SVG fills each country with its class on the page."""
    import re

    from dashboard.render.worldmap import world_svg

    totals = pd.DataFrame({"country": ["US", "DE", "FR", "BR", "JP", "IN"], "requests": [9000, 700, 650, 40, 8, 3]})
    classes = map_scale.map_classes(totals.set_index("country")["requests"])
    svg = world_svg(totals)
    for code, name in (("US", "United States"), ("DE", "Germany"), ("IN", "India")):
        fill = re.search(rf'fill="(#[0-9a-f]{{6}})"><title>{name}: ', svg).group(1)
        assert fill == map_scale.class_of(classes, code).hex
    assert all(c.label in svg for c in classes)  # the legend reads as the page's
