"""The offline world map: classed country fills, glowing circles for the heat, optional city points (pdk.Deck),
and the bundled country geometry it draws.

The geometry files are built from Natural Earth 1:50m (public domain, via world-atlas) by
``scripts/build_country_geometry.py``; see its docstring for what was merged, split and hand-entered. The app
serves the same file once as a static file (``static/``): the deck then names its URL, the browser fetches and
keeps it, and each rerun sends only the colours and the circles. Without static serving the geometry is inline.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pydeck as pdk

from dashboard.render.map_scale import expression_key, fill_expression, legend, map_classes
from dashboard.resources import COUNTRY_CENTROIDS, COUNTRY_SHAPES
from dashboard.schema import is_country

COUNTRY_SHAPES_PATH = COUNTRY_SHAPES
CENTROIDS_PATH = COUNTRY_CENTROIDS
CENTROID_COLUMNS = ("country", "name", "lat", "lon")
# Served by Streamlit (server.enableStaticServing) from static/ beside app.py: a byte-for-byte copy of the bundled
# file (tests/test_geometry.py checks it; scripts/build_country_geometry.py writes both).
STATIC_NAME = COUNTRY_SHAPES.name
STATIC_ROUTE = "app/static/"

MAP_LINE = {False: (255, 255, 255, 200), True: (24, 26, 32, 200)}
# The heat is glowing circles at country centroids, area ∝ requests: a cool colour over the warm fills. A deck.gl
# HeatmapLayer blocked the browser's main thread for 1.7–2.8 s per rerun in software WebGL (bench/map_layers_bench.py).
MAP_HEAT_STYLE = "halo"
MAP_HEAT_FILL = {False: (33, 113, 181, 70), True: (107, 174, 214, 70)}
MAP_HEAT_LINE = {False: (8, 48, 107, 220), True: (198, 219, 239, 220)}
MAP_HEAT_RADIUS = (3.0, 22.0)  # pixels for the smallest and largest circle
HALO_KEYS = ("country", "name", "requests", "radius")  # what a circle carries besides its position
MAP_HEAT_RANGE = (
    (158, 202, 225, 40),
    (107, 174, 214, 100),
    (66, 146, 198, 150),
    (33, 113, 181, 200),
    (8, 48, 107, 235),
)
MAP_CITY_COLOUR = (0, 150, 136, 220)
MAP_CITY_RADIUS = (3.0, 14.0)  # pixels for the smallest and largest point
MAP_VIEW = {"latitude": 20.0, "longitude": 0.0, "zoom": 0.8}
# Text, never HTML: names come from the data. Countries carry only their name (the shared geometry); the circles
# and city points carry a formatted "name: requests · share" in their own ``name``.
MAP_TOOLTIP = {"text": "{name}"}
MAP_COUNTRY_LAYER = "countries"
MAP_HEAT_LAYER = "heat"
MAP_HEIGHT = 480
# The world fits a map this wide at MAP_VIEW's zoom; a narrower one zooms out (see fit_view).
WORLD_PX = 512
WORLD_LATITUDES = (-58.0, 78.0)  # the band a fitted view must show (inhabited land)


@lru_cache(maxsize=1)
def load_country_shapes() -> dict:
    """The GeoJSON FeatureCollection (``properties``: country, name), parsed once and shared: don't mutate."""
    return json.loads(COUNTRY_SHAPES_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _read_centroids() -> pd.DataFrame:
    """The centroids file as read once; ``keep_default_na=False`` keeps Namibia's "NA" a code."""
    return pd.read_csv(
        CENTROIDS_PATH,
        dtype={"country": str, "name": str, "lat": "float64", "lon": "float64"},
        keep_default_na=False,
        na_values=[],
    )


def load_centroids() -> pd.DataFrame:
    """One representative point per country: columns country, name, lat, lon (a fresh copy per call)."""
    return _read_centroids().copy()


class CompactDeck(pdk.Deck):
    """A ``pdk.Deck`` whose ``to_json`` is not indented: pydeck's indent=2 makes country shapes ~6x larger."""

    def to_json(self) -> str:
        """The deck.gl JSON spec without whitespace (what ``st.pydeck_chart`` sends to the browser).

        pydeck's own ``to_json`` indents, which makes ``json`` fall back to its pure-Python encoder (~5x slower
        on the shapes). So the deck is serialized by pydeck without its layers' data, which is plain JSON
        (dicts and lists built here), and the data is put back and encoded compactly.
        """
        bare = copy.copy(self)
        bare.layers = [copy.copy(layer) for layer in self.layers]
        for layer in bare.layers:
            layer.data = None
        spec = json.loads(pdk.Deck.to_json(bare))
        for layer_spec, layer in zip(spec["layers"], self.layers, strict=True):
            if layer.data is not None:
                layer_spec["data"] = layer.data
        return json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)  # "·" is 2 bytes, not 6


