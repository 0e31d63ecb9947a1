"""A self-contained HTML report (the GoAccess habit of mailing one file): figures, charts and tables.

The file opens offline: Vega, Vega-Lite and vega-embed are inlined from ``vl-convert-python``'s bundled
JavaScript (no CDN), and every chart's data is embedded in its spec. Everything from the log is escaped:
text in tables goes through ``html.escape``; chart specs are JSON with ``<``, ``>``, ``&`` and the JavaScript
line separators written as ``\\uXXXX`` so that no log content can close the ``<script>`` element.
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

from dashboard.analysis import explore
from dashboard.analysis.figures import Figure
from dashboard.analysis.filters import Filter
from dashboard.analysis.ranges import preset_range
from dashboard.analysis.rows import prepare
from dashboard.errors import DataBloomError
from dashboard.pipeline import LoadedLog
from dashboard.render import bars, heatmaps, timeline
from dashboard.render.format import format_delta, format_value, shown_ips
from dashboard.render.theme import WALL_TIME_FORMAT

TITLE = "Data Bloom report"
EMBED_OPTIONS = {"actions": False, "mode": "vega-lite", "renderer": "svg"}
JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:24px;
color:#1b1f24;background:#fff}
h1{margin:0 0 4px}h2{margin:32px 0 8px;border-bottom:1px solid #dde0e5;padding-bottom:4px}
.meta{color:#555}.figures{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.figure{border:1px solid #dde0e5;border-radius:8px;padding:10px 14px;min-width:130px}
.figure .label{color:#555;font-size:12px}.figure .value{font-size:22px;font-weight:600}
.up{color:#2e7d32}.down{color:#c62828}.delta{font-size:12px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:24px}
table{border-collapse:collapse;font-size:13px;width:100%}
th,td{border-bottom:1px solid #eceef1;padding:3px 8px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
td.t{word-break:break-all}
.chart{min-height:120px}.chart.vega-embed{width:100%;display:flex}section{min-width:0}
footer{margin-top:40px;color:#777;font-size:12px}
"""


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
class Section:
    """A titled part of the report: a chart, a table, or both."""

    title: str
    chart: alt.TopLevelMixin | None
    table: pd.DataFrame | None
    note: str = ""


def _cell(value: object, column: str) -> str:
    if isinstance(value, float) and column == "share":
        return f'<td class="n">{value:.1%}</td>'
    if isinstance(value, float) and column.endswith("_s"):
        return f'<td class="n">{value:.3f}</td>'
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<td class="n">{value:,}</td>'
    return f'<td class="t">{html.escape(str(value))}</td>'


def html_table(table: pd.DataFrame) -> str:
    """An escaped HTML table of ``table`` (no index)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    rows = []
    for record in table.itertuples(index=False):
        cells = "".join(
            _cell(v.item() if hasattr(v, "item") else v, str(c)) for v, c in zip(record, table.columns, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _figure_html(figure: Figure) -> str:
    delta = ""
    change = format_delta(figure)
    if change is not None and figure.previous is not None:
        direction = "up" if (figure.delta or 0) > 0 else "down" if (figure.delta or 0) < 0 else ""
        previous = format_value(figure.key, figure.previous)
        delta = f'<div class="delta {direction}">{html.escape(change)} vs {html.escape(previous)}</div>'
    value = format_value(figure.key, figure.value)
    return (
        f'<div class="figure"><div class="label">{html.escape(figure.label)}</div>'
        f'<div class="value">{html.escape(value)}</div>{delta}</div>'
    )


def sections(data: explore.ExploreData, tz: str) -> list[Section]:
    """The report's parts, in order (the same panels as the Explore page)."""
    parts = [
        Section(
            "Traffic over time",
            timeline.traffic_chart(data.traffic, data.previous_traffic, "requests", tz),
            None,
            "dashed: the previous period" if data.previous_traffic is not None else "",
        ),
        Section(
            "Unique visitors over time",
            timeline.traffic_chart(data.traffic, data.previous_traffic, "visitors", tz),
            None,
        ),
        Section("Status codes over time", timeline.status_chart(data.status, tz), None),
    ]
    for key, table in data.tops.items():
        title, dimension, _ = explore.TOP_PANELS[key]
        chart = bars.top_bar_chart(table, dimension, selectable=False) if len(table) else None
        parts.append(Section(title, chart, table, f"{int(table['requests'].sum()):,} requests"))
    parts.append(Section("Visitors by weekday × hour", heatmaps.weekday_hour_chart(data.weekday_hour), None))
    if len(data.country_hour):
        parts.append(Section("Countries × hour", heatmaps.country_hour_chart(data.country_hour), None))
    if data.response_over_time is not None and len(data.response_over_time):
        parts.append(
            Section("Response time", timeline.response_time_chart(data.response_over_time, tz), data.response_by_url)
        )
    return parts


