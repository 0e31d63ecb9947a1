"""How figures read on the pages and in the report."""

from __future__ import annotations

import pytest

from dashboard.render.format import format_value, human_bytes


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0 B"), (999, "999 B"), (1000, "1.0 kB"), (1_234_567, "1.2 MB"), (5e12, "5.0 TB"), (7e15, "7,000.0 TB")],
)
def test_human_bytes(n: float, text: str) -> None:
    assert human_bytes(n) == text


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        ("requests", 1234567, "1,234,567"),
        ("bytes", 2_500_000, "2.5 MB"),
        ("share_5xx", 0.0375, "3.8%"),
        ("share_bots", 1.0, "100.0%"),
        ("response_avg", 0.2345, "234 ms"),
        ("countries", 12.0, "12"),
    ],
)
def test_format_value(key: str, value: float, text: str) -> None:
    assert format_value(key, value) == text