@lru_cache(maxsize=4)
def _digest(path: Path, size: int, mtime_ns: int) -> str:
    """SHA-1 of a file's bytes, recomputed only when its size or modification time changes."""
    return hashlib.sha1(path.read_bytes()).hexdigest()


def file_digest(path: Path) -> str | None:
    """The file's SHA-1, or None when it does not exist."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _digest(path, stat.st_size, stat.st_mtime_ns)


def geometry_url(static_dir: Path | None) -> str | None:
    """The URL Streamlit serves the country geometry at, when ``static_dir`` holds the bundled file unchanged.

    None (draw the geometry inline) when there is no static folder (an installed wheel runs no app.py beside
    one) or its copy differs from the bundled file. The digest in the query makes a changed file a new URL.
    """
    if static_dir is None:
        return None
    served, bundled = file_digest(static_dir / STATIC_NAME), file_digest(COUNTRY_SHAPES_PATH)
    if served is None or served != bundled:
        return None
    return f"{STATIC_ROUTE}{STATIC_NAME}?v={served[:12]}"


def country_requests(country_counts: pd.DataFrame) -> pd.DataFrame:
    """Requests and name per real country (non-country labels dropped, duplicates summed)."""
    table = pd.DataFrame(
        {
            "country": country_counts["country"].astype(str).to_numpy(),
            "name": (
                country_counts["country_name"].astype(object).fillna("").astype(str).to_numpy()
                if "country_name" in country_counts
                else ""
            ),
            "requests": country_counts["requests"].to_numpy().astype(np.int64),
        }
    )
    table = table[table["country"].map(is_country).astype(bool) & (table["requests"] > 0)]
    return table.groupby("country", sort=True).agg(name=("name", "first"), requests=("requests", "sum"))


def share_text(share: float) -> str:
    """A share as the tooltip reads it: one decimal, '<0.1%' rather than a misleading '0.0%'."""
    return "<0.1%" if 0 < share < 0.001 else f"{share:.1%}"


def heat_points(requests: pd.DataFrame, centroids: pd.DataFrame, total: int | None = None) -> list[dict[str, Any]]:
    """One point per country with requests, at its centroid: requests, share of ``total``, circle radius, tooltip.

    ``name`` is the tooltip line ("France: 1,234 requests · 5.6%"), as the map's one text tooltip shows it.
    """
    located = requests.reset_index().merge(
        centroids.drop_duplicates("country")[["country", "name", "lat", "lon"]],
        on="country",
        how="inner",
        suffixes=("", "_centroid"),
    )
    if located.empty:
        return []
    total = max(int(total if total is not None else requests["requests"].sum()), 1)
    top = math.sqrt(float(located["requests"].max()))
    small, large = MAP_HEAT_RADIUS
    points = []
    for row in located.itertuples(index=False):
        share = int(row.requests) / total
        name = str(row.name or row.name_centroid)
        points.append(
            {
                "country": str(row.country),
                "name": f"{name}: {int(row.requests):,} requests · {share_text(share)}",
                "lat": float(row.lat),
                "lon": float(row.lon),
                "requests": int(row.requests),
                "share": round(share, 6),
                "radius": round(small + (large - small) * math.sqrt(float(row.requests)) / top, 2),
            }
        )
    return points


def city_records(city_points: pd.DataFrame) -> list[dict[str, Any]]:
    """Points with lat, lon, requests and a tooltip ``name``, radius scaled by √requests."""
    points = city_points.dropna(subset=["lat", "lon"])
    points = points[points["requests"] > 0]
    if points.empty:
        return []
    top = math.sqrt(float(points["requests"].max()))
    small, large = MAP_CITY_RADIUS
    names = (
        points["name"].astype(str).tolist()
        if "name" in points
        else [f"{lat:.2f}, {lon:.2f}" for lat, lon in zip(points["lat"], points["lon"], strict=True)]
    )
    return [
        {
            "name": f"{name}: {int(n):,} requests",
            "lat": float(lat),
            "lon": float(lon),
            "requests": int(n),
            "radius": round(small + (large - small) * math.sqrt(float(n)) / top, 2),
        }
        for name, lat, lon, n in zip(names, points["lat"], points["lon"], points["requests"], strict=True)
    ]


def halo_points(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The heat points as the circles need them, re-sent at every slider step: a position to 0.01° (a centroid
    at world zoom), no share (the tooltip ``name`` says it)."""
    return [{k: p[k] for k in HALO_KEYS} | {"position": [round(p["lon"], 2), round(p["lat"], 2)]} for p in points]


