"""The bundled country shapes and representative points."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pycountry
import pytest

from dashboard.enrich.geo import country_name
from dashboard.render.maps import (
    CENTROID_COLUMNS,
    CENTROIDS_PATH,
    COUNTRY_SHAPES_PATH,
    load_centroids,
    load_country_shapes,
)
from dashboard.schema import is_country

# Where each representative point must land: (south, north, west, east), a box around the main territory,
# tighter than the whole feature (the US without Alaska and Hawaii, France without its overseas parts).
EXPECTED_BOXES = {
    "US": (25.0, 49.0, -125.0, -67.0),
    "FR": (42.3, 51.1, -4.8, 8.2),
    "RU": (50.0, 75.0, 30.0, 140.0),
    "NO": (58.0, 71.0, 4.5, 31.0),
    "NZ": (-47.0, -34.0, 166.0, 179.0),
    "FJ": (-19.5, -16.0, 177.0, 180.0),
    "CL": (-56.0, -17.5, -76.0, -66.5),
    "GB": (49.9, 59.0, -8.0, 1.8),
    "CA": (42.0, 83.0, -141.0, -52.0),
    "AU": (-39.5, -10.5, 113.0, 154.0),
    "JP": (30.0, 46.0, 129.0, 146.0),
    "ID": (-11.0, 6.0, 95.0, 141.0),
    "HR": (42.4, 46.6, 13.5, 19.5),
    "IT": (36.6, 47.1, 6.6, 18.6),
    "SG": (1.2, 1.5, 103.6, 104.1),
    "HK": (22.1, 22.6, 113.8, 114.5),
    "GF": (2.1, 5.8, -54.7, -51.6),
    "RE": (-21.4, -20.8, 55.2, 55.9),
    "SJ": (74.0, 81.0, -9.5, 34.0),
    "XK": (41.8, 43.3, 20.0, 21.8),
    "NA": (-29.0, -17.0, 11.5, 25.5),
    "ZA": (-35.0, -22.0, 16.0, 33.0),
    "BR": (-34.0, 5.5, -74.0, -34.5),
}
# Small places that 110m maps miss but 1:50m has.
SMALL_PLACES = ("SG", "HK", "MO", "BH", "MT", "LI", "AD", "MC", "SM", "VA", "MV", "BB", "LC", "XK")
# Codes the source draws as part of another country, split out by the build script.
SPLIT_PARTS = ("GF", "GP", "MQ", "RE", "YT", "BQ", "SJ", "TK", "CX", "CC")


def test_files_are_bundled_and_small():
    assert COUNTRY_SHAPES_PATH.is_file() and CENTROIDS_PATH.is_file()
    assert COUNTRY_SHAPES_PATH.stat().st_size < 3_000_000


def test_shapes_keyed_by_unique_alpha2():
    shapes = load_country_shapes()
    assert shapes["type"] == "FeatureCollection"
    codes = [feature["properties"]["country"] for feature in shapes["features"]]
    assert len(codes) >= 200
    assert len(set(codes)) == len(codes)
    assert all(is_country(code) for code in codes)
    assert {*SMALL_PLACES, *SPLIT_PARTS} <= set(codes)
    assert load_country_shapes() is shapes  # cached


def test_shape_names_follow_geo():
    for feature in load_country_shapes()["features"]:
        properties = feature["properties"]
        assert properties["name"] == country_name(properties["country"])


def polygons_of(feature: dict) -> list[list[list[list[float]]]]:
    """The feature's polygons, whether it is a Polygon or a MultiPolygon."""
    geometry = feature["geometry"]
    assert geometry["type"] in ("Polygon", "MultiPolygon")
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def test_rings_are_planar_and_closed():
    for feature in load_country_shapes()["features"]:
        for polygon in polygons_of(feature):
            for index, ring in enumerate(polygon):
                points = np.array(ring)
                assert len(points) >= 4 and (points[0] == points[-1]).all()
                assert (np.abs(points[:, 0]) <= 180).all() and (np.abs(points[:, 1]) <= 90).all()
                x, y = points[:, 0], points[:, 1]
                area = np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1])
                assert (area > 0) == (index == 0), feature["properties"]["country"]  # RFC 7946 winding
                # No edge jumps across the antimeridian, except Antarctica's edge along the pole line.
                jumps = np.abs(np.diff(x)) > 180
                assert (points[1:][jumps, 1] < -89).all(), feature["properties"]["country"]


