"""The report's world map: an inline SVG choropleth of requests per country, drawn from the bundled geometry.

No network and no JavaScript: an equirectangular projection of the same country shapes as the page's map
(``maps.load_country_shapes``), coordinates rounded to whole pixels and repeated points dropped (about 90 KB),
filled on the page map's classed colour scale, with each country's figure in its ``<title>`` tooltip.
"""

from __future__ import annotations

import html
import itertools
from functools import lru_cache

import pandas as pd

from dashboard.render.map_scale import MAP_NEUTRAL, map_classes
from dashboard.render.maps import load_country_shapes

WIDTH = 960
LAT_TOP, LAT_BOTTOM = 84.0, -58.0  # Antarctica left out: it has no visitors and would take a fifth of the map
HEIGHT = round(WIDTH * (LAT_TOP - LAT_BOTTOM) / 360)
LEGEND_WIDTH = 200
STROKE = "#ffffff"
DOT_RADIUS = 2


def project(lon: float, lat: float) -> tuple[int, int]:
    """Equirectangular pixel of a point (latitudes clipped to the drawn band)."""
    lat = min(max(lat, LAT_BOTTOM), LAT_TOP)
    return round((lon + 180) / 360 * WIDTH), round((LAT_TOP - lat) / (LAT_TOP - LAT_BOTTOM) * HEIGHT)


def ring_path(ring: list[list[float]]) -> str:
    """One closed ring as relative SVG path commands, repeated pixels dropped ('' below a triangle)."""
    points: list[tuple[int, int]] = []
    for lon, lat, *_ in ring:
        point = project(lon, lat)
        if not points or point != points[-1]:
            points.append(point)
    if len(set(points)) < 3:
        return ""
    steps = " ".join(f"{x - px} {y - py}" for (px, py), (x, y) in itertools.pairwise(points))
    return f"M{points[0][0]} {points[0][1]}l{steps}z"


def dot_path(lon: float, lat: float) -> str:
    """A country too small to draw at this scale (Singapore, Malta…): a dot of DOT_RADIUS pixels."""
    x, y = project(lon, lat)
    r = DOT_RADIUS
    return f"M{x - r} {y}a{r} {r} 0 1 0 {2 * r} 0a{r} {r} 0 1 0 {-2 * r} 0z"


@lru_cache(maxsize=1)
def country_paths() -> dict[str, tuple[str, str]]:
    """Country code → (name, SVG path data), projected once."""
    paths: dict[str, tuple[str, str]] = {}
    for feature in load_country_shapes()["features"]:
        code, name = feature["properties"]["country"], feature["properties"]["name"]
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        if all(point[1] < LAT_BOTTOM for polygon in polygons for ring in polygon for point in ring):
            continue  # wholly south of the drawn band (Antarctica)
        data = "".join(ring_path(ring) for polygon in polygons for ring in polygon)
        paths[code] = (name, data or dot_path(*polygons[0][0][0][:2]))
    return paths


def _hex(colour: tuple[int, ...]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour[:3])


def world_svg(country_totals: pd.DataFrame, title: str = "Requests by country") -> str:
    """The SVG element: one path per country (tooltip: name and requests), coloured by the page map's classes
    (``map_scale``: the same quantile classes and legend as the app's map)."""
    counts: dict[str, int] = {}
    if len(country_totals):
        counts = dict(zip(country_totals["country"].astype(str), country_totals["requests"].astype(int), strict=True))
    classes = map_classes(pd.Series(counts, dtype="int64"))
    colour = {code: c.hex for c in classes for code in c.countries}
    neutral = _hex(MAP_NEUTRAL[False])
    shapes = []
    for code, (name, data) in country_paths().items():
        n = counts.get(code, 0)
        tip = html.escape(f"{name}: {n:,} requests")
        shapes.append(f'<path d="{data}" fill="{colour.get(code, neutral)}"><title>{tip}</title></path>')
    legend_y = HEIGHT + 8
    swatch = LEGEND_WIDTH // max(len(classes), 1)
    legend = "".join(
        f'<rect x="{i * swatch}" y="{legend_y}" width="{swatch - 2}" height="10" fill="{c.hex}"/>'
        f'<text x="{i * swatch}" y="{legend_y + 24}" font-size="10">{html.escape(c.label)}</text>'
        for i, c in enumerate(classes)
    )
    legend += f'<text x="{LEGEND_WIDTH + 10}" y="{legend_y + 9}" font-size="11">requests</text>'
    return (
        f'<svg class="worldmap" viewBox="0 0 {WIDTH} {HEIGHT + 40}" '
        f'role="img" aria-label="{html.escape(title)}"><title>{html.escape(title)}</title>'
        f'<g stroke="{STROKE}" stroke-width="0.4" stroke-linejoin="round">{"".join(shapes)}</g>{legend}</svg>'
    )