def heat_layer(points: list[dict[str, Any]], dark: bool, style: str | None = None) -> pdk.Layer:
    """The heat over the fills; ``style`` names one of the candidates bench/map_layers_bench.py compares."""
    style = style or MAP_HEAT_STYLE
    common = {"data": points, "id": MAP_HEAT_LAYER, "get_position": "[lon, lat]"}
    ramp = [list(c) for c in MAP_HEAT_RANGE]
    if style == "halo":
        common |= {"data": halo_points(points), "get_position": "position"}
        return pdk.Layer(
            "ScatterplotLayer",
            **common,
            pickable=True,
            get_radius="radius",
            radius_units="pixels",
            get_fill_color=list(MAP_HEAT_FILL[dark]),
            stroked=True,
            get_line_color=list(MAP_HEAT_LINE[dark]),
            line_width_min_pixels=1,
        )
    if style in ("heatmap", "heatmap_small"):
        small = style == "heatmap_small"
        sizes = {"radius_pixels": 25, "weights_texture_size": 256} if small else {"radius_pixels": 45}
        return pdk.Layer("HeatmapLayer", **common, get_weight="requests", color_range=ramp, opacity=0.7, **sizes)
    if style == "screengrid":
        return pdk.Layer("ScreenGridLayer", **common, get_weight="requests", cell_size_pixels=24, color_range=ramp)
    if style == "column":
        return pdk.Layer(
            "ColumnLayer",
            **common,
            pickable=True,
            get_elevation=0,
            radius=150_000,
            extruded=False,
            get_fill_color="[33, 113, 181, 60 + 160 * share]",
        )
    raise ValueError(f"unknown heat style {style!r}")


