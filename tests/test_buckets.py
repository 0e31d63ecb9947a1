"""The one bucket policy: wall-clock spans in the display zone, keyed by the UTC instant of their start."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.analysis import explore
from dashboard.analysis.buckets import bucket_labels, bucket_starts, groups
from dashboard.analysis.cube import build_cube
from dashboard.analysis.rows import prepare, select_rows

BERLIN = "Europe/Berlin"
# Every 10 minutes from 22:00 UTC on 24 October to 04:00 UTC on 25 October 2026: Berlin falls back at 01:00 UTC
# (03:00 CEST → 02:00 CET), so 02:00-03:00 happens twice on the wall clock.
FALL_BACK = pd.Series(pd.date_range("2026-10-24 22:00", "2026-10-25 04:00", freq="10min", tz="UTC", inclusive="left"))
# Every 10 minutes around 29 March 2026, when Berlin springs forward at 01:00 UTC (02:00 CET → 03:00 CEST).
SPRING = pd.Series(pd.date_range("2026-03-28 22:00", "2026-03-29 04:00", freq="10min", tz="UTC", inclusive="left"))


def _frame(times: pd.Series) -> pd.DataFrame:
    n = len(times)
    return pd.DataFrame(
        {
            "time": times.dt.as_unit("us"),
            "ip": pd.Categorical(["10.0.0.1"] * n),
            "user_agent": pd.Categorical(["curl/8"] * n),
            "status": np.full(n, 200, dtype=np.int16),
            "bytes": np.ones(n, dtype=np.int64),
            "is_bot": np.zeros(n, dtype=bool),
            "browser": pd.Categorical(["curl"] * n),
            "country": pd.Categorical(["US"] * n),
        }
    )


def _labels(times: pd.Series, bucket: str, tz: str = BERLIN) -> list[str]:
    return bucket_labels(sorted(pd.unique(bucket_starts(times, bucket, tz))))


def test_the_repeated_hour_is_two_buckets_labelled_with_their_offset():
    labels = _labels(FALL_BACK, "1h")
    assert labels == [
        "2026-10-25 00:00",
        "2026-10-25 01:00",
        "2026-10-25 02:00 (+0200)",
        "2026-10-25 02:00 (+0100)",
        "2026-10-25 03:00",
        "2026-10-25 04:00",
    ]


def test_a_bucket_longer_than_the_repeated_hour_starts_at_its_wall_clock_floor():
    starts = bucket_starts(FALL_BACK, "4h", BERLIN)
    assert [s.strftime("%H:%M %z") for s in pd.unique(starts)] == ["00:00 +0200", "04:00 +0100"]
    assert (starts == pd.Timestamp("2026-10-25 00:00", tz=BERLIN)).sum() == 5 * 6  # 00:00-04:00 is 5 hours


def test_spring_forward_keeps_one_bucket_per_wall_clock_floor():
    assert _labels(SPRING, "4h") == ["2026-03-28 20:00", "2026-03-29 00:00", "2026-03-29 04:00"]
    # 02:00 does not exist that night: the 02:00-04:00 bucket starts when the clock shows 03:00
    assert _labels(SPRING, "2h") == ["2026-03-28 22:00", "2026-03-29 00:00", "2026-03-29 03:00", "2026-03-29 04:00"]


def test_days_start_at_local_midnight_whatever_the_offset():
    starts = bucket_starts(FALL_BACK, "1D", BERLIN)
    assert list(pd.unique(starts)) == [pd.Timestamp("2026-10-25", tz=BERLIN)]


@pytest.mark.parametrize("bucket", ["15min", "1h", "2h", "4h", "1D"])
@pytest.mark.parametrize("times", [FALL_BACK, SPRING], ids=["fall-back", "spring-forward"])
def test_traffic_cube_and_explore_count_the_same_buckets(times, bucket):
    frame = _frame(times)
    cube = build_cube(frame, bucket, BERLIN)
    data = explore.explore(prepare(frame, BERLIN), bucket=bucket)
    assert list(data.traffic["time"]) == sorted(pd.unique(cube["bucket"]))
    assert data.traffic["requests"].tolist() == cube.groupby("bucket")["requests"].sum().tolist()
    status = data.status.groupby("time")["requests"].sum()
    assert status.tolist() == data.traffic["requests"].tolist()


def test_explore_buckets_follow_the_rows_in_any_order():
    frame = _frame(FALL_BACK)
    rows = select_rows(prepare(frame, BERLIN), None, None)
    shuffled = rows.subset(np.ones(len(rows), bool))
    assert explore.traffic(rows, "1h").equals(explore.traffic(shuffled, "1h"))
    starts = bucket_starts(frame["time"].sample(frac=1, random_state=2), "1h", BERLIN).sort_index()
    assert starts.equals(bucket_starts(frame["time"], "1h", BERLIN))


def test_groups_of_sorted_and_unsorted_keys():
    assert [a.tolist() for a in groups(np.array([1, 1, 5, 7, 7]))] == [[1, 5, 7], [0, 0, 1, 2, 2]]
    assert [a.tolist() for a in groups(np.array([7, 1, 7]))] == [[1, 7], [1, 0, 1]]
