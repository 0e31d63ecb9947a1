"""Pure chart builders: small tables from ``aggregate`` → ``alt.Chart``, ``pdk.Deck`` or a pandas Styler.

No Streamlit here; views call these and hand the result to ``st.altair_chart`` / ``st.pydeck_chart`` /
``st.dataframe``. Every builder is testable through ``.to_dict()`` / ``.to_json()`` / ``.to_html()``.

Time zones: Vega-Lite shows times in the *browser's* zone unless a scale is ``utc``. So bucket starts are
turned into the wall-clock time of the selected zone, stored as if that wall time were UTC, and drawn on a
``utc`` scale: the axis then reads the selected zone's wall time whatever the viewer's own zone is. Tooltips
carry a label formatted in Python (with the zone abbreviation) so they need no time formatting in the browser.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

import altair as alt
import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from dashboard.analysis.aggregate import OTHER, check_bucket
from dashboard.schema import is_country

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

# Categorical series: Tableau-10 hues without its grey (grey means "Other"); mid-tone, readable on light and
# dark backgrounds.
SERIES_COLOURS = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#499894",
)
COLOURS = {
    "accent": SERIES_COLOURS[0],
    "other": "#9e9e9e",
    "marker": "#d62728",
    "heat_low": "#f1f5fb",
    "heat_high": "#08306b",
    "text_dark": "#1b1f24",
    "text_light": "#ffffff",
}
FADED_OPACITY = 0.2
MARKER_OPACITY = 0.15
GROUP_PADDING = 0.08  # share of a bucket left empty on each side of a group of grouped bars
STACK_PADDING = 0.03  # the same for a stacked bar, so neighbouring buckets stay apart
TOTAL = "Total"
TIME_LABEL_FORMAT = "%Y-%m-%d %H:%M %Z"
# Vega multi-format for the time axis: 24-hour clock, the date at midnight (Vega's default is "03 AM").
TIME_AXIS_FORMAT = {"minutes": "%H:%M", "hours": "%H:%M", "date": "%b %d", "week": "%b %d", "month": "%b %Y"}
HEATMAP_TIME_FORMAT = "%Y-%m-%d %H:%M"
DARK_TEXT_BELOW_LUMINANCE = 0.45  # cells darker than this get light text

# Map: sequential fill for countries with requests (yellow → orange → crimson, log scale), neutral for none.
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


class CompactDeck(pdk.Deck):
    """A ``pdk.Deck`` whose ``to_json`` is not indented: pydeck's indent=2 makes country shapes ~6x larger."""

    def to_json(self) -> str:
        """The deck.gl JSON spec without whitespace (what ``st.pydeck_chart`` sends to the browser)."""
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


def series_order(counts: pd.DataFrame, dimension: str) -> list[str]:
    """Values of a dimension by total requests, largest first, "Other" last."""
    if counts.empty:
        return []
    sums = counts.groupby(counts[dimension].astype(str), sort=False)["requests"].sum()
    ranked = sorted(sums.items(), key=lambda item: (-item[1], item[0]))
    order = [value for value, _ in ranked if value != OTHER]
    return [*order, OTHER] if OTHER in sums.index else order


def series_colours(order: list[str]) -> list[str]:
    """One colour per value in ``order``: the palette in turn, grey for "Other"."""
    colours, i = [], 0
    for value in order:
        if value == OTHER:
            colours.append(COLOURS["other"])
        else:
            colours.append(SERIES_COLOURS[i % len(SERIES_COLOURS)])
            i += 1
    return colours


def as_instants(times: pd.Series) -> pd.Series:
    """Timestamps as tz-aware instants (naive ones are taken to be UTC, as the frame stores them)."""
    times = pd.to_datetime(times)
    return times.dt.tz_localize("UTC") if times.dt.tz is None else times


def wall_time(times: pd.Series, tz: str) -> pd.Series:
    """Instants → the wall-clock time they show in ``tz``, labelled UTC (for a ``utc`` Vega-Lite scale)."""
    return as_instants(times).dt.tz_convert(tz).dt.tz_localize(None).dt.tz_localize("UTC")


def time_labels(times: pd.Series, tz: str, fmt: str = TIME_LABEL_FORMAT) -> pd.Series:
    """Instants formatted as wall time in ``tz``."""
    return as_instants(times).dt.tz_convert(tz).dt.strftime(fmt)