def country_layer(geometry: str | dict, classes: list, dark: bool, borders: bool = True) -> pdk.Layer:
    """Country polygons from a URL (fetched once by the browser) or inline, filled by class; ``borders``
    outlines them (see ``country_map`` for when they are left out)."""
    fill = fill_expression(classes, dark)
    return pdk.Layer(
        "GeoJsonLayer",
        data=geometry,
        id=MAP_COUNTRY_LAYER,
        pickable=True,
        # deck.gl picks synchronously on pointer-down, and a click counts only if the pointer-up is handled
        # within 250 ms. With the border paths pickable, that pick took 0.8 s in software WebGL (Chromium
        # without a GPU), so clicks on the map never registered; polygon fills alone: 60 ms.
        _subLayerProps={"polygons-stroke": {"pickable": False}},
        stroked=borders,
        filled=True,
        get_fill_color=fill,
        # deck.gl recomputes an accessor's colours only when its trigger changes, not when the expression does
        update_triggers={"getFillColor": [expression_key(fill)]},
        get_line_color=list(MAP_LINE[dark]),
        line_width_min_pixels=0.5,
        auto_highlight=True,
    )


def fit_view(width_px: float | None) -> dict[str, float]:
    """The initial view: MAP_VIEW, zoomed out so the whole world is as wide as a narrower map."""
    view = dict(MAP_VIEW)
    if width_px and width_px > 0:
        view["zoom"] = min(view["zoom"], math.floor(1000 * math.log2(width_px / WORLD_PX)) / 1000)
    return view


def country_map(
    country_counts: pd.DataFrame,
    geometry: str | dict,
    centroids: pd.DataFrame,
    city_points: pd.DataFrame | None = None,
    dark: bool = False,
    total: int | None = None,
    width_px: float | None = None,
    borders: bool = True,
) -> pdk.Deck:
    """Offline world map: classed country fills, glowing circles at country centroids, optional city points.

    ``borders=False`` leaves the country outlines out: in software WebGL (a browser without a GPU) the border
    paths (32k segments) took 1.4 s of every redraw, and the map redraws at each slider step; the fills 0.1 s.

    ``geometry`` is the URL of the static country file (``geometry_url``) or the FeatureCollection itself; either
    way each feature is coloured by a ``properties.country`` expression, so the geometry is never rewritten.
    Shares are of ``total`` requests (default: every row of ``country_counts``, non-countries included).
    No basemap: ``map_provider=None`` with pydeck's default ``map_style`` serializes as the sentinel
    ``"__MAP_STYLE__"``, which Streamlit strips. Passing ``map_style=None`` instead makes Streamlit 1.67 add
    a Carto basemap fetched from the internet.
    """
    requests = country_requests(country_counts)
    if total is None:
        total = int(pd.to_numeric(country_counts["requests"]).sum()) if len(country_counts) else 0
    layers = [
        country_layer(geometry, map_classes(requests["requests"], dark), dark, borders),
        heat_layer(heat_points(requests, centroids, total), dark),
    ]
    if city_points is not None:
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                data=city_records(city_points),
                id="cities",
                pickable=True,
                get_position="[lon, lat]",
                get_radius="radius",
                radius_units="pixels",
                get_fill_color=list(MAP_CITY_COLOUR),
                stroked=True,
                get_line_color=list(MAP_LINE[dark]),
                line_width_min_pixels=1,
            )
        )
    return CompactDeck(
        map_provider=None,
        initial_view_state=pdk.ViewState(**fit_view(width_px), min_zoom=-2),
        views=[pdk.View("MapView", controller=True)],
        layers=layers,
        tooltip=dict(MAP_TOOLTIP),
    )


def map_legend(country_counts: pd.DataFrame, dark: bool = False) -> list[dict]:
    """The legend of ``country_map`` for the same counts: label, colour and number of countries per class."""
    return legend(map_classes(country_requests(country_counts)["requests"], dark))


def picked_country(event: dict | None) -> str | None:
    """The alpha-2 code of the country clicked on ``country_map`` (its fill or its circle), else None."""
    objects = ((event or {}).get("selection") or {}).get("objects") or {}
    for layer in (MAP_COUNTRY_LAYER, MAP_HEAT_LAYER):
        for item in objects.get(layer) or []:
            item = item or {}
            code = (item.get("properties") or {}).get("country") if layer == MAP_COUNTRY_LAYER else item.get("country")
            if isinstance(code, str) and is_country(code):
                return code
    return None