def render_html(data: explore.ExploreData, *, title: str, meta: Sequence[str], tz: str) -> str:
    """The whole document."""
    charts: list[tuple[str, dict]] = []
    body = []
    for i, section in enumerate(sections(data, tz)):
        block = [f"<h2>{html.escape(section.title)}</h2>"]
        if section.note:
            block.append(f'<p class="meta">{html.escape(section.note)}</p>')
        if section.chart is not None:
            chart_id = f"chart-{i}"
            charts.append((chart_id, section.chart.properties(width="container").to_dict()))
            block.append(f'<div class="chart" id="{chart_id}"></div>')
        if section.table is not None and len(section.table):
            block.append(html_table(section.table))
        body.append(f"<section>{''.join(block)}</section>")
    figures = "".join(_figure_html(f) for f in data.figures)
    meta_html = "".join(f'<div class="meta">{html.escape(line)}</div>' for line in meta)
    embed = "\n".join(
        f"vegaEmbed({script_json('#' + chart_id)}, {script_json(spec)}, {script_json(EMBED_OPTIONS)})"
        ".catch(function (e) { console.error(e); });"
        for chart_id, spec in charts
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style>"
        f"<script>{vega_bundle()}</script></head><body>"
        f'<h1>{html.escape(title)}</h1>{meta_html}<div class="figures">{figures}</div>'
        f'<div class="grid">{"".join(body)}</div>'
        "<footer>Made with Data Bloom · IP Geolocation by DB-IP (db-ip.com, CC BY 4.0)</footer>"
        f"<script>{embed}</script></body></html>\n"
    )


def report_data(
    loaded: LoadedLog,
    *,
    tz: str = "UTC",
    preset: str = "all",
    filters: Sequence[Filter] = (),
    anonymise: bool = False,
    top: int = explore.TOP_N,
) -> explore.ExploreData:
    """The figures and panels a report shows: the Explore page's data for a preset range (counted on the full
    addresses; ``anonymise`` masks the addresses it shows)."""
    prepared = prepare(loaded.frame, tz)
    period = None if preset == "all" else preset_range(prepared.frame["time"], preset)
    data = explore.explore(prepared, filters, period, compare=period is not None, top=top)
    if anonymise and "ips" in data.tops:
        ips = data.tops["ips"]
        data = replace(data, tops={**data.tops, "ips": ips.assign(ip=shown_ips(ips["ip"], True))})
    return data


def build_report(
    loaded: LoadedLog,
    *,
    tz: str = "UTC",
    preset: str = "all",
    filters: Sequence[Filter] = (),
    anonymise: bool = False,
    top: int = explore.TOP_N,
    title: str = TITLE,
) -> str:
    """The report for a loaded log: a date-range preset (compared with the previous period unless ``all``)."""
    data = report_data(loaded, tz=tz, preset=preset, filters=filters, anonymise=anonymise, top=top)
    meta = [
        f"{', '.join(loaded.parse.sources)} · format {loaded.format_name} · {loaded.parse.lines:,} lines "
        f"({loaded.parse.parsed:,} parsed, {loaded.parse.rejected:,} rejected)",
    ]
    if data.period is not None:
        start, end = data.period.start.tz_convert(tz), data.period.end.tz_convert(tz)
        meta.append(
            f"{start.strftime(WALL_TIME_FORMAT)} → {end.strftime(WALL_TIME_FORMAT)} ({tz}), buckets of {data.bucket}"
        )
    if data.previous is not None:
        note = f": {data.comparison_note}" if data.comparison_note else ""
        meta.append(f"compared with the {preset} before it{note}")
    if filters:
        meta.append("filters: " + " AND ".join(f.label for f in filters))
    if anonymise:
        meta.append("IP addresses anonymised (last IPv4 octet, last 80 IPv6 bits)")
    meta.append(f"generated {datetime.now(UTC).strftime(WALL_TIME_FORMAT)} UTC")
    return render_html(data, title=title, meta=meta, tz=tz)
