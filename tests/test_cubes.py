"""Saved cubes as a source: reading, checking, re-bucketing, visitors."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.analysis.cube import CubeError, build_cube, load_cube, rebucket, visitors_path, window_visitors
from dashboard.analysis.visitors import unique_visitors
from dashboard.cli import main
from dashboard.pipeline import load_log
from dashboard.sample import write_sample


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cube")
    log = folder / "s.log"
    write_sample(log, lines=20_000, days=2, seed=4)
    out = folder / "cube.parquet"
    assert main(["cube", str(log), "--out", str(out), "--bucket", "15min"]) == 0
    return log, out


def test_rebucketed_cube_equals_a_cube_built_at_that_size(saved):
    log, out = saved
    data = load_cube(out)
    assert data.span == pd.Timedelta(minutes=15)
    assert data.requests == 20_000
    ours, exact = rebucket(data, "4h", "Europe/Berlin")
    assert exact
    direct = build_cube(load_log(log).frame, "4h", "Europe/Berlin")
    key = ["bucket", "browser", "country", "status_class", "is_bot"]
    pd.testing.assert_frame_equal(
        ours.sort_values(key).reset_index(drop=True)[[*key, "requests", "bytes"]],
        direct.sort_values(key).reset_index(drop=True)[[*key, "requests", "bytes"]],
        check_dtype=False,
    )


def test_finer_buckets_are_refused_not_invented(saved):
    _, out = saved
    cube, exact = rebucket(load_cube(out), "5min", "UTC")
    assert not exact
    assert cube["requests"].sum() == 20_000


def test_visitors_table_next_to_the_cube(saved):
    log, out = saved
    assert visitors_path(out).exists()
    data = load_cube(out)
    start, end = data.cube["bucket"].min(), data.cube["bucket"].max() + pd.Timedelta(minutes=15)
    total = window_visitors(data, start, end)
    distinct_per_day = unique_visitors(load_log(log).frame)
    assert distinct_per_day <= total <= 20_000  # a visitor counts once per bucket they appear in


@pytest.mark.parametrize("content", [b"not parquet at all", b"PAR1garbage"])
def test_not_a_cube_is_a_clear_error(tmp_path, content):
    path = tmp_path / "x.parquet"
    path.write_bytes(content)
    with pytest.raises(CubeError, match=r"x\.parquet"):
        load_cube(path, "x.parquet")


def test_a_parquet_file_without_cube_columns(tmp_path):
    path = tmp_path / "other.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(path)
    with pytest.raises(CubeError, match="columns bucket"):
        load_cube(path, "other.parquet")
