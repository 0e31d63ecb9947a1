"""Convert world-atlas ``countries-50m.json`` (TopoJSON) into the map's bundled country geometry.

A one-off converter, rerun by hand only when the source changes (stdlib, numpy and pycountry only)::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz package/countries-50m.json
    python scripts/build_country_geometry.py package/countries-50m.json

Source: Natural Earth 1:50m admin-0 countries (public domain) as packaged by world-atlas 2.0.2 (ISC, see
``data/licenses/world-atlas-LICENSE.txt``). Writes, into ``data/`` unless ``--out-dir`` says otherwise:

- ``countries.geojson``: a FeatureCollection, one feature per ISO 3166-1 alpha-2 code, sorted by code, with
  ``properties: {"country": "US", "name": "United States"}`` (names as ``dashboard.enrich.geo.country_name``).
- ``country_centroids.csv``: ``country,name,lat,lon``, a representative point per country.
- ``static/countries.geojson`` (when writing into ``data/``): the same bytes as ``countries.geojson``, served by
  the app as a static file so the browser fetches the geometry once rather than on every rerun.

What the conversion does and decides:

- Decodes the quantized, delta-encoded arcs (``transform`` scale/translate; arc ``~i`` is arc ``i``
  reversed) and stitches them into rings.
- Keys features by alpha-2 through pycountry's numeric codes. Features without an ISO id: Kosovo → ``XK``
  (the code GeoIP databases use); Somaliland → ``SO`` and N. Cyprus → ``CY``, merged into the country
  ISO 3166 (and so IP registries) places them in, so the map has no holes; "Indian Ocean Ter." → ``CX``
  and ``CC``; Siachen Glacier (disputed, no code) is dropped. Ashmore and Cartier Is. shares Australia's
  id and is merged into ``AU``.
- Splits overseas parts that have their own ISO code (and their own rows in GeoIP databases) out of their
  sovereign's feature, by bounding box: FR → GF, GP, MQ, RE, YT; NL → BQ; NO → SJ; NZ → TK.
- Makes every polygon planar for renderers such as deck.gl (the source is stitched for spherical
  rendering): rings that cross the antimeridian (Russia's Chukotka and Wrangel Island, a Fiji island) are
  cut at ±180°; Antarctica, a coast ring around the pole inside a pole-line ring, becomes one ring closed
  along the map's bottom edge at latitude -89.999.
- Simplifies every arc (Douglas–Peucker, 0.05°) before stitching, so neighbours keep one common border and
  the file drops from 99.5k to 32k vertices (1.68 to 0.57 MB): the map is re-sent on every rerun and
  tessellated in the browser, which in software WebGL cost ~15 CPU-seconds per page at full detail against
  ~7 simplified. Every arc keeps its point farthest from the chord, so no ring loses its area.
- Rounds coordinates to 3 decimals (~100 m), drops repeated points and degenerate rings, and winds rings
  as RFC 7946 asks (exterior counter-clockwise, holes clockwise).
- Representative point: the area-weighted centroid (areas scaled by cos(latitude)) of the country's
  largest polygon, so the US lands in the contiguous states, FR in metropolitan France, NZ on the South
  Island; but when that centroid is outside the polygon or hugs its border (less than a fifth as far from
  it as the most interior point of a 32 × 32 grid over the polygon, a coarse "pole of inaccessibility"),
  that grid point instead: this moves Norway, Croatia, Vietnam, Mozambique and a few others inland.
- Codes with no polygon at 1:50m get a hand-entered approximate point (main island or territory centre) in
  the centroids file only: BV (Bouvet Island), GI (Gibraltar), TV (Tuvalu, Funafuti), UM (U.S. Minor
  Outlying Islands, Wake Island). The script fails if any other pycountry code ends up without a point.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from pathlib import Path

import numpy as np
import pycountry

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
# The app serves this copy of the shapes (server.enableStaticServing): the browser fetches it once.
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
SHAPES_FILE = "countries.geojson"
CENTROIDS_FILE = "country_centroids.csv"
DECIMALS = 3
# Latitude of the source's pole line: finite in Web Mercator, unlike ±90.
POLE_LAT = 89.999
# Representative point: a GRID × GRID search for the most interior point; the centroid is kept while it is
# at least KEEP_CENTROID times as far from the border as that point.
GRID = 32
KEEP_CENTROID = 0.2
# Douglas–Peucker tolerance in degrees, applied to the shared arcs so neighbours keep one common border.
TOLERANCE = 0.05  # a sixth of a pixel on the 1300-pixel world view, under two at zoom 3

NAME_OVERRIDES = {"XK": "Kosovo", "EU": "European Union", "AP": "Asia/Pacific Region"}
# Features that have no ISO numeric id in the source, by their Natural Earth name.
NAME_CODES = {"Kosovo": "XK", "Somaliland": "SO", "N. Cyprus": "CY", "Indian Ocean Ter.": "CX"}
DROPPED = frozenset({"Siachen Glacier"})
# (feature's code, part's code, (west, south, east, north)): polygons whose bounding-box centre lies in the
# box move from the feature to the part.
SPLITS = (
    ("FR", "GF", (-55.0, 1.5, -51.0, 6.5)),
    ("FR", "GP", (-62.0, 15.8, -61.0, 16.6)),
    ("FR", "MQ", (-61.3, 14.3, -60.7, 15.0)),
    ("FR", "RE", (55.0, -21.5, 56.0, -20.7)),
    ("FR", "YT", (44.9, -13.1, 45.4, -12.5)),
    ("NL", "BQ", (-69.0, 11.5, -62.5, 18.0)),
    ("NO", "SJ", (10.0, 74.0, 35.0, 81.5)),
    ("NO", "SJ", (-9.5, 70.5, -7.5, 71.5)),
    ("NZ", "TK", (-173.0, -10.0, -171.0, -8.0)),
    ("CX", "CC", (96.0, -13.0, 97.5, -11.5)),
)
# (lat, lon) for ISO codes too small to have a polygon at 1:50m; approximate, centroids file only.
EXTRA_POINTS = {
    "BV": (-54.42, 3.36),
    "GI": (36.14, -5.35),
    "TV": (-8.52, 179.2),
    "UM": (19.28, 166.65),
}

Ring = np.ndarray  # (n, 2) lon/lat, closed (first point == last point)
Polygon = list[Ring]  # exterior first, then holes


def country_name(code: str) -> str:
    """pycountry's common name, else its name; the same rule as ``dashboard.enrich.geo.country_name``."""
    if code in NAME_OVERRIDES:
        return NAME_OVERRIDES[code]
    country = pycountry.countries.get(alpha_2=code)
    return (getattr(country, "common_name", None) or country.name) if country else code


