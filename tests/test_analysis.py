"""Analysis against a hand-counted log: buckets, time zones, top-N, windows, visitors, cube, summary."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.analysis.buckets import BucketError, bucket_starts, window
from dashboard.analysis.cube import build_cube
from dashboard.analysis.summary import summarize
from dashboard.analysis.top import lump_by_bucket
from dashboard.analysis.visitors import unique_visitors
from dashboard.pipeline import load_log
from support.loglines import UA_CHROME, UA_FIREFOX, UA_GOOGLEBOT, combined

US, GB, PRIVATE = "8.8.8.8", "81.2.69.160", "10.1.2.3"

# (ip, time, status, bytes, agent): 10 requests over 3 hours, hand-countable.
ROWS = [
    (US, "01/Jun/2026:00:10:00 +0000", 200, 100, UA_CHROME),
    (US, "01/Jun/2026:00:20:00 +0000", 200, 100, UA_CHROME),  # same visitor as above
    (GB, "01/Jun/2026:00:30:00 +0000", 404, 10, UA_FIREFOX),
    (GB, "01/Jun/2026:01:05:00 +0100", 500, 0, UA_FIREFOX),  # = 00:05 UTC
    (US, "01/Jun/2026:01:15:00 +0000", 200, 50, UA_GOOGLEBOT),
    (US, "01/Jun/2026:01:45:00 +0000", 301, 0, UA_FIREFOX),
    (PRIVATE, "01/Jun/2026:02:00:00 +0000", 200, 5, UA_CHROME),
    (GB, "01/Jun/2026:02:10:00 +0000", 200, 1000, UA_CHROME),
    (GB, "01/Jun/2026:02:20:00 +0000", 200, 1000, UA_CHROME),
    (US, "02/Jun/2026:02:20:00 +0000", 200, 1, UA_CHROME),  # next day: a new visitor
]


@pytest.fixture
def loaded(write_log):
    lines = [combined(ip, t, "GET / HTTP/1.1", s, b, agent=a) for ip, t, s, b, a in ROWS]
    return load_log(write_log([*lines, "junk"]))


def test_headline_figures(loaded):
    figures = summarize(loaded, "1h", "UTC")["figures"]
    assert figures["requests"] == 10
    assert figures["bytes"] == 2266
    assert figures["countries"] == 2  # the private address is not a country
    assert figures["share_4xx"] == pytest.approx(0.1)
    assert figures["share_5xx"] == pytest.approx(0.1)
    assert figures["share_bots"] == pytest.approx(0.1)
    # visitors: (US,Chrome,d1) (GB,Firefox,d1) (US,Googlebot,d1) (US,Firefox,d1) (private,Chrome,d1)
    # (GB,Chrome,d1) (US,Chrome,d2)
    assert figures["visitors"] == 7


def _counts(loaded, dimension: str, bucket: str) -> pd.DataFrame:
    """Requests and bytes per bucket and value, from the cube (as the Traffic page reads it)."""
    cube = build_cube(loaded.frame, bucket, "UTC")
    return cube.groupby(["bucket", dimension], observed=True)[["requests", "bytes"]].sum().reset_index()


def test_hourly_browser_counts(loaded):
    counts = _counts(loaded, "browser", "1h")
    table = {(b.hour, b.day, br): n for b, br, n in counts[["bucket", "browser", "requests"]].itertuples(index=False)}
    assert table == {
        (0, 1, "Chrome"): 2,
        (0, 1, "Firefox"): 2,
        (1, 1, "Googlebot"): 1,
        (1, 1, "Firefox"): 1,
        (2, 1, "Chrome"): 3,
        (2, 2, "Chrome"): 1,
    }


def test_top_n_lumps_the_rest_as_other(loaded):
    counts = lump_by_bucket(_counts(loaded, "browser", "1D"), "browser", top=1)
    day1 = counts[counts["bucket"].dt.day == 1].set_index("browser")["requests"].to_dict()
    assert day1 == {"Chrome": 5, "Other": 4}
    assert list(counts["browser"].cat.categories) == ["Chrome", "Other"]


def test_top_n_ties_are_alphabetical(loaded):
    counts = lump_by_bucket(_counts(loaded, "country", "1D"), "country", top=2)
    assert list(counts["country"].cat.categories) == ["US", "GB", "Other"]  # 5, 4, then private (1)
    tied = pd.DataFrame({"bucket": [0, 0, 0], "v": ["b", "c", "a"], "requests": [2, 1, 2], "bytes": [0, 0, 0]})
    assert list(lump_by_bucket(tied, "v", top=1)["v"].cat.categories) == ["a", "Other"]


def test_window_is_half_open(loaded):
    start = pd.Timestamp("2026-06-01 01:00", tz="UTC")
    end = pd.Timestamp("2026-06-01 02:00", tz="UTC")
    assert len(window(loaded.frame, start, end)) == 2
    assert len(window(loaded.frame, start, None)) == 6


def test_buckets_in_a_time_zone_are_local_wall_clock(loaded):
    starts = bucket_starts(loaded.frame["time"], "1D", "America/Los_Angeles")
    assert str(starts.dt.tz) == "America/Los_Angeles"
    # 00:10 UTC on 1 June is 17:10 on 31 May in Los Angeles.
    assert starts.iloc[0] == pd.Timestamp("2026-05-31 00:00", tz="America/Los_Angeles")
    assert starts.nunique() == 2


def test_dst_fall_back_hour_is_two_buckets():
    times = pd.Series(pd.to_datetime(["2026-10-25 00:30", "2026-10-25 01:30"], utc=True))
    starts = bucket_starts(times, "1h", "Europe/Berlin")
    # both are 02:30 wall time in Berlin (CEST then CET), but an hour apart: two buckets
    assert starts.nunique() == 2
    assert [s.strftime("%H:%M %z") for s in starts] == ["02:00 +0200", "02:00 +0100"]


def test_half_hour_zones_keep_their_offset():
    times = pd.Series(pd.to_datetime(["2026-06-01 00:10"], utc=True))
    assert bucket_starts(times, "1h", "Asia/Kolkata").iloc[0].strftime("%H:%M") == "05:00"


@pytest.mark.parametrize("bad", ["1M", "0h", "soon"])
def test_bad_bucket_is_a_clear_error(loaded, bad):
    with pytest.raises(BucketError):
        bucket_starts(loaded.frame["time"], bad)


def test_cube(loaded):
    cube = build_cube(loaded.frame, "1D")
    assert cube["requests"].sum() == 10
    assert cube["bytes"].sum() == 2266
    bots = cube[cube["is_bot"]]
    assert bots[["browser", "country", "status_class", "requests"]].values.tolist() == [["Googlebot", "US", "2xx", 1]]
    assert set(cube["country"]) == {"US", "GB", "private"}


@pytest.mark.parametrize(("bucket", "tz"), [("1h", "UTC"), ("15min", "Asia/Kolkata"), ("1D", "Europe/Berlin")])
def test_cube_equals_a_plain_groupby_in_any_row_order(loaded, bucket, tz):
    frame = loaded.frame.sample(frac=1, random_state=3).reset_index(drop=True)  # not time-sorted
    frame.loc[0, "bytes"] = 2**40  # big sums stay exact
    expected = (
        pd.DataFrame(
            {
                "bucket": bucket_starts(frame["time"], bucket, tz),
                "browser": frame["browser"].astype(str),
                "country": frame["country"].astype(str),
                "status_class": (frame["status"] // 100).astype(str) + "xx",
                "is_bot": frame["is_bot"],
                "bytes": frame["bytes"],
            }
        )
        .groupby(["bucket", "browser", "country", "status_class", "is_bot"], sort=True)
        .agg(requests=("bytes", "size"), bytes=("bytes", "sum"))
        .reset_index()
    )
    cube = build_cube(frame, bucket, tz)
    assert cube.to_dict("records") == expected.to_dict("records")
    assert list(cube.columns) == ["bucket", "browser", "country", "status_class", "is_bot", "requests", "bytes"]


def test_summary_document(loaded):
    doc = summarize(loaded, "1h", "UTC")
    assert (doc["lines"], doc["parsed"], doc["rejected"]) == (11, 10, 1)
    assert doc["rejects"][0]["line"] == 11
    assert doc["countries"] == {"US": 5, "GB": 4}
    assert doc["non_country"] == {"private": 1}
    assert doc["statuses"] == {"2xx": 7, "3xx": 1, "4xx": 1, "5xx": 1}
    assert doc["browsers"] == {"Chrome": 6, "Firefox": 3, "Googlebot": 1}
    assert doc["bots"] == 1
    assert doc["visitors"] == unique_visitors(loaded.frame) == 7
    assert doc["buckets"] == 27  # every hour from the first request to the last, empty ones included
    assert doc["start"] == "2026-06-01T00:05:00+00:00"
