"""A self-contained HTML report (the GoAccess habit of mailing one file): figures, charts, tables, the world map,
the alerts of the range with their evidence, the annotations (also drawn on every time chart), and the Audience
and Clients pages' panels (``report_sections``) over the same rows.

The file opens offline: Vega, Vega-Lite and vega-embed are inlined from ``vl-convert-python``'s bundled
JavaScript (no CDN), every chart's data is embedded in its spec, and the map is inline SVG. Everything from the
log is escaped: text in tables goes through ``html.escape``; chart specs are JSON with ``<``, ``>``, ``&`` and
the JavaScript line separators written as ``\\uXXXX`` so that no log content can close the ``<script>`` element.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache

import altair as alt
import pandas as pd

from dashboard.alerts import detect_alerts
from dashboard.alerts.alert import Alert
from dashboard.alerts.mask import shown_alert
from dashboard.analysis import explore
from dashboard.analysis.annotations import Annotation, annotation_table, within
from dashboard.analysis.audience import AudienceData, audience
from dashboard.analysis.buckets import check_bucket
from dashboard.analysis.filters import Filter, filter_mask
from dashboard.analysis.ranges import preset_range
from dashboard.analysis.rows import prepare, select_rows
from dashboard.errors import DataBloomError
from dashboard.pipeline import LoadedLog
from dashboard.render import bars, heatmaps, timeline
from dashboard.render.annotations import annotate, time_range
from dashboard.render.digest import digest_html
from dashboard.render.format import shown_ips
from dashboard.render.report_sections import (
    CSS,
    Section,
    audience_sections,
    clients_sections,
    heading,
    html_table,
)
from dashboard.render.theme import WALL_TIME_FORMAT
from dashboard.render.worldmap import world_svg

TITLE = "Data Bloom report"

EVIDENCE_ROWS = 5  # evidence lines shown per alert
EMBED_OPTIONS = {"actions": False, "mode": "vega-lite", "renderer": "svg"}
JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


class ReportError(DataBloomError):
    """The report cannot be written (the offline JavaScript bundle is missing)."""


def vega_lite_version() -> str:
    """The Vega-Lite version Altair writes specs for, as vl-convert names it ('v6.4' for schema v6.4.1)."""
    return ".".join(alt.SCHEMA_VERSION.split(".")[:2])


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega + Vega-Lite + vega-embed as one script, from vl-convert-python (no network)."""
    try:
        import vl_convert
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ReportError("the HTML report needs the vl-convert-python package (pip install it)") from exc
    script = vl_convert.javascript_bundle(vl_version=vega_lite_version())
    return script.replace("</script", "<\\/script")