def decode_arcs(topology: dict) -> list[np.ndarray]:
    """Absolute lon/lat coordinates of every arc (undo the delta encoding and the quantization)."""
    scale = np.array(topology["transform"]["scale"], dtype=float)
    translate = np.array(topology["transform"]["translate"], dtype=float)
    return [np.cumsum(np.array(arc, dtype=np.int64), axis=0) * scale + translate for arc in topology["arcs"]]


def douglas_peucker(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Boolean mask of the points a polyline keeps at ``tolerance`` degrees: its ends, and always the point
    farthest from the chord when there is one, so a ring of two arcs (or an island split in two) keeps an area."""
    keep = np.zeros(len(points), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        start, end = points[first], points[last]
        inner = points[first + 1 : last] - start
        direction = end - start
        length = float(np.hypot(*direction))
        if length == 0:
            distance = np.hypot(*inner.T)
        else:
            distance = np.abs(direction[0] * inner[:, 1] - direction[1] * inner[:, 0]) / length
        farthest = int(np.argmax(distance))
        if distance[farthest] > tolerance or (first, last) == (0, len(points) - 1):
            middle = first + 1 + farthest
            keep[middle] = True
            stack += [(first, middle), (middle, last)]
    return keep


def simplify_arc(arc: np.ndarray, tolerance: float) -> np.ndarray:
    """The arc after Douglas–Peucker; a closed arc (an island) is split at its point farthest from the start
    and each half simplified, so it keeps at least a quadrilateral."""
    if len(arc) < 3 or tolerance <= 0:
        return arc
    if not np.array_equal(arc[0], arc[-1]):
        return arc[douglas_peucker(arc, tolerance)]
    split = int(np.argmax(np.hypot(*(arc - arc[0]).T)))
    keep = np.zeros(len(arc), dtype=bool)
    keep[: split + 1] = douglas_peucker(arc[: split + 1], tolerance)
    keep[split:] |= douglas_peucker(arc[split:], tolerance)
    return arc[keep]


def stitch_ring(arcs: list[np.ndarray], indices: list[int]) -> Ring:
    """One ring from its arc references (``~i`` means arc ``i`` reversed); arcs share their end points."""
    parts = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        parts.append(arc if not parts else arc[1:])
    return np.concatenate(parts)


def decode_polygons(geometry: dict, arcs: list[np.ndarray]) -> list[Polygon]:
    """The polygons of a TopoJSON Polygon or MultiPolygon (empty for a null geometry)."""
    if geometry["type"] == "Polygon":
        return [[stitch_ring(arcs, ring) for ring in geometry["arcs"]]]
    if geometry["type"] == "MultiPolygon":
        return [[stitch_ring(arcs, ring) for ring in polygon] for polygon in geometry["arcs"]]
    return []


def feature_code(geometry: dict) -> str | None:
    """Alpha-2 code of a source feature, None to drop it."""
    name = geometry.get("properties", {}).get("name", "")
    if name in DROPPED:
        return None
    if name in NAME_CODES:
        return NAME_CODES[name]
    country = pycountry.countries.get(numeric=geometry.get("id") or "")
    if country is None:
        raise SystemExit(f"no ISO code for {name!r} (id {geometry.get('id')!r}): add it to NAME_CODES")
    return country.alpha_2


def jumps(ring: Ring) -> int:
    """Number of edges that jump across the antimeridian."""
    return int(np.count_nonzero(np.abs(np.diff(ring[:, 0])) > 180))


def unwrap(ring: Ring) -> Ring:
    """The ring with longitudes made continuous across the antimeridian (values may pass ±180)."""
    step = np.diff(ring[:, 0])
    turns = np.where(step > 180, -360.0, np.where(step < -180, 360.0, 0.0))
    shift = np.concatenate([[0.0], np.cumsum(turns)])
    return np.column_stack([ring[:, 0] + shift, ring[:, 1]])


def clip_ring(ring: Ring, x0: float, keep_west: bool) -> Ring | None:
    """Sutherland–Hodgman clip of a ring to one side of the meridian ``x0``; None if nothing is left."""
    points = ring[:-1]
    inside = points[:, 0] <= x0 if keep_west else points[:, 0] >= x0
    out = []
    for i in range(len(points)):
        start, end = points[i - 1], points[i]
        if inside[i] != inside[i - 1]:
            t = (x0 - start[0]) / (end[0] - start[0])
            out.append((x0, start[1] + t * (end[1] - start[1])))
        if inside[i]:
            out.append((end[0], end[1]))
    if len(out) < 3:
        return None
    out.append(out[0])
    return np.array(out)


def close_around_pole(ring: Ring) -> Ring:
    """A ring that circles a pole (one jump across the antimeridian) closed along the map's edge instead."""
    jump = int(np.flatnonzero(np.abs(np.diff(ring[:, 0])) > 180)[0])
    points = np.concatenate([ring[jump + 1 : -1], ring[: jump + 1]])  # from one side of the jump to the other
    first, last = points[0], points[-1]
    pole = math.copysign(POLE_LAT, float(points[:, 1].mean()))
    east, west = math.copysign(180.0, last[0]), math.copysign(180.0, first[0])
    edge = [(east, last[1]), (east, pole), (west, pole), (west, first[1]), tuple(first)]
    return np.vstack([points, np.array(edge)])


def cut_antimeridian(polygon: Polygon) -> list[Polygon]:
    """The polygon as pieces that each stay within [-180, 180] and are planar (unchanged if no crossing)."""
    if any(jumps(ring) % 2 for ring in polygon):  # Antarctica: a pole line and a coast around the pole
        rings = [close_around_pole(ring) if jumps(ring) % 2 else ring for ring in polygon]
        rings = sorted((ring for ring in rings if signed_area(ring) != 0), key=lambda r: -abs(signed_area(r)))
        return [rings]
    if jumps(polygon[0]) == 0:
        return [polygon]
    rings = [unwrap(ring) for ring in polygon]
    x0 = 180.0 if max(ring[:, 0].max() for ring in rings) > 180 else -180.0
    pieces = []
    for keep_west in (True, False):
        clipped = [clip_ring(ring, x0, keep_west) for ring in rings]
        if clipped[0] is None:
            continue
        outside = (not keep_west) if x0 > 0 else keep_west
        offset = -360.0 * math.copysign(1, x0) if outside else 0.0
        pieces.append([ring + np.array([offset, 0.0]) for ring in clipped if ring is not None])
    return pieces


def signed_area(ring: Ring) -> float:
    """Planar signed area (shoelace), positive for counter-clockwise."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def clean_ring(ring: Ring, exterior: bool) -> Ring | None:
    """Rounded, without repeated points, wound as RFC 7946 asks; None if degenerate."""
    ring = np.round(ring, DECIMALS)
    keep = np.concatenate([[True], np.any(np.diff(ring, axis=0) != 0, axis=1)])
    ring = ring[keep]
    if not np.array_equal(ring[0], ring[-1]):
        ring = np.vstack([ring, ring[:1]])
    if len(ring) < 4 or signed_area(ring) == 0:
        return None
    if (signed_area(ring) > 0) != exterior:
        ring = ring[::-1]
    return ring + 0.0  # no negative zeros in the output


def clean_polygon(polygon: Polygon) -> Polygon | None:
    """``clean_ring`` on every ring; None when the exterior is degenerate."""
    exterior = clean_ring(polygon[0], exterior=True)
    if exterior is None:
        return None
    holes = [hole for hole in (clean_ring(ring, exterior=False) for ring in polygon[1:]) if hole is not None]
    return [exterior, *holes]


def bbox_centre(polygon: Polygon) -> tuple[float, float]:
    """Centre of the exterior ring's bounding box (lon, lat)."""
    ring = polygon[0]
    return (ring[:, 0].min() + ring[:, 0].max()) / 2, (ring[:, 1].min() + ring[:, 1].max()) / 2


def split_parts(shapes: dict[str, list[Polygon]]) -> None:
    """Move overseas parts with their own ISO code out of their sovereign's feature (in place)."""
    for parent, part, (west, south, east, north) in SPLITS:
        centres = [bbox_centre(polygon) for polygon in shapes[parent]]
        inside = [west <= lon <= east and south <= lat <= north for lon, lat in centres]
        if not any(inside):
            raise SystemExit(f"split {parent} → {part} matched no polygon: the source changed")
        pairs = list(zip(shapes[parent], inside, strict=True))
        shapes.setdefault(part, []).extend(polygon for polygon, moved in pairs if moved)
        shapes[parent] = [polygon for polygon, moved in pairs if not moved]


def area_centroid(polygon: Polygon) -> tuple[float, float, float]:
    """(area, lon, lat) of a polygon, holes subtracted, x scaled by cos(latitude) so areas compare."""
    scale = math.cos(math.radians(float(polygon[0][:, 1].mean())))
    total = cx = cy = 0.0
    for index, ring in enumerate(polygon):
        x, y = ring[:, 0] * scale, ring[:, 1]
        cross = x[:-1] * y[1:] - x[1:] * y[:-1]
        area = cross.sum() / 2
        if area == 0:
            continue
        sign = 1.0 if index == 0 else -1.0
        weight = sign * abs(area)
        cx += weight * float(((x[:-1] + x[1:]) * cross).sum() / (6 * area))
        cy += weight * float(((y[:-1] + y[1:]) * cross).sum() / (6 * area))
        total += weight
    return total, cx / total / scale, cy / total


def crossings_at(polygon: Polygon, lat: float) -> np.ndarray:
    """Sorted longitudes where the polygon's edges cross the parallel ``lat``."""
    xs = []
    for ring in polygon:
        x0, y0, x1, y1 = ring[:-1, 0], ring[:-1, 1], ring[1:, 0], ring[1:, 1]
        hit = (y0 > lat) != (y1 > lat)
        xs.append(x0[hit] + (lat - y0[hit]) * (x1[hit] - x0[hit]) / (y1[hit] - y0[hit]))
    return np.sort(np.concatenate(xs))


def widest_segment(polygon: Polygon, lat: float) -> tuple[float, float]:
    """(width × cos(lat), middle longitude) of the widest inside east-west run along ``lat``."""
    xs = crossings_at(polygon, lat)
    if len(xs) < 2:
        return 0.0, math.nan
    widths = xs[1::2] - xs[0::2]
    widest = int(np.argmax(widths))
    return float(widths[widest]) * math.cos(math.radians(lat)), float(xs[2 * widest] + xs[2 * widest + 1]) / 2


def clearance(polygon: Polygon, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Distance from each point to the polygon's boundary (degrees, x scaled by cos(lat)); 0 outside."""
    scale = math.cos(math.radians(float(polygon[0][:, 1].mean())))
    edges = np.concatenate([np.column_stack([ring[:-1], ring[1:]]) for ring in polygon])
    ax, ay, bx, by = edges[:, 0] * scale, edges[:, 1], edges[:, 2] * scale, edges[:, 3]
    px, py = lons[:, None] * scale, lats[:, None]
    dx, dy = bx - ax, by - ay
    t = np.clip(((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
    distance = np.hypot(ax + t * dx - px, ay + t * dy - py).min(axis=1)
    straddles = (ay > py) != (by > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        crosses = straddles & (px < ax + (py - ay) * dx / dy)
    return np.where(crosses.sum(axis=1) % 2 == 1, distance, 0.0)


def representative_point(polygons: list[Polygon]) -> tuple[float, float]:
    """(lat, lon) inside the largest polygon: its centroid unless a much more interior point exists."""
    stats = [area_centroid(p) for p in polygons]
    largest = max(range(len(polygons)), key=lambda i: stats[i][0])
    polygon = polygons[largest]
    _, lon, lat = stats[largest]
    exterior = polygon[0]
    steps = (np.arange(GRID) + 0.5) / GRID
    grid_lon = exterior[:, 0].min() + steps * np.ptp(exterior[:, 0])
    grid_lat = exterior[:, 1].min() + steps * np.ptp(exterior[:, 1])
    lons = np.concatenate([[lon], np.repeat(grid_lon, GRID)])
    lats = np.concatenate([[lat], np.tile(grid_lat, GRID)])
    room = clearance(polygon, lons, lats)
    best = int(np.argmax(room))
    if room[best] == 0:  # a sliver no grid point falls in: the middle of its widest east-west run
        runs = [(*widest_segment(polygon, float(y)), float(y)) for y in grid_lat]
        _, lon, lat = max(runs)
    elif room[0] < KEEP_CENTROID * room[best]:
        lon, lat = float(lons[best]), float(lats[best])
    return round(lat, DECIMALS), round(lon, DECIMALS)


def geometry_json(polygons: list[Polygon]) -> dict:
    """GeoJSON Polygon or MultiPolygon."""
    coordinates = [[ring.tolist() for ring in polygon] for polygon in polygons]
    if len(coordinates) == 1:
        return {"type": "Polygon", "coordinates": coordinates[0]}
    return {"type": "MultiPolygon", "coordinates": coordinates}


def country_polygons(topology: dict, arcs: list[np.ndarray]) -> dict[str, list[Polygon]]:
    """Planar, cleaned polygons per alpha-2 code, sorted by code."""
    shapes: dict[str, list[Polygon]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = feature_code(geometry)
        if code is not None:
            shapes.setdefault(code, []).extend(decode_polygons(geometry, arcs))
    split_parts(shapes)
    for code, polygons in shapes.items():
        pieces = [piece for polygon in polygons for piece in cut_antimeridian(polygon)]
        shapes[code] = [clean for clean in map(clean_polygon, pieces) if clean is not None]
    return {code: polygons for code, polygons in sorted(shapes.items()) if polygons}


def build(
    topology: dict, tolerance: float = TOLERANCE
) -> tuple[dict[str, list[Polygon]], dict[str, tuple[float, float]]]:
    """Simplified polygons per alpha-2 code and a representative (lat, lon) inside each, as drawn.

    A country that simplification would cost a polygon (a small one whose border arcs all become straight
    lines between the same ends) keeps its full detail.
    """
    arcs = decode_arcs(topology)
    full = country_polygons(topology, arcs)
    simple = country_polygons(topology, [simplify_arc(arc, tolerance) for arc in arcs])
    shapes = {}
    for code, polygons in full.items():
        shapes[code] = simple[code] if len(simple.get(code, ())) == len(polygons) else polygons
        if shapes[code] is polygons:
            print(f"{code}: simplification dropped a polygon, full detail kept")
    points = {code: representative_point(polygons) for code, polygons in shapes.items()}
    for code, point in EXTRA_POINTS.items():
        if code in points:
            raise SystemExit(f"{code} now has a polygon: remove it from EXTRA_POINTS")
        points[code] = point
    missing = sorted({c.alpha_2 for c in pycountry.countries} - points.keys())
    if missing:
        raise SystemExit(f"no polygon and no point for {missing}: add them to EXTRA_POINTS")
    return shapes, dict(sorted(points.items()))


def write_shapes(shapes: dict[str, list[Polygon]], path: Path) -> None:
    """The FeatureCollection, one feature per line (readable diffs, compact file)."""
    lines = []
    for code, polygons in shapes.items():
        feature = {
            "type": "Feature",
            "properties": {"country": code, "name": country_name(code)},
            "geometry": geometry_json(polygons),
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")


def write_centroids(points: dict[str, tuple[float, float]], path: Path) -> None:
    """``country,name,lat,lon`` sorted by code."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["country", "name", "lat", "lon"])
        for code, (lat, lon) in points.items():
            writer.writerow([code, country_name(code), f"{lat:.{DECIMALS}f}", f"{lon:.{DECIMALS}f}"])


def main(argv: list[str] | None = None) -> None:
    """Command line: source TopoJSON in, GeoJSON and CSV out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="world-atlas countries-50m.json")
    parser.add_argument("--out-dir", type=Path, default=DATA_DIR, help=f"output folder (default {DATA_DIR})")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE, help=f"degrees (default {TOLERANCE})")
    args = parser.parse_args(argv)
    shapes, points = build(json.loads(args.source.read_text(encoding="utf-8")), args.tolerance)
    write_shapes(shapes, args.out_dir / SHAPES_FILE)
    if args.out_dir == DATA_DIR:  # the served copy is byte-for-byte the bundled file (tests/test_geometry.py)
        STATIC_DIR.mkdir(exist_ok=True)
        (STATIC_DIR / SHAPES_FILE).write_bytes((DATA_DIR / SHAPES_FILE).read_bytes())
    write_centroids(points, args.out_dir / CENTROIDS_FILE)
    for name in (SHAPES_FILE, CENTROIDS_FILE):
        size = (args.out_dir / name).stat().st_size
        print(f"{args.out_dir / name}: {size / 1e6:.2f} MB")
    vertices = sum(len(ring) for polygons in shapes.values() for polygon in polygons for ring in polygon)
    print(f"{len(shapes)} shapes, {vertices} vertices, {len(points)} points ({len(EXTRA_POINTS)} hand-entered)")


if __name__ == "__main__":
    main()
