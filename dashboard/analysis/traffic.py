"""The data behind the Traffic page for one time window: pure, so it can be benchmarked and tested.

Most panels are drawn from the cube (bucket × browser × country × status class × bot), which is computed
once per log, bucket size and time zone; only unique visitors need the rows of the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.analysis.buckets import window
from dashboard.analysis.figures import headline
from dashboard.analysis.filters import bot_mask
from dashboard.analysis.top import lump_by_bucket
from dashboard.analysis.visitors import unique_visitors
from dashboard.enrich.geo import country_name
from dashboard.schema import STATUS_LABELS, is_country

TOP_BROWSERS = 8
TOP_HEATMAP = 10


@dataclass(frozen=True)
class WindowData:
    """Everything the Traffic page draws for a window."""

    start: pd.Timestamp
    end: pd.Timestamp
    figures: dict[str, float | int | None]
    browser_timeline: pd.DataFrame  # bucket, browser, requests — the whole range, for context
    browser_totals: pd.DataFrame  # browser, requests, bytes, share — in the window
    browser_counts: pd.DataFrame  # bucket, browser, requests — in the window (heatmap)
    country_counts: pd.DataFrame  # bucket, country, requests — in the window (heatmap)
    country_totals: pd.DataFrame  # country, country_name, requests — in the window (map)
    city_points: pd.DataFrame | None  # lat, lon, requests when the GeoIP database has locations


def bucket_options(cube: pd.DataFrame) -> list[pd.Timestamp]:
    """The non-empty bucket starts of a cube, in order."""
    return sorted(pd.unique(cube["bucket"])) if len(cube) else []


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
    countries = in_window.groupby("country", observed=True)["requests"].sum()
    countries = countries[[is_country(str(c)) for c in countries.index]] if len(countries) else countries
    countries = countries[countries > 0]
    figures = headline(
        requests=requests,
        visitors=unique_visitors(rows, tz),
        sent=int(in_window["bytes"].sum()),
        countries=len(countries),
        status_counts=by_status.reindex(list(STATUS_LABELS), fill_value=0).to_numpy(),
        bots=int(in_window.loc[in_window["is_bot"], "requests"].sum()),
    )

    browser_all = filtered.groupby(["bucket", "browser"], observed=True)[["requests", "bytes"]].sum().reset_index()
    browser_timeline = lump_by_bucket(browser_all, "browser", TOP_BROWSERS)
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
        browser_counts=lump_by_bucket(browser_win, "browser", top),
        country_counts=lump_by_bucket(country_win, "country", top),
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
