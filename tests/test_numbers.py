"""Numbers that never mislead (#14 item 3): every bucket on the grid, comparisons, units, Other, the window."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.analysis.buckets import bucket_grid, bucket_starts, instants


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_bucket_grid_has_every_bucket_and_both_copies_of_the_repeated_hour():
    first, last = utc("2026-10-24 20:10"), utc("2026-10-25 04:59")
    grid = instants(bucket_grid(first.value, last.value, pd.Timedelta("1h"), "Europe/Berlin"), "Europe/Berlin")
    walls = [t.strftime("%H:%M%z") for t in grid]
    assert walls == [
        "22:00+0200", "23:00+0200", "00:00+0200", "01:00+0200", "02:00+0200", "02:00+0100",
        "03:00+0100", "04:00+0100", "05:00+0100",
    ]  # fmt: skip


def test_bucket_grid_follows_the_bucket_policy_of_rows():
    times = pd.Series(pd.date_range(utc("2026-03-28 00:00"), utc("2026-03-30 00:00"), freq="7min"))
    for bucket, tz in (("4h", "Europe/Berlin"), ("1D", "America/New_York"), ("15min", "Asia/Kolkata")):
        rows = bucket_starts(times, bucket, tz).dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
        grid = bucket_grid(times.iloc[0].value, times.iloc[-1].value, pd.Timedelta(bucket), tz)
        assert np.array_equal(grid, np.unique(rows.astype("datetime64[ns]").astype(np.int64)))
