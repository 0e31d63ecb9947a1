"""The data behind the Traffic page for one time window: pure, so it can be benchmarked and tested.

Most panels are drawn from the cube (bucket × browser × country × status class × bot), which is computed
once per log, bucket size and time zone; only unique visitors need the rows of the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.analysis.buckets import bucket_grid, check_bucket, instants, window
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


def bucket_options(cube: pd.DataFrame, bucket: str | None = None, tz: str = "UTC") -> list[pd.Timestamp]:
    """The bucket starts of a cube, in order: with ``bucket``, every bucket from its first to its last, empty
    ones included (an outage is a bucket of zeros, not a missing one); without, only the non-empty ones."""
    starts = sorted(pd.unique(cube["bucket"])) if len(cube) else []
    if bucket is None or not starts:
        return starts
    grid = bucket_grid(starts[0].value, starts[-1].value, check_bucket(bucket), tz)
    return list(instants(np.union1d(grid, [s.value for s in starts]), tz))


def window_indices(
    buckets: list[pd.Timestamp], start: pd.Timestamp, end: pd.Timestamp, whole: bool = False
) -> tuple[int, int]:
    """First and last bucket of a window covering ``start <= time < end`` (the whole range when ``whole``).

    Used when the bucket size or zone changes: the window keeps its time span instead of its labels.
    """
    if whole or not buckets:
        return 0, max(len(buckets) - 1, 0)
    starts = pd.DatetimeIndex(buckets)
    first = max(int(starts.searchsorted(start, side="right")) - 1, 0)
    last = max(int(starts.searchsorted(end, side="left")) - 1, first)
    return first, min(last, len(buckets) - 1)


def zero_filled(counts: pd.DataFrame, dimension: str, buckets: list[pd.Timestamp]) -> pd.DataFrame:
    """A long bucket × value table with a zero row for each of ``buckets`` it lacks (CSV rows, no gap)."""
    if counts.empty or not buckets:
        return counts
    missing = pd.DatetimeIndex(buckets).difference(pd.DatetimeIndex(counts["bucket"]))
    if not len(missing):
        return counts
    values = counts[dimension]
    filler = values.cat.categories[0] if isinstance(values.dtype, pd.CategoricalDtype) else values.iloc[0]
    zeros = pd.DataFrame({"bucket": missing, dimension: filler, "requests": 0, "bytes": 0})
    zeros = zeros.astype({dimension: values.dtype, **{c: counts[c].dtype for c in ("requests", "bytes")}})
    table = pd.concat([counts, zeros[counts.columns]], ignore_index=True)
    return table.sort_values("bucket", kind="stable").reset_index(drop=True)


def window_data(
    frame: pd.DataFrame,
    cube: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    bots: str = "include",
    top: int = TOP_HEATMAP,
    tz: str = "UTC",
    buckets: list[pd.Timestamp] | None = None,
) -> WindowData:
    """Figures and tables for rows with ``start <= time < end``, with the bot filter applied.

    ``buckets`` (``bucket_options`` with a bucket) puts a zero row in the tables for each empty bucket.
    """
    grid = list(buckets or [])
    in_grid = [b for b in grid if start <= b < end]
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
    browser_timeline = zero_filled(lump_by_bucket(browser_all, "browser", TOP_BROWSERS), "browser", grid)
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
        browser_counts=zero_filled(lump_by_bucket(browser_win, "browser", top), "browser", in_grid),
        country_counts=zero_filled(lump_by_bucket(country_win, "country", top), "country", in_grid),
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
