"""The data behind the overview page for one time window: pure, so it can be benchmarked and tested.

Most panels are drawn from the cube (bucket × browser × country × status class × bot), which is computed
once per log, bucket size and time zone; only unique visitors need the rows of the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.analysis.aggregate import OTHER, check_bucket, unique_visitors, window
from dashboard.enrich.geo import country_name
from dashboard.schema import is_country

TOP_BROWSERS = 8
TOP_HEATMAP = 10
LABEL_FORMAT = "%Y-%m-%d %H:%M"
BOT_MODES = ("include", "exclude", "only")


@dataclass(frozen=True)
class WindowData:
    """Everything the overview draws for a window."""

    start: pd.Timestamp
    end: pd.Timestamp
    figures: dict[str, float | int]
    browser_timeline: pd.DataFrame  # bucket, browser, requests — the whole range, for context
    browser_totals: pd.DataFrame  # browser, requests, bytes, share — in the window
    browser_counts: pd.DataFrame  # bucket, browser, requests — in the window (heatmap)
    country_counts: pd.DataFrame  # bucket, country, requests — in the window (heatmap)
    country_totals: pd.DataFrame  # country, country_name, requests — in the window (map)
    city_points: pd.DataFrame | None  # lat, lon, requests when the GeoIP database has locations


def bot_mask(is_bot: pd.Series | np.ndarray, mode: str) -> np.ndarray | None:
    """Rows to keep for a bot filter mode (None: keep all)."""
    if mode not in BOT_MODES:
        raise ValueError(f"bots must be one of {BOT_MODES}, not {mode!r}")
    if mode == "include":
        return None
    values = np.asarray(is_bot, dtype=bool)
    return values if mode == "only" else ~values


def bucket_options(cube: pd.DataFrame) -> list[pd.Timestamp]:
    """The non-empty bucket starts of a cube, in order."""
    return sorted(pd.unique(cube["bucket"])) if len(cube) else []


def bucket_labels(buckets: list[pd.Timestamp]) -> list[str]:
    """Readable, unique labels; the repeated hour of a DST change gets its UTC offset appended."""
    labels = [b.strftime(LABEL_FORMAT) for b in buckets]
    seen: dict[str, int] = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
    return [
        f"{label} ({b.strftime('%z')})" if seen[label] > 1 else label for label, b in zip(labels, buckets, strict=True)
    ]


def window_end(buckets: list[pd.Timestamp], last: int, bucket: str) -> pd.Timestamp:
    """End (exclusive) of the window that ends with bucket number ``last``."""
    span = check_bucket(bucket)
    return min(buckets[last + 1], buckets[last] + span) if last + 1 < len(buckets) else buckets[last] + span


def _top_lump(counts: pd.DataFrame, dimension: str, top: int) -> pd.DataFrame:
    """Keep the ``top`` values by requests; the rest summed as "Other" per bucket."""
    order = counts.groupby(dimension, observed=True)["requests"].sum().sort_values(ascending=False, kind="stable")
    keep = [v for v in order.index[:top] if v != OTHER]
    lumped = counts.assign(**{dimension: counts[dimension].where(counts[dimension].isin(keep), OTHER)})
    out = lumped.groupby(["bucket", dimension], observed=True, sort=True)[["requests", "bytes"]].sum().reset_index()
    categories = keep + ([OTHER] if (out[dimension] == OTHER).any() else [])
    out[dimension] = pd.Categorical(out[dimension], categories=categories)
    return out.sort_values(["bucket", dimension], kind="stable").reset_index(drop=True)


def window_data(
    frame: pd.DataFrame,
    cube: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    bots: str = "include",
    top: int = TOP_HEATMAP,
    tz: str = "UTC",
) -> WindowData:
    """Figures and tables for rows with ``start <= time < end``, with the bot filter applied."""
    keep = bot_mask(cube["is_bot"], bots)
    filtered = cube if keep is None else cube[keep]
    in_window = filtered[(filtered["bucket"] >= start) & (filtered["bucket"] < end)]
    rows = window(frame, start, end)
    row_keep = bot_mask(rows["is_bot"], bots) if len(rows) else None
    if row_keep is not None:
        rows = rows[row_keep]

    requests = int(in_window["requests"].sum())
    by_status = in_window.groupby("status_class", observed=True)["requests"].sum()
    bot_requests = int(in_window.loc[in_window["is_bot"], "requests"].sum())
    countries = in_window.groupby("country", observed=True)["requests"].sum()
    countries = countries[[is_country(str(c)) for c in countries.index]] if len(countries) else countries
    figures = {
        "requests": requests,
        "visitors": unique_visitors(rows, tz),
        "bytes": int(in_window["bytes"].sum()),
        "countries": int((countries > 0).sum()),
        "share_4xx": float(by_status.get("4xx", 0) / requests) if requests else 0.0,
        "share_5xx": float(by_status.get("5xx", 0) / requests) if requests else 0.0,
        "share_bots": float(bot_requests / requests) if requests else 0.0,
    }

    browser_all = filtered.groupby(["bucket", "browser"], observed=True)[["requests", "bytes"]].sum().reset_index()
    browser_timeline = _top_lump(browser_all, "browser", TOP_BROWSERS) if len(browser_all) else browser_all
    browser_win = in_window.groupby(["bucket", "browser"], observed=True)[["requests", "bytes"]].sum().reset_index()
    totals = (
        in_window.groupby("browser", observed=True)[["requests", "bytes"]]
        .sum()
        .sort_values("requests", ascending=False, kind="stable")
        .reset_index()
    )
    totals["share"] = totals["requests"] / max(requests, 1)
    country_win = in_window.groupby(["bucket", "country"], observed=True)[["requests", "bytes"]].sum().reset_index()
    country_totals = countries.sort_values(ascending=False, kind="stable").reset_index()
    country_totals.columns = ["country", "requests"]
    country_totals["country_name"] = [country_name(str(c)) for c in country_totals["country"]]
    return WindowData(
        start=start,
        end=end,
        figures=figures,
        browser_timeline=browser_timeline,
        browser_totals=totals,
        browser_counts=_top_lump(browser_win, "browser", top) if len(browser_win) else browser_win,
        country_counts=_top_lump(country_win, "country", top) if len(country_win) else country_win,
        country_totals=country_totals[["country", "country_name", "requests"]],
        city_points=_city_points(rows),
    )


def _city_points(rows: pd.DataFrame) -> pd.DataFrame | None:
    """Requests per located point, when the GeoIP database gives locations."""
    if "lat" not in rows.columns or rows.empty:
        return None
    located = rows[["lat", "lon"]].dropna()
    if located.empty:
        return None
    return located.groupby(["lat", "lon"]).size().rename("requests").reset_index()
