"""The frame contract: one status-class rule (999 is never 5xx), the empty frame, and who uses them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.alerts import _status_mask
from dashboard.alerts.rules import RULE_METRICS
from dashboard.analysis import explore, traffic
from dashboard.analysis.buckets import window_end
from dashboard.analysis.cube import build_cube
from dashboard.analysis.filters import FilterError, bot_mask
from dashboard.analysis.rows import prepare
from dashboard.analysis.summary import summarize
from dashboard.pipeline import load_log
from dashboard.schema import (
    BASE_COLUMNS,
    OTHER_STATUS,
    STATUS_LABELS,
    TIME_DTYPE,
    empty_frame,
    in_status_class,
    status_class,
)
from support.loglines import combined

STATUSES = np.array([100, 199, 200, 302, 404, 499, 500, 599, 600, 999, 0, 42], dtype=np.int16)
CLASSES = ["1xx", "1xx", "2xx", "3xx", "4xx", "4xx", "5xx", "5xx", "other", "other", "other", "other"]


def test_status_classes_cover_100_to_599_only():
    assert list(status_class(STATUSES)) == CLASSES
    assert list(status_class(pd.Series(STATUSES)).categories) == list(STATUS_LABELS)
    assert in_status_class(STATUSES, "5xx").tolist() == [c == "5xx" for c in CLASSES]
    assert in_status_class(STATUSES, OTHER_STATUS).sum() == 4


def test_alert_rules_count_999_as_no_class():
    frame = pd.DataFrame({"status": STATUSES})
    for metric in ("5xx", "5xx_rate"):
        assert RULE_METRICS[metric][0](frame).tolist() == [c == "5xx" for c in CLASSES]
    assert _status_mask(frame, "5xx").tolist() == [c == "5xx" for c in CLASSES]
    assert _status_mask(frame, "404").sum() == 1


def test_the_empty_frame_has_the_contract_dtypes():
    frame = empty_frame()
    assert tuple(frame.columns) == BASE_COLUMNS
    assert str(frame["time"].dtype) == TIME_DTYPE
    assert (frame["status"].dtype, frame["bytes"].dtype) == (np.int16, np.int64)
    assert isinstance(frame["path"].dtype, pd.CategoricalDtype)


def test_bot_modes():
    is_bot = np.array([True, False])
    assert bot_mask(is_bot, "include") is None
    assert bot_mask(is_bot, "only").tolist() == [True, False]
    assert bot_mask(is_bot, "exclude").tolist() == [False, True]
    with pytest.raises(FilterError):
        bot_mask(is_bot, "some")


def test_999_is_not_5xx_on_either_page_or_in_the_summary(write_log):
    codes = [200, 999, 500, 999]
    lines = [combined("8.8.8.8", f"01/Jun/2026:10:0{i}:00 +0000", "GET / HTTP/1.1", s, 10) for i, s in enumerate(codes)]
    loaded = load_log(write_log(lines))
    cube = build_cube(loaded.frame, "1h", "UTC")
    starts = traffic.bucket_options(cube)
    page = traffic.window_data(loaded.frame, cube, starts[0], window_end(starts, 0, "1h"))
    figures = {f.key: f.value for f in explore.explore(prepare(loaded.frame)).figures}
    assert page.figures["share_5xx"] == figures["share_5xx"] == summarize(loaded)["figures"]["share_5xx"] == 0.25
    assert summarize(loaded)["statuses"] == {"2xx": 1, "5xx": 1, "other": 2}
