"""The e-mail digest of a report (``report --email``): the headline figures, the audience headline, the alerts
and annotations of the range; the report itself goes as the attachment."""

from __future__ import annotations

import html
from collections.abc import Sequence

from dashboard.alerts.alert import Alert
from dashboard.analysis import explore
from dashboard.analysis.annotations import annotation_table
from dashboard.analysis.audience import AudienceData
from dashboard.render.audience import response_figures, visit_figures
from dashboard.render.report_sections import CSS, figure_boxes, heading
from dashboard.render.theme import WALL_TIME_FORMAT

DIGEST_FIGURES = ("Visits", "Bounce rate", "Page views", "p95")


def audience_headline(people: AudienceData) -> list[tuple[str, str]]:
    """The digest's audience figures: visits, bounce rate, page views and p95 (as the Audience page writes them)."""
    shown = dict(visit_figures(people)) | dict(response_figures(people))
    return [(label, shown.get(label, "–")) for label in DIGEST_FIGURES]


def digest_html(
    data: explore.ExploreData,
    *,
    title: str,
    meta: Sequence[str],
    tz: str,
    alerts: Sequence[Alert],
    annotations,
    people: AudienceData | None = None,
) -> str:
    """The e-mail body of a digest: the figures, the audience headline, the alerts (headlines) and annotations;
    the report is attached."""
    items = "".join(
        f"<li><b>{html.escape(a.severity)}</b> {html.escape(a.detector)} {html.escape(a.subject)}: "
        f"{html.escape(a.message)} ({a.start.tz_convert(tz).strftime(WALL_TIME_FORMAT)})</li>"
        for a in alerts
    )
    notes = "".join(
        f"<li>{html.escape(row.time)} {html.escape(row.text)}</li>"
        for row in annotation_table(annotations, tz).itertuples()
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><style>{CSS}</style></head><body>'
        f"{heading(data, title, meta)}{_audience_block(people)}"
        f"<h2>Alerts</h2>{f'<ul>{items}</ul>' if items else '<p>No alert.</p>'}"
        f"{f'<h2>Annotations</h2><ul>{notes}</ul>' if notes else ''}"
        '<p class="meta">The full report is attached (one HTML file that opens offline).</p></body></html>\n'
    )


def _audience_block(people: AudienceData | None) -> str:
    if people is None:
        return ""
    missing = f'<p class="meta">{html.escape(people.timing_missing)}</p>' if people.timing_missing else ""
    return f"<h2>Audience</h2>{figure_boxes(audience_headline(people))}{missing}"
