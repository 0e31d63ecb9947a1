"""The data behind the Audience page: visits, where they come from, page views vs assets, response times.

One call per log, bot mode, "pages only" switch, bucket and zone (the page caches it); each number comes from
the module that owns its definition (``pages``, ``visits``, ``acquisition``, ``timing``), the same functions
``summary --json`` calls, so the page and the summary agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.analysis import acquisition, pages, timing, visits
from dashboard.analysis.buckets import DEFAULT_BUCKET, DEFAULT_TZ
from dashboard.analysis.filters import bot_mask


@dataclass(frozen=True)
class AudienceData:
    """Every table of the Audience page for one selection (timing tables are None without response times)."""

    requests: int
    pageviews: int
    visit_figures: dict
    entry_pages: pd.DataFrame
    exit_pages: pd.DataFrame
    utm: pd.DataFrame
    referrers: pd.DataFrame
    own_hosts: tuple[str, ...]
    kinds: pd.DataFrame
    static_files: pd.DataFrame
    timing_missing: str | None
    response: dict | None
    top_urls: pd.DataFrame | None
    slowest: pd.DataFrame | None
    over_time: pd.DataFrame | None


def select(frame: pd.DataFrame, bots: str = "include", pages_only: bool = False) -> pd.DataFrame:
    """The rows a selection keeps: the sidebar's bot mode, then page views only when asked."""
    keep = bot_mask(frame["is_bot"], bots) if "is_bot" in frame.columns else None
    if keep is not None:
        frame = frame[keep]
    return frame[pages.pageview_mask(frame)] if pages_only else frame


def audience(
    frame: pd.DataFrame,
    bots: str = "include",
    pages_only: bool = False,
    bucket: str = DEFAULT_BUCKET,
    tz: str = DEFAULT_TZ,
    own_hosts: tuple[str, ...] = (),
) -> AudienceData:
    """Everything the Audience page draws. Visits always count page views (assets never make a visit)."""
    frame = select(frame, bots)
    timed = select(frame, pages_only=pages_only)
    grouped = visits.sessionize(frame)
    own = acquisition.self_hosts(frame, own_hosts)
    urls = timing.by_url(timed)
    return AudienceData(
        requests=len(timed),
        pageviews=pages.count_pageviews(frame),
        visit_figures=visits.visit_figures(grouped),
        entry_pages=visits.entry_pages(frame, grouped),
        exit_pages=visits.exit_pages(frame, grouped),
        utm=acquisition.utm_table(frame, grouped),
        referrers=acquisition.referrer_hosts(frame, grouped, own),
        own_hosts=tuple(sorted(own)),
        kinds=pages.kind_totals(frame),
        static_files=pages.top_assets(frame),
        timing_missing=timing.missing_reason(timed),
        response=timing.response_summary(timed),
        top_urls=timing.top_urls(timed, table=urls),
        slowest=timing.slowest(timed, table=urls),
        over_time=timing.over_time(timed, bucket, tz),
    )
