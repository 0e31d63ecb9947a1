"""Bundled country geometry for the offline map: polygons keyed by ISO alpha-2 and one point per country.

Both files are built from Natural Earth 1:50m (public domain, via world-atlas) by
``scripts/build_country_geometry.py``; see its docstring for what was merged, split and hand-entered.
"""

from __future__ import annotations

import json
from functools import lru_cache

import pandas as pd

from dashboard.resources import COUNTRY_CENTROIDS, COUNTRY_SHAPES

COUNTRY_SHAPES_PATH = COUNTRY_SHAPES
CENTROIDS_PATH = COUNTRY_CENTROIDS
CENTROID_COLUMNS = ("country", "name", "lat", "lon")


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
