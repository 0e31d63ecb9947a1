"""The report's sections beyond the Explore panels: the Audience page's and the Clients page's, and the HTML they
share (escaped tables, figure boxes).

Every number comes from the function the page calls: ``analysis.audience.audience`` (visits, sources, page
views vs assets, response times), ``analysis.networks`` and ``analysis.versions``; the sections only lay the
tables out. Log content is escaped where the HTML is built.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd

from dashboard.analysis import explore, networks, versions
from dashboard.analysis.audience import AudienceData
from dashboard.analysis.figures import Figure
from dashboard.analysis.timing import SLOW_MIN_REQUESTS
from dashboard.analysis.visits import VISIT_TIMEOUT
from dashboard.enrich.asn import AsnTableError, load_asn_table
from dashboard.render import bars
from dashboard.render.audience import percentiles_chart, response_figures, seconds_table, visit_figures
from dashboard.render.format import format_delta, format_value, human_bytes

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
.worldmap{width:100%;max-width:900px;height:auto}.alert{border-left:4px solid #f9a825;padding:2px 12px;margin:12px 0}
.alert.critical{border-color:#c62828}.alert h3{margin:4px 0;font-size:15px}
.chart{min-height:120px}.chart.vega-embed{width:100%;display:flex}section{min-width:0}
footer{margin-top:40px;color:#777;font-size:12px}
"""
NETWORKS_NOTE = (
    "IP to ASN data by RouteViews, NRO and DB-IP (CC BY 4.0); a network is a data centre when its organisation "
    "reads as hosting, cloud or CDN, residential otherwise"
)
VERSION_PANELS = (("Browser versions", "browser", "browser_version"), ("Operating system versions", "os", "os_version"))


def figure_html(figure: Figure) -> str:
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


def heading(data: explore.ExploreData, title: str, meta: Sequence[str]) -> str:
    figures = "".join(figure_html(f) for f in data.figures)
    meta_html = "".join(f'<div class="meta">{html.escape(line)}</div>' for line in meta)
    return f'<h1>{html.escape(title)}</h1>{meta_html}<div class="figures">{figures}</div>'


@dataclass(frozen=True)
class Section:
    """A titled part of the report: a chart, a table, an HTML block (escaped where it is built), or several."""

    title: str
    chart: alt.TopLevelMixin | None
    table: pd.DataFrame | None
    note: str = ""
    block: str = ""
    wide: bool = False


def _cell(value: object, column: str) -> str:
    if isinstance(value, float) and column.startswith("share"):
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


def figure_boxes(figures: Sequence[tuple[str, str]]) -> str:
    """Labelled figures as the report's boxes (the texts are escaped)."""
    boxes = "".join(
        f'<div class="figure"><div class="label">{html.escape(label)}</div>'
        f'<div class="value">{html.escape(value)}</div></div>'
        for label, value in figures
    )
    return f'<div class="figures">{boxes}</div>'


def _sized(table: pd.DataFrame, name: str) -> pd.DataFrame:
    return table.assign(size=[human_bytes(b) for b in table["bytes"]])[[name, "requests", "size"]]


def audience_sections(
    data: AudienceData, tz: str, marked: Callable[[alt.TopLevelMixin], alt.TopLevelMixin]
) -> list[Section]:
    """Visits, entry and exit pages, sources, page views vs assets and response times (``marked`` annotates)."""
    minutes = int(VISIT_TIMEOUT.total_seconds() // 60)
    own = ", ".join(data.own_hosts) or "none detected"
    parts = [
        Section(
            "Visits",
            None,
            None,
            f"a visit is one client + user agent's page views until {minutes} minutes pass without one",
            figure_boxes(visit_figures(data)),
            True,
        ),
        Section("Entry pages", None, data.entry_pages, "" if len(data.entry_pages) else "no visit"),
        Section("Exit pages", None, data.exit_pages, "" if len(data.exit_pages) else "no visit"),
        Section(
            "Referrers",
            None,
            data.referrers,
            f"visits by the referrer of their first page; the site's own hosts left out ({own})",
        ),
        Section(
            "Campaigns (UTM)",
            None,
            data.utm,
            "" if len(data.utm) else "no visit landed on a page with utm_source, utm_medium or utm_campaign",
        ),
        Section(
            "Page views and assets",
            bars.top_bar_chart(data.kinds, "kind", selectable=False),
            _sized(data.kinds, "kind"),
        ),
        Section(
            "Static files",
            None,
            _sized(data.static_files, "path"),
            "" if len(data.static_files) else "no request for a static file",
        ),
    ]
    if data.timing_missing is not None:
        return [*parts, Section("Response time percentiles", None, None, data.timing_missing, wide=True)]
    chart = None
    if data.over_time is not None and len(data.over_time):
        chart = marked(percentiles_chart(data.over_time, tz))
    return [
        *parts,
        Section(
            "Response time percentiles", chart, None, "p50, p95 and p99 over time", figure_boxes(response_figures(data))
        ),
        Section(
            "Slowest endpoints",
            None,
            seconds_table(data.slowest),
            f"by p95, URLs with {SLOW_MIN_REQUESTS} requests or more",
        ),
        Section("Top URLs and the time spent serving them", None, seconds_table(data.top_urls)),
    ]


def network_tables(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Clients page's two network tables: the top networks (asn as ``AS…``) and bots by kind of network."""
    by_network = networks.networks(frame, load_asn_table())
    shown = by_network.head(networks.TOP).assign(asn=lambda t: t["asn"].map(lambda a: f"AS{a}" if a else "—"))
    return shown, networks.bots_by_kind(by_network)


def clients_sections(frame: pd.DataFrame) -> list[Section]:
    """Networks, bots by kind of network, browser and OS versions, methods × protocols per URL."""
    try:
        by_network, kinds = network_tables(frame)
        parts = [
            Section("Networks", None, by_network, NETWORKS_NOTE),
            Section("Bots by kind of network", None, kinds),
        ]
    except AsnTableError as exc:
        parts = [Section("Networks", None, None, str(exc))]
    for title, family, version in VERSION_PANELS:
        table = versions.versions(frame, family, version)
        table = table.groupby("family", sort=False).head(versions.TOP_VERSIONS)
        parts.append(Section(title, None, table[["family", "version", "requests", "share"]], "share of the family"))
    parts.append(Section("Methods and protocols per URL", None, versions.methods_by_path(frame)))
    return parts
