"""Visits: sessionization edge cases (the exact timeout, one-page visits, interleaved visitors, unsorted rows,
DST nights, assets), and the figures built on them."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from dashboard.analysis.visitors import client_keys, unique_visitors
from dashboard.analysis.visits import VISIT_TIMEOUT, entry_pages, exit_pages, sessionize, visit_figures
from dashboard.pipeline import load_log
from support.loglines import UA_CHROME, UA_FIREFOX, combined

T0 = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def stamp(moment: datetime) -> str:
    """A combined-format timestamp in the moment's own offset."""
    return moment.strftime("%d/%b/%Y:%H:%M:%S %z")


def log(rows: list[tuple], shuffle: bool = False) -> pd.DataFrame:
    """(seconds after T0 or a datetime, ip, path[, agent]) rows as a parsed combined log."""
    lines = []
    for row in rows:
        when, ip, path, *agent = row
        moment = when if isinstance(when, datetime) else T0 + timedelta(seconds=when)
        lines.append(
            combined(ip, stamp(moment), f"GET {path} HTTP/1.1", 200, 10, agent=agent[0] if agent else UA_FIREFOX)
        )
    if shuffle:
        lines = [lines[i] for i in np.random.default_rng(1).permutation(len(lines))]
    return load_log(io.BytesIO(("\n".join(lines) + "\n").encode()), "combined", name="t").frame


TIMEOUT_S = int(VISIT_TIMEOUT.total_seconds())


@pytest.mark.parametrize(
    ("gap", "visits"),
    [(TIMEOUT_S - 1, 1), (TIMEOUT_S, 1), (TIMEOUT_S + 1, 2), (3 * 3600, 2)],
    ids=["just-under", "exactly-the-timeout", "one-second-over", "hours-later"],
)
def test_a_gap_longer_than_the_timeout_starts_a_new_visit(gap: int, visits: int) -> None:
    frame = log([(0, "8.8.8.8", "/"), (gap, "8.8.8.8", "/pricing")])
    assert visit_figures(sessionize(frame))["visits"] == visits


def test_the_timeout_is_configurable() -> None:
    frame = log([(0, "8.8.8.8", "/"), (600, "8.8.8.8", "/pricing")])
    assert visit_figures(sessionize(frame, timeout=pd.Timedelta(minutes=5)))["visits"] == 2


def test_one_request_visits_are_bounces_of_zero_seconds() -> None:
    frame = log([(0, "8.8.8.8", "/"), (0, "8.8.4.4", "/about"), (60, "8.8.4.4", "/pricing"), (200, "8.8.4.4", "/")])
    figures = visit_figures(sessionize(frame))
    assert figures["visits"] == 2
    assert figures["bounce_rate"] == 0.5
    assert figures["pages_per_visit"] == 2.0
    assert figures["duration_median_s"] == 100.0  # (0 + 200) / 2
    assert figures["duration_mean_s"] == 100.0


def test_interleaved_visitors_keep_their_own_visits() -> None:
    rows = [(i * 600, "8.8.8.8", f"/a{i}") for i in range(4)] + [(i * 600 + 1, "8.8.4.4", f"/b{i}") for i in range(4)]
    frame = log(rows)
    visits = sessionize(frame)
    assert visit_figures(visits)["visits"] == 2
    assert sorted(entry_pages(frame, visits)["entry page"]) == ["/a0", "/b0"]
    assert sorted(exit_pages(frame, visits)["exit page"]) == ["/a3", "/b3"]


def test_the_user_agent_is_part_of_the_visitor() -> None:
    frame = log([(0, "8.8.8.8", "/", UA_FIREFOX), (10, "8.8.8.8", "/about", UA_CHROME)])
    assert visit_figures(sessionize(frame))["visits"] == 2
    assert len(np.unique(client_keys(frame))) == unique_visitors(frame) == 2  # the same visitors as the pages count


def test_unsorted_rows_give_the_same_visits() -> None:
    rows = [(i * 700, "8.8.8.8" if i % 3 else "8.8.4.4", f"/p{i}") for i in range(30)]
    ordered, shuffled = log(rows), log(rows, shuffle=True)
    assert visit_figures(sessionize(ordered)) == visit_figures(sessionize(shuffled))
    a, b = sessionize(ordered), sessionize(shuffled)
    assert sorted(entry_pages(ordered, a).itertuples(index=False)) == sorted(
        entry_pages(shuffled, b).itertuples(index=False)
    )