def timeline_table(
    counts: pd.DataFrame, dimension: str, tz: str, span: pd.Timedelta, stacked: bool, order: list[str]
) -> pd.DataFrame:
    """The rows the timeline draws: one rectangle (x0..x1, y0..y1) per bucket and value."""
    columns = ["start", dimension, "requests", "label", "x0", "x1", "y0", "y1"]
    if counts.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    table = pd.DataFrame(
        {
            "start": wall_time(counts["bucket"], tz),
            dimension: counts[dimension].astype(str).to_numpy(),
            "requests": counts["requests"].to_numpy().astype(np.int64),
            "label": time_labels(counts["bucket"], tz).to_numpy(),
        }
    )
    # The repeated hour when clocks go back gives two buckets with one wall time: draw them as one bar.
    table = (
        table.groupby(["start", dimension], sort=False)
        .agg(requests=("requests", "sum"), label=("label", lambda s: " / ".join(dict.fromkeys(s))))
        .reset_index()
    )
    rank = {value: i for i, value in enumerate(order)}
    table["_rank"] = table[dimension].map(rank)
    table = table.sort_values(["start", "_rank"], kind="stable").reset_index(drop=True)
    if stacked:
        table["x0"] = table["start"] + span * STACK_PADDING
        table["x1"] = table["start"] + span * (1 - STACK_PADDING)
        table["y1"] = table.groupby("start")["requests"].cumsum()
        table["y0"] = table["y1"] - table["requests"]
    else:
        slot = span * (1 - 2 * GROUP_PADDING) / max(len(order), 1)
        table["x0"] = table["start"] + span * GROUP_PADDING + slot * table["_rank"]
        table["x1"] = table["x0"] + slot
        table["y0"], table["y1"] = 0, table["requests"]
    return table[columns]


def marker_layers(markers: pd.DataFrame | None, tz: str) -> list[alt.Chart]:
    """Shaded spans plus a dashed rule at each start, for alerts or deploys (columns start, end, label)."""
    if markers is None or markers.empty:
        return []
    start = wall_time(markers["start"], tz)
    end = wall_time(markers["end"], tz) if "end" in markers else start
    table = pd.DataFrame({"x0": start, "x1": end.fillna(start), "label": markers["label"].astype(str)})
    table = table[table["x0"].notna()]
    if table.empty:
        return []
    x = alt.X("x0:T", scale=alt.Scale(type="utc"))
    tooltip = [alt.Tooltip("label:N", title="marker")]
    base = alt.Chart(table)
    span = base.mark_rect(color=COLOURS["marker"], opacity=MARKER_OPACITY).encode(x=x, x2="x1:T", tooltip=tooltip)
    rule = base.mark_rule(color=COLOURS["marker"], strokeDash=[4, 3]).encode(x=x, tooltip=tooltip)
    return [span, rule]


def browser_timeline_chart(
    counts: pd.DataFrame,
    dimension: str = "browser",
    stacked: bool = True,
    tz: str = "UTC",
    bucket_label: str = "4h",
    markers: pd.DataFrame | None = None,
) -> alt.Chart | alt.LayerChart:
    """Requests per bucket, one colour per value, stacked or grouped; click the legend to highlight a series.

    Bars are drawn as explicit rectangles (x/x2, y/y2) on a ``utc`` time scale: Vega-Lite drops ``xOffset``
    on a continuous axis, and a ``timeUnit`` band would floor buckets that do not start on a unit boundary
    (a UTC bucket seen from Asia/Kolkata starts at :30), so grouped bars get their slot computed here.
    """
    span = check_bucket(bucket_label)
    order = series_order(counts, dimension)
    table = timeline_table(counts, dimension, tz, span, stacked, order)
    legend = alt.selection_point(fields=[dimension], bind="legend")
    bars = (
        alt.Chart(table)
        .mark_bar()
        .encode(
            x=alt.X("x0:T", title=f"time ({tz})", scale=alt.Scale(type="utc"), axis=alt.Axis(format=TIME_AXIS_FORMAT)),
            x2="x1:T",
            y=alt.Y("y0:Q", title="requests"),
            y2="y1:Q",
            color=alt.Color(
                field=dimension,
                type="nominal",
                scale=alt.Scale(domain=order, range=series_colours(order)),
                legend=alt.Legend(title=dimension),
            ),
            opacity=alt.when(legend).then(alt.value(1.0)).otherwise(alt.value(FADED_OPACITY)),
            tooltip=[
                alt.Tooltip("label:N", title=f"{bucket_label} from"),
                alt.Tooltip(field=dimension, type="nominal", title=dimension),
                alt.Tooltip("requests:Q", title="requests", format=","),
            ],
        )
        .add_params(legend)
    )
    extra = marker_layers(markers, tz)
    return alt.layer(bars, *extra) if extra else bars


def totals_bar_chart(totals: pd.DataFrame, dimension: str, title: str = "") -> alt.Chart:
    """Horizontal bars of requests per value, largest at the top ("Other" last), share in the tooltip."""
    table = totals.copy()
    table[dimension] = table[dimension].astype(str)
    if "share" not in table:
        table["share"] = table["requests"] / max(int(table["requests"].sum()), 1)
    order = series_order(table, dimension)
    tooltip = [
        alt.Tooltip(field=dimension, type="nominal", title=dimension),
        alt.Tooltip("requests:Q", title="requests", format=","),
        alt.Tooltip("share:Q", title="share", format=".1%"),
    ]
    if "bytes" in table:
        tooltip.append(alt.Tooltip("bytes:Q", title="bytes", format=","))
    return (
        alt.Chart(table, title=title)
        .mark_bar()
        .encode(
            x=alt.X("requests:Q", title="requests"),
            y=alt.Y(field=dimension, type="nominal", sort=order, title=None),
            color=alt.when(alt.datum[dimension] == OTHER)
            .then(alt.value(COLOURS["other"]))
            .otherwise(alt.value(COLOURS["accent"])),
            tooltip=tooltip,
        )
        .properties(height=alt.Step(22))
    )


