"""From an alert to the rows behind it: the filters and the time window that select them (the Lines page)."""

from __future__ import annotations

from dashboard.alerts.alert import Alert
from dashboard.analysis.filters import FIELDS, Filter, FilterError, check_filter


def alert_filters(alert: Alert) -> list[Filter]:
    """The filters that select an alert's rows within its window ([] for whole-traffic alerts and rules).

    status → the class or code; scanner → the client address; surge ``dimension=value`` → that field.
    """
    candidates: list[Filter] = []
    if alert.detector == "status":
        candidates.append(Filter("status", "is", alert.subject))
    elif alert.detector == "scanner":
        candidates.append(Filter("ip", "is", alert.subject))
    elif alert.detector == "surge" and "=" in alert.subject:
        dimension, value = alert.subject.split("=", 1)
        if dimension in FIELDS:
            candidates.append(Filter(dimension, "is", value))
    kept = []
    for f in candidates:
        try:
            kept.append(check_filter(f))
        except FilterError:
            continue  # a subject that is no filter value: the window alone still narrows the lines
    return kept