def script_json(value: object) -> str:
    """JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, default=str)
    for char, escaped in JSON_ESCAPES.items():
        text = text.replace(char, escaped)
    return text


@dataclass(frozen=True)
class Report:
    """The report document, the digest mailed with it (``report --email``) and the alerts both list."""

    html: str
    digest: str
    alerts: list[Alert]


def sections(
    data: explore.ExploreData,
    tz: str,
    annotations: Sequence[Annotation] = (),
    people: AudienceData | None = None,
    rows: pd.DataFrame | None = None,
) -> list[Section]:
    """The report's parts, in order: the Explore page's panels, then the Audience page's (``people``) and the
    Clients page's (over ``rows``) when given; annotations on every time chart."""
    start, end = time_range(data.traffic, "time", check_bucket(data.bucket))

    def marked(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
        return annotate(chart, annotations, tz, start, end)

    parts = [
        Section(
            "Traffic over time",
            marked(timeline.traffic_chart(data.traffic, data.previous_traffic, "requests", tz)),
            None,
            "dashed: the previous period" if data.previous_traffic is not None else "",
        ),
        Section(
            "Unique visitors over time",
            marked(timeline.traffic_chart(data.traffic, data.previous_traffic, "visitors", tz)),
            None,
        ),
        Section("Status codes over time", marked(timeline.status_chart(data.status, tz)), None),
    ]
    for key, table in data.tops.items():
        title, dimension, _ = explore.TOP_PANELS[key]
        chart = bars.top_bar_chart(table, dimension, selectable=False) if len(table) else None
        parts.append(Section(title, chart, table, f"{int(table['requests'].sum()):,} requests"))
    parts.append(Section("Visitors by weekday × hour", heatmaps.weekday_hour_chart(data.weekday_hour), None))
    if len(data.country_hour):
        parts.append(Section("Countries × hour", heatmaps.country_hour_chart(data.country_hour), None))
    if data.response_over_time is not None and len(data.response_over_time):
        chart = marked(timeline.response_time_chart(data.response_over_time, tz))
        parts.append(Section("Response time", chart, data.response_by_url))
    parts.append(
        Section(
            "Requests by country", None, None, "hover a country for its figure", world_svg(data.country_totals), True
        )
    )
    if people is not None:
        parts.extend(audience_sections(people, tz, marked))
    if rows is not None and len(rows):
        parts.extend(clients_sections(rows))
    return parts


def alert_html(alert: Alert, tz: str) -> str:
    """One alert: what fired, its window in ``tz``, expected vs observed in its unit, the first evidence rows."""
    start, end = alert.start.tz_convert(tz), alert.end.tz_convert(tz)
    unit = f" {alert.unit}" if alert.unit else ""
    parts = [
        f'<div class="alert {html.escape(alert.severity)}">',
        f"<h3>{html.escape(' · '.join((alert.severity.upper(), alert.detector, alert.subject)))}</h3>",
        f"<p>{html.escape(alert.message)}</p>",
        f'<p class="meta">{start.strftime(WALL_TIME_FORMAT)} → {end.strftime(WALL_TIME_FORMAT)} ({html.escape(tz)}) · '
        f"expected {alert.expected:,.3g}{html.escape(unit)}, observed {alert.observed:,.3g}{html.escape(unit)}</p>",
    ]
    if len(alert.evidence):
        shown = alert.evidence.head(EVIDENCE_ROWS).astype(str)
        more = len(alert.evidence) - len(shown)
        parts.append(html_table(shown))
        if more > 0:
            parts.append(f'<p class="meta">and {more:,} more evidence rows (databloom alerts --evidence)</p>')
    parts.append("</div>")
    return "".join(parts)


def alerts_section(alerts: Sequence[Alert], tz: str) -> Section:
    """Every alert of the range, or a line saying there was none."""
    block = "".join(alert_html(a, tz) for a in alerts) or '<p class="meta">No alert in this range.</p>'
    note = f"{len(alerts)} alert(s), detected over the whole log (the report's filters do not apply)"
    return Section("Alerts", None, None, note, block, True)


def annotations_section(annotations: Sequence[Annotation], tz: str) -> Section:
    """The annotations of the range as a table (they are also drawn on the time charts)."""
    table = annotation_table(annotations, tz)
    return Section("Annotations", None, table, "drawn as dashed lines on the time charts" if len(table) else "none")


def _section_html(section: Section, chart_id: str, charts: list[tuple[str, dict]]) -> str:
    block = [f"<h2>{html.escape(section.title)}</h2>"]
    if section.note:
        block.append(f'<p class="meta">{html.escape(section.note)}</p>')
    if section.chart is not None:
        charts.append((chart_id, section.chart.properties(width="container").to_dict()))
        block.append(f'<div class="chart" id="{chart_id}"></div>')
    if section.table is not None and len(section.table):
        block.append(html_table(section.table))
    block.append(section.block)
    style = ' style="grid-column:1/-1"' if section.wide else ""
    return f"<section{style}>{''.join(block)}</section>"


def render_html(
    data: explore.ExploreData,
    *,
    title: str,
    meta: Sequence[str],
    tz: str,
    alerts: Sequence[Alert] = (),
    annotations: Sequence[Annotation] = (),
    people: AudienceData | None = None,
    rows: pd.DataFrame | None = None,
) -> str:
    """The whole document."""
    charts: list[tuple[str, dict]] = []
    parts = [alerts_section(alerts, tz), *sections(data, tz, annotations, people, rows)]
    if annotations:
        parts.append(annotations_section(annotations, tz))
    body = [_section_html(section, f"chart-{i}", charts) for i, section in enumerate(parts)]
    embed = "\n".join(
        f"vegaEmbed({script_json('#' + chart_id)}, {script_json(spec)}, {script_json(EMBED_OPTIONS)})"
        ".catch(function (e) { console.error(e); });"
        for chart_id, spec in charts
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style>"
        f"<script>{vega_bundle()}</script></head><body>{heading(data, title, meta)}"
        f'<div class="grid">{"".join(body)}</div>'
        "<footer>Made with Data Bloom · IP Geolocation by DB-IP (db-ip.com, CC BY 4.0) · "
        "Country shapes: Natural Earth (public domain)</footer>"
        f"<script>{embed}</script></body></html>\n"
    )


def report_data(loaded: LoadedLog, **options) -> explore.ExploreData:
    """The figures and panels a report shows: the Explore page's data for a preset range (counted on the full
    addresses; ``anonymise`` masks the addresses it shows); the options are ``report_selection``'s."""
    return report_selection(loaded, **options)[0]


def report_selection(
    loaded: LoadedLog,
    *,
    tz: str = "UTC",
    preset: str = "all",
    filters: Sequence[Filter] = (),
    anonymise: bool = False,
    top: int = explore.TOP_N,
) -> tuple[explore.ExploreData, pd.DataFrame]:
    """The Explore data of the range (see ``report_data``) and its rows after the filters, on the full addresses:
    what the Audience and Clients sections count."""
    prepared = prepare(loaded.frame, tz)
    period = None if preset == "all" else preset_range(prepared.frame["time"], preset)
    data = explore.explore(prepared, filters, period, compare=period is not None, top=top)
    if anonymise and "ips" in data.tops:
        ips = data.tops["ips"]
        data = replace(data, tops={**data.tops, "ips": ips.assign(ip=shown_ips(ips["ip"], True))})
    mask = filter_mask(prepared.frame, filters) if filters else None
    chosen = select_rows(prepared, mask, period).index
    return data, prepared.frame.iloc[chosen]


def report_alerts(
    loaded: LoadedLog, data: explore.ExploreData, *, anonymise: bool = False, config: dict | None = None
) -> list[Alert]:
    """The alerts overlapping the report's range, detected over the whole log (history is their baseline) on the
    full addresses; ``anonymise`` masks the addresses they show (subject, message, evidence)."""
    alerts = detect_alerts(loaded.frame, config)
    if data.period is not None:
        alerts = [a for a in alerts if a.end > data.period.start and a.start < data.period.end]
    return [shown_alert(a, anonymise) for a in alerts]


def make_report(
    loaded: LoadedLog,
    *,
    tz: str = "UTC",
    preset: str = "all",
    filters: Sequence[Filter] = (),
    anonymise: bool = False,
    top: int = explore.TOP_N,
    title: str = TITLE,
    annotations: Sequence[Annotation] = (),
    alerts_config: dict | None = None,
) -> Report:
    """The report for a loaded log: a date-range preset (compared with the previous period unless ``all``)."""
    data, rows = report_selection(loaded, tz=tz, preset=preset, filters=filters, anonymise=anonymise, top=top)
    people = audience(rows, bucket=data.bucket, tz=tz)
    alerts = report_alerts(loaded, data, anonymise=anonymise, config=alerts_config)
    start, end = time_range(data.traffic, "time", check_bucket(data.bucket))
    shown = within(annotations, start, end)
    meta = [
        f"{', '.join(loaded.parse.sources)} · format {loaded.format_name} · {loaded.parse.lines:,} lines "
        f"({loaded.parse.parsed:,} parsed, {loaded.parse.rejected:,} rejected)",
    ]
    if data.period is not None:
        first, last = data.period.start.tz_convert(tz), data.period.end.tz_convert(tz)
        meta.append(
            f"{first.strftime(WALL_TIME_FORMAT)} → {last.strftime(WALL_TIME_FORMAT)} ({tz}), buckets of {data.bucket}"
        )
    if data.previous is not None:
        note = f": {data.comparison_note}" if data.comparison_note else ""
        meta.append(f"compared with the {preset} before it{note}")
    if filters:
        meta.append("filters: " + " AND ".join(f.label for f in filters))
    if anonymise:
        meta.append("IP addresses anonymised (last IPv4 octet, last 80 IPv6 bits)")
    meta.append(f"generated {datetime.now(UTC).strftime(WALL_TIME_FORMAT)} UTC")
    document = render_html(
        data, title=title, meta=meta, tz=tz, alerts=alerts, annotations=shown, people=people, rows=rows
    )
    digest = digest_html(data, title=title, meta=meta, tz=tz, alerts=alerts, annotations=shown, people=people)
    return Report(document, digest, alerts)


def build_report(loaded: LoadedLog, **options) -> str:
    """The report document alone (see ``make_report`` for the options)."""
    return make_report(loaded, **options).html