def heatmap_pivot(
    counts: pd.DataFrame, dimension: str, tz: str = "UTC", time_format: str = HEATMAP_TIME_FORMAT
) -> pd.DataFrame:
    """Buckets (labels in ``tz``, chronological) × values (largest first, "Other" last) → requests, plus Total."""
    order = series_order(counts, dimension)
    if counts.empty:
        empty = pd.DataFrame(index=pd.Index([], name="bucket", dtype=object), columns=[TOTAL], dtype=np.int64)
        empty.columns.name = dimension
        return empty
    table = pd.DataFrame(
        {
            "bucket": as_instants(counts["bucket"]).dt.tz_convert("UTC"),
            "value": counts[dimension].astype(str),
            "requests": counts["requests"],
        }
    )
    pivot = table.pivot_table(
        index="bucket", columns="value", values="requests", aggfunc="sum", fill_value=0, sort=True
    ).reindex(columns=order, fill_value=0)
    labels = time_labels(pd.Series(pivot.index), tz, time_format)
    repeated = labels.duplicated(keep=False)
    if repeated.any():  # the repeated hour when clocks go back: tell the two apart by zone abbreviation
        zoned = time_labels(pd.Series(pivot.index[repeated.to_numpy()]), tz, time_format + " %Z")
        labels[repeated] = zoned.to_numpy()
    pivot.index = pd.Index(labels.to_numpy(), name="bucket")
    if pivot.index.has_duplicates:  # a coarse time_format: merge rows that read the same
        pivot = pivot.groupby(level=0, sort=False).sum()
    pivot = pivot.astype(np.int64)
    pivot[TOTAL] = pivot.sum(axis=1)
    pivot.columns.name = dimension
    return pivot


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """'#rrggbb' → (r, g, b)."""
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def blend(stops: tuple[str, ...], t: float) -> tuple[int, int, int]:
    """Colour at ``t`` in [0, 1] along evenly spaced hex stops."""
    t = min(max(float(t), 0.0), 1.0)
    position = t * (len(stops) - 1)
    i = min(int(position), len(stops) - 2)
    f = position - i
    lo, hi = hex_rgb(stops[i]), hex_rgb(stops[i + 1])
    return tuple(round(a + (b - a) * f) for a, b in zip(lo, hi, strict=True))  # type: ignore[return-value]


def luminance(rgb: tuple[int, int, int]) -> float:
    """Relative luminance (WCAG) of an sRGB colour, 0 black to 1 white."""
    channels = [c / 255 for c in rgb]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def cell_css(t: float) -> str:
    """Background and a readable text colour for a cell at ``t`` = value / max."""
    rgb = blend((COLOURS["heat_low"], COLOURS["heat_high"]), t)
    text = COLOURS["text_light"] if luminance(rgb) < DARK_TEXT_BELOW_LUMINANCE else COLOURS["text_dark"]
    return "background-color: #{:02x}{:02x}{:02x}; color: {}".format(*rgb, text)


def style_heatmap(pivot: pd.DataFrame) -> Styler:
    """Colour cells by value / largest cell (Total left uncoloured), numbers with thousands separators."""
    styler = pivot.style.format("{:,}")
    values = [c for c in pivot.columns if c != TOTAL]
    if pivot.empty or not values:
        return styler
    top = max(int(pivot[values].to_numpy().max()), 1)
    styler = styler.map(lambda v: cell_css(v / top), subset=values)
    if TOTAL in pivot.columns:
        styler = styler.map(lambda _: "font-weight: 600", subset=[TOTAL])
    return styler


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


def live_rate_chart(per_minute: pd.DataFrame, tz: str = "UTC") -> alt.Chart:
    """Requests per minute (columns minute, requests) as an area, in the wall time of ``tz``."""
    minute = per_minute["minute"].dt.tz_convert(tz)
    data = pd.DataFrame(
        {"minute": minute.dt.tz_localize(None), "at": minute.dt.strftime("%H:%M"), "requests": per_minute["requests"]}
    )
    return (
        alt.Chart(data)
        .mark_area(opacity=0.6)
        .encode(
            x=alt.X("minute:T", title=f"minute ({tz})", scale=alt.Scale(type="utc"), axis=alt.Axis(format="%H:%M")),
            y=alt.Y("requests:Q", title="requests per minute"),
            tooltip=[alt.Tooltip("at:N", title="minute"), alt.Tooltip("requests:Q", title="requests")],
        )
        .properties(height=160)
    )
