"""Visits: a visitor's page views grouped until 30 minutes pass without one, as Matomo and Plausible count them.

A visitor is its client + user agent (``visitors.client_keys``, the unique visitors' definition without the
day: a visit may cross midnight). Only page views (``pages.pageview_mask``) make or extend a visit; an asset
fetched long after the last page does not keep it open. A gap longer than the timeout starts a new visit; a
gap of exactly the timeout does not (Matomo's rule). A bounce is a visit of one page view; its duration is 0.
Times are compared in UTC, so a visit across a daylight-saving change lasts what the clock really measured.
Vectorized: one sort by (visitor, time), then differences of neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.analysis.pages import PageRules, pageview_mask
from dashboard.analysis.visitors import client_keys

VISIT_TIMEOUT = pd.Timedelta(minutes=30)
TOP_N = 10


@dataclass(frozen=True)
class Visits:
    """Each visit of a frame, one row per visit: its visitor, start, end, page views, entry and exit rows."""

    visitor: np.ndarray
    start_ns: np.ndarray
    end_ns: np.ndarray
    pageviews: np.ndarray
    entry_row: np.ndarray  # positions in the frame (iloc) of each visit's first page view
    exit_row: np.ndarray  # … and of its last


def sessionize(frame: pd.DataFrame, timeout: pd.Timedelta = VISIT_TIMEOUT, rules: PageRules | None = None) -> Visits:
    """Group the frame's page views into visits (the rows need not be sorted)."""
    rows = np.flatnonzero(pageview_mask(frame, rules))
    if not len(rows):
        empty = np.zeros(0, dtype=np.int64)
        return Visits(empty, empty, empty, empty, empty, empty)
    visitor = client_keys(frame)[rows]
    time_ns = pd.DatetimeIndex(frame["time"]).as_unit("ns").asi8[rows]
    order = np.lexsort((rows, time_ns, visitor))  # ties in time keep the log's order
    visitor, time_ns, rows = visitor[order], time_ns[order], rows[order]
    new = np.ones(len(rows), dtype=bool)
    new[1:] = (visitor[1:] != visitor[:-1]) | (np.diff(time_ns) > int(timeout.value))
    first = np.flatnonzero(new)
    last = np.append(first[1:] - 1, len(rows) - 1)
    return Visits(
        visitor=visitor[first],
        start_ns=time_ns[first],
        end_ns=time_ns[last],
        pageviews=np.diff(np.append(first, len(rows))),
        entry_row=rows[first],
        exit_row=rows[last],
    )


def visit_figures(visits: Visits) -> dict[str, float | int | None]:
    """Visits, bounce rate, median and mean duration (seconds), pages per visit: None where there is no visit."""
    n = len(visits.pageviews)
    if not n:
        return {
            "visits": 0,
            "bounce_rate": None,
            "duration_median_s": None,
            "duration_mean_s": None,
            "pages_per_visit": None,
        }
    seconds = (visits.end_ns - visits.start_ns) / 1e9
    return {
        "visits": int(n),
        "bounce_rate": float(np.mean(visits.pageviews == 1)),
        "duration_median_s": float(np.median(seconds)),
        "duration_mean_s": float(np.mean(seconds)),
        "pages_per_visit": float(np.mean(visits.pageviews)),
    }


def _top_paths(frame: pd.DataFrame, rows: np.ndarray, label: str, top: int) -> pd.DataFrame:
    """Visits per path of the given rows, the most first (ties alphabetical)."""
    path = frame["path"]
    if isinstance(path.dtype, pd.CategoricalDtype):
        codes, values = path.cat.codes.to_numpy()[rows], path.cat.categories.astype(str).to_numpy()
        per_code = np.bincount(codes[codes >= 0], minlength=len(values))
        used = np.flatnonzero(per_code)
        counts = pd.DataFrame({"path": values[used], "visits": per_code[used]})
    else:
        counts = path.iloc[rows].astype(str).value_counts(sort=False).rename_axis("path").reset_index(name="visits")
    counts = counts.sort_values(["visits", "path"], ascending=[False, True], kind="stable").head(top)
    counts["visits"] = counts["visits"].astype(np.int64)
    return counts.rename(columns={"path": label}).reset_index(drop=True)


def entry_pages(frame: pd.DataFrame, visits: Visits, top: int = TOP_N) -> pd.DataFrame:
    """The pages visits started on, with how many visits each."""
    return _top_paths(frame, visits.entry_row, "entry page", top)


def exit_pages(frame: pd.DataFrame, visits: Visits, top: int = TOP_N) -> pd.DataFrame:
    """The pages visits ended on, with how many visits each."""
    return _top_paths(frame, visits.exit_row, "exit page", top)