def test_centroid_table():
    centroids = load_centroids()
    assert tuple(centroids.columns) == CENTROID_COLUMNS
    assert centroids["country"].is_unique
    assert centroids["lat"].between(-90, 90).all() and centroids["lon"].between(-180, 180).all()
    assert centroids.notna().all().all()
    assert centroids["country"].map(is_country).all()
    shape_codes = {feature["properties"]["country"] for feature in load_country_shapes()["features"]}
    assert shape_codes <= set(centroids["country"])
    assert {country.alpha_2 for country in pycountry.countries} <= set(centroids["country"])
    assert (centroids["name"] == centroids["country"].map(country_name)).all()
    centroids.loc[0, "lat"] = 0.0
    assert load_centroids().loc[0, "lat"] != 0.0  # each call gets its own copy


@pytest.mark.parametrize(("code", "box"), EXPECTED_BOXES.items(), ids=EXPECTED_BOXES)
def test_centroid_lands_in_main_territory(code: str, box: tuple[float, float, float, float]):
    row = load_centroids().set_index("country").loc[code]
    south, north, west, east = box
    assert south <= row["lat"] <= north and west <= row["lon"] <= east


def inside(polygon: list[list[list[float]]], lon: float, lat: float) -> bool:
    """Even-odd point-in-polygon test over all rings."""
    crossings = 0
    for ring in polygon:
        points = np.array(ring)
        start, end = points[:-1], points[1:]
        edges = (start[:, 1] > lat) != (end[:, 1] > lat)
        (x0, y0), (x1, y1) = start[edges].T, end[edges].T
        xs = x0 + (lat - y0) * (x1 - x0) / (y1 - y0)
        crossings += int(np.count_nonzero(xs > lon))
    return crossings % 2 == 1


def test_every_centroid_lies_on_its_country():
    points = load_centroids().set_index("country")
    for feature in load_country_shapes()["features"]:
        code = feature["properties"]["country"]
        lat, lon = points.loc[code, ["lat", "lon"]]
        assert any(inside(polygon, lon, lat) for polygon in polygons_of(feature)), code


def vertices(code: str) -> set[tuple[float, float]]:
    feature = next(f for f in load_country_shapes()["features"] if f["properties"]["country"] == code)
    return {tuple(point) for polygon in polygons_of(feature) for ring in polygon for point in ring}


def test_shapes_are_simplified_with_shared_borders():
    total = sum(len(vertices(f["properties"]["country"])) for f in load_country_shapes()["features"])
    assert total < 40_000  # 99.5k at full 1:50m detail; the map is re-sent on every rerun
    # Simplified per shared arc, not per country: neighbours still meet on common points.
    for a, b in (("DE", "PL"), ("FR", "ES"), ("US", "CA"), ("AR", "CL")):
        assert len(vertices(a) & vertices(b)) >= 5, (a, b)
    for enclave, around in (("SM", "IT"), ("VA", "IT"), ("LS", "ZA")):  # the hole matches the enclave exactly
        assert vertices(enclave) <= vertices(around), enclave


def test_the_served_copy_is_the_bundled_file():
    """static/ (served by Streamlit, fetched once by the browser) holds the bundled geometry byte for byte."""
    served = Path(__file__).resolve().parents[1] / "static" / COUNTRY_SHAPES_PATH.name
    assert served.read_bytes() == COUNTRY_SHAPES_PATH.read_bytes()
