"""The offline world map: country choropleth, a heatmap at country centroids, optional city points (pdk.Deck),
and the bundled country geometry it draws.

The geometry files are built from Natural Earth 1:50m (public domain, via world-atlas) by
``scripts/build_country_geometry.py``; see its docstring for what was merged, split and hand-entered.
"""

from __future__ import annotations

import copy
import json
import math
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pydeck as pdk

from dashboard.render.theme import blend
from dashboard.resources import COUNTRY_CENTROIDS, COUNTRY_SHAPES
from dashboard.schema import is_country

COUNTRY_SHAPES_PATH = COUNTRY_SHAPES
CENTROIDS_PATH = COUNTRY_CENTROIDS
CENTROID_COLUMNS = ("country", "name", "lat", "lon")

# Sequential fill for countries with requests (yellow → orange → crimson, log scale), neutral for none.
MAP_STOPS = ("#fed976", "#fd8d3c", "#bd0026")
MAP_NEUTRAL = {False: (221, 224, 229, 255), True: (58, 63, 75, 255)}
MAP_LINE = {False: (255, 255, 255, 200), True: (24, 26, 32, 200)}
# The heat overlay is a cool ramp with rising alpha, so it reads as a layer over the warm choropleth.
MAP_HEAT_RANGE = (
    (158, 202, 225, 40),
    (107, 174, 214, 100),
    (66, 146, 198, 150),
    (33, 113, 181, 200),
    (8, 48, 107, 235),
)
MAP_CITY_COLOUR = (0, 150, 136, 220)
MAP_CITY_RADIUS = (3.0, 14.0)  # pixels for the smallest and largest point
MAP_HEAT_RADIUS = 45
MAP_VIEW = {"latitude": 20.0, "longitude": 0.0, "zoom": 0.8}
MAP_TOOLTIP = {"text": "{name}: {requests} requests"}
MAP_COUNTRY_LAYER = "countries"


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
        return json.dumps(spec, sort_keys=True, separators=(",", ":"))


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


def map_fill(requests: int, top: int, dark: bool) -> list[int]:
    """RGBA for a country: neutral without requests, else along MAP_STOPS by log(requests) / log(top)."""
    if requests <= 0:
        return list(MAP_NEUTRAL[dark])
    t = math.log1p(requests) / math.log1p(top) if top > 1 else 1.0
    return [*blend(MAP_STOPS, t), 230]


def country_features(shapes: dict, requests: pd.DataFrame, dark: bool) -> dict:
    """A new FeatureCollection whose properties add name, requests and fill (geometry shared, input untouched)."""
    top = int(requests["requests"].max()) if len(requests) else 0
    features = []
    for feature in shapes.get("features", []):
        properties = dict(feature.get("properties") or {})
        code = str(properties.get("country", ""))
        n = int(requests["requests"].get(code, 0))
        name = requests["name"].get(code) or properties.get("name") or code
        properties.update(name=str(name), requests=n, fill=map_fill(n, top, dark))
        features.append({**feature, "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def heat_points(requests: pd.DataFrame, centroids: pd.DataFrame) -> list[dict[str, Any]]:
    """One weighted point per country with requests, at its centroid."""
    located = requests.reset_index().merge(
        centroids.drop_duplicates("country")[["country", "name", "lat", "lon"]],
        on="country",
        how="inner",
        suffixes=("", "_centroid"),
    )
    return [
        {
            "country": str(row.country),
            "name": str(row.name or row.name_centroid),
            "lat": float(row.lat),
            "lon": float(row.lon),
            "requests": int(row.requests),
        }
        for row in located.itertuples(index=False)
    ]


def city_records(city_points: pd.DataFrame) -> list[dict[str, Any]]:
    """Points with lat, lon, requests (and a name for the tooltip), radius scaled by √requests."""
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
            "name": name,
            "lat": float(lat),
            "lon": float(lon),
            "requests": int(n),
            "radius": round(small + (large - small) * math.sqrt(float(n)) / top, 2),
        }
        for name, lat, lon, n in zip(names, points["lat"], points["lon"], points["requests"], strict=True)
    ]


def country_map(
    country_counts: pd.DataFrame,
    shapes: dict,
    centroids: pd.DataFrame,
    city_points: pd.DataFrame | None = None,
    dark: bool = False,
) -> pdk.Deck:
    """Offline world map: country choropleth, a heatmap at country centroids, optional city points.

    No basemap: ``map_provider=None`` with pydeck's default ``map_style`` serializes as the sentinel
    ``"__MAP_STYLE__"``, which Streamlit strips. Passing ``map_style=None`` instead makes Streamlit 1.67 add
    a Carto basemap fetched from the internet. The tooltip is text (never HTML): names come from the data.
    Geometry is sent once, in the country layer; the heatmap and points carry only coordinates.
    """
    requests = country_requests(country_counts)
    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            data=country_features(shapes, requests, dark),
            id=MAP_COUNTRY_LAYER,
            pickable=True,
            # deck.gl picks synchronously on pointer-down, and a click counts only if the pointer-up is handled
            # within 250 ms. With the border paths pickable, that pick took 0.8 s in software WebGL (Chromium
            # without a GPU), so clicks on the map never registered; polygon fills alone: 60 ms.
            _subLayerProps={"polygons-stroke": {"pickable": False}},
            stroked=True,
            filled=True,
            get_fill_color="properties.fill",
            get_line_color=list(MAP_LINE[dark]),
            line_width_min_pixels=0.5,
            auto_highlight=True,
        ),
        pdk.Layer(
            "HeatmapLayer",
            data=heat_points(requests, centroids),
            id="heat",
            get_position="[lon, lat]",
            get_weight="requests",
            radius_pixels=MAP_HEAT_RADIUS,
            color_range=[list(c) for c in MAP_HEAT_RANGE],
            opacity=0.7,
        ),
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
        initial_view_state=pdk.ViewState(**MAP_VIEW),
        views=[pdk.View("MapView", controller=True)],
        layers=layers,
        tooltip=dict(MAP_TOOLTIP),
    )


def picked_country(event: dict | None) -> str | None:
    """The alpha-2 code of the country clicked on ``country_map`` (a pydeck selection event), else None."""
    objects = ((event or {}).get("selection") or {}).get("objects") or {}
    for feature in objects.get(MAP_COUNTRY_LAYER) or []:
        code = ((feature or {}).get("properties") or {}).get("country")
        if isinstance(code, str) and code:
            return code
    return None
