"""From an alert or the Explore filters to the Lines page: the filters and the window travel in the link."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.alerts.alert import Alert
from dashboard.alerts.drill import alert_filters
from dashboard.analysis.filters import Filter
from dashboard.views.pages import lines_params

T0 = pd.Timestamp("2026-10-10 13:00", tz="UTC")


def _alert(detector: str, subject: str) -> Alert:
    return Alert(T0, T0 + pd.Timedelta("15min"), detector, "warning", subject, 1.0, 9.0, "m")


@pytest.mark.parametrize(
    ("detector", "subject", "expected"),
    [
        ("status", "5xx", [Filter("status", "is", "5xx")]),
        ("status", "404", [Filter("status", "is", "404")]),
        ("scanner", "203.0.113.9", [Filter("ip", "is", "203.0.113.9")]),
        ("scanner", "2001:db8::1", [Filter("ip", "is", "2001:db8::1")]),
        ("surge", "country=BR", [Filter("country", "is", "BR")]),
        ("surge", "browser=Mobile Safari", [Filter("browser", "is", "Mobile Safari")]),
        ("surge", "colour=red", []),  # not a filter field: the window alone
        ("status", "not a status", []),
        ("spike", "requests", []),
        ("rule", "error budget", []),
    ],
)
def test_alert_filters(detector, subject, expected):
    assert alert_filters(_alert(detector, subject)) == expected


def test_lines_params_carry_filters_and_a_utc_window():
    params = lines_params([Filter("status", "is", "5xx")], T0.tz_convert("Europe/Paris"), T0 + pd.Timedelta("1h"))
    assert params == {"f": ["status:is:5xx"], "from": "2026-10-10T13:00:00+00:00", "to": "2026-10-10T14:00:00+00:00"}
    assert lines_params([]) == {}
