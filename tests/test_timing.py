"""Response times: percentiles against numpy on a known set, per URL, over time (DST), and logs without them."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from dashboard.analysis import timing
from dashboard.pipeline import load_log
from support.loglines import combined

KNOWN = [0.012, 0.003, 0.250, 0.004, 0.090, 1.500, 0.031, 0.007, 0.045, 0.008, 0.120, 0.002]


def timed_log(rows: list[tuple[str, str, int]], fmt: str = "combined_time_us") -> pd.DataFrame:
    """(local time, path, microseconds) rows as a combined + %D log, parsed."""
    lines = [combined("8.8.8.8", when, f"GET {path} HTTP/1.1", 200, 10) + f" {micros}" for when, path, micros in rows]
    return load_log(io.BytesIO(("\n".join(lines) + "\n").encode()), fmt, name="t").frame


def known_frame() -> pd.DataFrame:
    rows = [(f"01/Jun/2026:10:{i:02d}:00 +0000", "/a" if i % 2 else "/b", round(s * 1e6)) for i, s in enumerate(KNOWN)]
    return timed_log(rows)


def test_the_parser_fills_seconds_from_microseconds() -> None:
    frame = known_frame()
    assert np.allclose(frame[timing.COLUMN].to_numpy(), KNOWN)


def test_percentiles_equal_numpys() -> None:
    summary = timing.response_summary(known_frame())
    expected = np.quantile(KNOWN, [0.5, 0.95, 0.99])
    assert summary == pytest.approx({"p50": expected[0], "p95": expected[1], "p99": expected[2], "max": 1.5})


def test_per_url_percentiles_time_served_and_order() -> None:
    frame = known_frame()
    table = timing.by_url(frame).set_index("path")
    for path, values in (("/a", KNOWN[1::2]), ("/b", KNOWN[0::2])):
        row = table.loc[path]
        assert row["requests"] == len(values)
        assert row["total_s"] == pytest.approx(sum(values))
        assert row["avg_s"] == pytest.approx(np.mean(values))
        assert [row["p50"], row["p95"], row["p99"]] == pytest.approx(np.quantile(values, [0.5, 0.95, 0.99]))
        assert row["max"] == pytest.approx(max(values))
    slow = timing.slowest(frame, min_requests=1)
    assert slow["path"].tolist() == ["/a", "/b"]  # /a holds the 1.5 s request: its p95 is higher
    assert timing.slowest(frame, min_requests=7).empty  # each URL has 6 requests
    assert timing.top_urls(frame, top=1)["path"].tolist() == ["/a"]  # equal counts: the longer time served first


def test_dashes_are_left_out_not_counted_as_zero() -> None:
    lines = [
        combined("8.8.8.8", "01/Jun/2026:10:00:00 +0000", "GET / HTTP/1.1", 200, 1) + " 0.500",
        combined("8.8.8.8", "01/Jun/2026:10:00:01 +0000", "GET / HTTP/1.1", 200, 1) + " -",
    ]
    frame = load_log(io.BytesIO(("\n".join(lines) + "\n").encode()), "combined_time", name="t").frame
    assert timing.response_summary(frame) == pytest.approx({"p50": 0.5, "p95": 0.5, "p99": 0.5, "max": 0.5})
    only_dash = frame.iloc[1:]
    assert timing.missing_reason(only_dash) == timing.NO_VALUES
    assert timing.response_summary(only_dash) is None


def test_a_log_without_response_times_says_why() -> None:
    frame = load_log(
        io.BytesIO((combined("8.8.8.8", "01/Jun/2026:10:00:00 +0000", "GET / HTTP/1.1", 200, 1) + "\n").encode()),
        "combined",
        name="t",
    ).frame
    assert timing.missing_reason(frame) == timing.NO_COLUMN
    assert "%D" in timing.NO_COLUMN and "$request_time" in timing.NO_COLUMN
    for table in (timing.response_summary, timing.by_url, timing.top_urls, timing.slowest, timing.over_time):
        assert table(frame) is None


def test_over_time_keeps_the_repeated_fall_back_hour_as_two_buckets() -> None:
    # Europe/Berlin, 25 Oct 2026: 02:00-03:00 happens twice (+0200, then +0100).
    rows = [
        ("25/Oct/2026:02:10:00 +0200", "/", 100_000),
        ("25/Oct/2026:02:20:00 +0200", "/", 300_000),
        ("25/Oct/2026:02:10:00 +0100", "/", 2_000_000),
    ]
    table = timing.over_time(timed_log(rows), "1h", "Europe/Berlin")
    assert table["requests"].tolist() == [2, 1]
    assert [t.utcoffset().total_seconds() / 3600 for t in table["time"]] == [2, 1]
    assert table["p50"].tolist() == pytest.approx([0.2, 2.0])
    assert table["max"].tolist() == pytest.approx([0.3, 2.0])


def test_over_time_has_every_bucket_an_hour_without_requests_included() -> None:
    rows = [
        ("01/Jun/2026:10:10:00 +0000", "/", 100_000),
        ("01/Jun/2026:12:20:00 +0000", "/", 300_000),
        ("01/Jun/2026:12:40:00 +0000", "/", 500_000),
    ]
    table = timing.over_time(timed_log(rows), "1h", "UTC")
    assert [t.hour for t in table["time"]] == [10, 11, 12]
    assert table["requests"].tolist() == [1, 0, 2]
    assert np.isnan(table["p50"].iloc[1])  # no request, no figure: not the hour before carried on
    assert table["p50"].iloc[2] == pytest.approx(0.4)
