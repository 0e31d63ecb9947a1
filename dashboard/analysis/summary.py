"""The ``summary --json`` document: accounting, time range, browsers, countries, statuses, visitors, networks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.analysis.buckets import DEFAULT_BUCKET, DEFAULT_TZ, span_buckets
from dashboard.analysis.figures import count_countries, headline
from dashboard.analysis.networks import bots_by_kind, networks
from dashboard.analysis.pages import count_pageviews, pageview_mask
from dashboard.analysis.timing import missing_reason, response_summary
from dashboard.analysis.visitors import unique_visitors
from dashboard.analysis.visits import sessionize, visit_figures
from dashboard.enrich.asn import AsnTableError, load_asn_table
from dashboard.pipeline import LoadedLog
from dashboard.schema import STATUS_LABELS, is_country, status_codes

TOP_NETWORKS = 10


def _counts(series: pd.Series) -> dict[str, int]:
    counts = series.value_counts()
    return {str(k): int(v) for k, v in counts.items() if v}


def format_label(sources: list[str], formats: list[str], fallback: str) -> str:
    """One format name, or each source with its own when a merge mixes formats."""
    if len(set(formats)) <= 1:
        return formats[0] if formats else fallback
    return ", ".join(f"{source}: {name}" for source, name in zip(sources, formats, strict=True))


def audience(frame: pd.DataFrame) -> dict:
    """Page views, visits, bounce rate and response-time percentiles (seconds; null with the reason when unlogged)."""
    visits = visit_figures(sessionize(frame))
    return {
        "pageviews": count_pageviews(frame),
        "visits": visits["visits"],
        "bounce_rate": visits["bounce_rate"],
        "response_time": response_summary(frame),
        "response_time_missing": missing_reason(frame),
    }


def clients(frame: pd.DataFrame, top: int = TOP_NETWORKS) -> dict:
    """The Clients page's network tables: the top networks and bot/human requests per kind of network (null with
    the reason when the bundled AS table cannot be read)."""
    try:
        table = networks(frame, load_asn_table())
    except AsnTableError as exc:
        return {"networks": None, "bots_by_network_kind": None, "networks_missing": str(exc)}
    kinds = bots_by_kind(table)
    return {
        "networks": [
            {"asn": int(r.asn), "name": str(r.organisation), "requests": int(r.requests), "kind": str(r.kind)}
            for r in table.head(top).itertuples()
        ],
        "bots_by_network_kind": {
            str(r.kind): {
                "bot_requests": int(r.bot_requests),
                "human_requests": int(r.human_requests),
                "share_of_bots": float(r.share_of_bots),
            }
            for r in kinds.itertuples()
        },
        "networks_missing": None,
    }


def summarize(loaded: LoadedLog, bucket: str = DEFAULT_BUCKET, tz: str = DEFAULT_TZ, pages_only: bool = False) -> dict:
    """The ``summary --json`` document: accounting, time range, browsers, countries, statuses, visitors.

    ``pages_only`` counts page views only (``pages.pageview_mask``); the line accounting stays the log's.
    """
    frame, parse = loaded.frame, loaded.parse
    if pages_only:
        frame = frame[pageview_mask(frame)]
    times = frame["time"].dt.tz_convert(tz) if len(frame) else frame["time"]
    countries = _counts(frame["country"]) if len(frame) else {}
    per_class = np.bincount(status_codes(frame["status"]), minlength=len(STATUS_LABELS))
    statuses = {label: int(n) for label, n in zip(STATUS_LABELS, per_class, strict=True) if n}
    visitors = unique_visitors(frame, tz)
    sent = int(frame["bytes"].sum()) if len(frame) else 0
    bots = int(frame["is_bot"].sum()) if len(frame) else 0
    figures = headline(len(frame), visitors, sent, count_countries(countries), per_class, bots)
    return {
        "format": format_label(parse.sources, parse.formats, parse.format.name),
        "scanner": loaded.scanned,
        "sources": parse.sources,
        "source_formats": dict(zip(parse.sources, parse.formats, strict=False)),
        "lines": parse.lines,
        "parsed": parse.parsed,
        "rejected": parse.rejected,
        "start": times.iloc[0].isoformat() if len(frame) else None,
        "end": times.iloc[-1].isoformat() if len(frame) else None,
        "browsers": _counts(frame["browser"]) if len(frame) else {},
        "countries": {k: v for k, v in countries.items() if is_country(k)},
        "non_country": {k: v for k, v in countries.items() if not is_country(k)},
        "statuses": statuses,
        "bots": bots,
        "visitors": visitors,
        "bytes": sent,
        "buckets": span_buckets(times.iloc[0], times.iloc[-1], bucket, tz) if len(frame) else 0,
        "bucket": bucket,
        "tz": tz,
        "pages_only": pages_only,
        "figures": figures,
        **audience(frame),
        **clients(frame),
        "reject_reasons": dict(parse.reasons.most_common()),
        "rejects": [{"source": r.source, "line": r.line, "reason": r.reason, "raw": r.raw} for r in parse.rejects],
    }