def test_assets_and_errors_neither_make_nor_extend_a_visit() -> None:
    frame = log([(0, "8.8.8.8", "/"), (1500, "8.8.8.8", "/static/app.js"), (3000, "8.8.8.8", "/pricing")])
    visits = sessionize(frame)
    assert visit_figures(visits)["visits"] == 2  # the asset at 25 min does not bridge the 50-minute gap
    assert visit_figures(sessionize(log([(0, "8.8.8.8", "/static/app.js")])))["visits"] == 0


@pytest.mark.parametrize(
    ("first", "second", "visits", "seconds"),
    [
        # Spring forward (Europe/Berlin, 29 Mar 2026): 01:50 +0100 to 03:10 +0200 is 20 real minutes.
        ("29/Mar/2026:01:50:00 +0100", "29/Mar/2026:03:10:00 +0200", 1, 1200),
        # Fall back (25 Oct 2026): 02:50 +0200 to 02:10 +0100 is 20 real minutes, though the clock went back.
        ("25/Oct/2026:02:50:00 +0200", "25/Oct/2026:02:10:00 +0100", 1, 1200),
        # 02:10 +0200 to 02:50 +0100 reads as 40 minutes on the wall clock but is 100 real minutes.
        ("25/Oct/2026:02:10:00 +0200", "25/Oct/2026:02:50:00 +0100", 2, 0),
    ],
    ids=["spring-forward", "fall-back-20-min", "fall-back-100-min"],
)
def test_daylight_saving_nights_count_real_time(first: str, second: str, visits: int, seconds: int) -> None:
    lines = [combined("8.8.8.8", when, f"GET {p} HTTP/1.1", 200, 1) for when, p in ((first, "/"), (second, "/x"))]
    frame = load_log(io.BytesIO(("\n".join(lines) + "\n").encode()), "combined", name="t").frame
    figures = visit_figures(sessionize(frame))
    assert figures["visits"] == visits
    assert figures["duration_mean_s"] == seconds


def test_a_visit_may_cross_midnight() -> None:
    start = datetime(2026, 6, 1, 23, 50, tzinfo=UTC)
    frame = log([(start, "8.8.8.8", "/"), (start + timedelta(minutes=20), "8.8.8.8", "/about")])
    assert visit_figures(sessionize(frame))["visits"] == 1
    assert unique_visitors(frame) == 2  # the unique-visitor count is per day, a visit is not


def test_no_page_view_means_no_visit_figures() -> None:
    figures = visit_figures(sessionize(log([(0, "8.8.8.8", "/static/app.js")]).iloc[0:0]))
    assert figures == {
        "visits": 0,
        "bounce_rate": None,
        "duration_median_s": None,
        "duration_mean_s": None,
        "pages_per_visit": None,
    }


def test_entry_and_exit_pages_rank_by_visits_then_name() -> None:
    frame = log(
        [(0, "1.1.1.1", "/b"), (0, "1.0.0.1", "/b"), (0, "8.8.8.8", "/a"), (60, "8.8.8.8", "/c"), (0, "9.9.9.9", "/a")]
    )
    visits = sessionize(frame)
    assert entry_pages(frame, visits).to_dict("list") == {"entry page": ["/a", "/b"], "visits": [2, 2]}
    assert exit_pages(frame, visits, top=2).to_dict("list") == {"exit page": ["/b", "/a"], "visits": [2, 1]}


def test_entry_pages_of_a_plain_string_path_column_match_the_categorical() -> None:
    frame = log([(0, "1.1.1.1", "/b"), (0, "8.8.8.8", "/a"), (60, "8.8.8.8", "/c"), (0, "9.9.9.9", "/a")])
    plain = frame.assign(path=frame["path"].astype(str))
    assert entry_pages(frame, sessionize(frame)).equals(entry_pages(plain, sessionize(plain)))
    assert exit_pages(frame, sessionize(frame)).equals(exit_pages(plain, sessionize(plain)))
