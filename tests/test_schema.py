"""The frame contract: one status-class rule (999 is never 5xx), the empty frame, and who uses them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.alerts import RULE_METRICS, _status_mask
from dashboard.analysis.filters import FilterError, bot_mask
from dashboard.schema import (
    BASE_COLUMNS,
    OTHER_STATUS,
    STATUS_LABELS,
    TIME_DTYPE,
    empty_frame,
    in_status_class,
    status_class,
)

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
