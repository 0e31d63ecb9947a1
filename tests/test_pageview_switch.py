"""The sidebar's page-views switch and the ``kind`` filter: one truth (``analysis.pages``) on every page and surface.

The switch adds ``kind:pageview`` to each page's filters, as the bot mode adds ``bots:is:…``; the Traffic page
counts a page-view log of its own, and on a store reads the page views as rows (the rollups have no kind).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.analysis.filters import (
    PAGEVIEWS,
    Filter,
    FilterError,
    check_filter,
    filter_mask,
    parse_param,
    with_settings,
)
from dashboard.analysis.pages import KINDS, kind_codes, pageview_mask
from dashboard.analysis.query import QueryError, format_query, parse_query
from dashboard.pipeline import load_log
from dashboard.store.query import open_store
from dashboard.store.rows import read_rows
from dashboard.store.traffic import pageview_rows
from dashboard.views.config import SAMPLE_LINES
from support.loglines import combined
from support.storeapp import APP, EXPLORE_APP, history, run, snapshot

SUPPORT = Path(__file__).resolve().parent / "support"
CLIENTS_APP, LINES_APP, AUDIENCE_APP = (SUPPORT / f"{n}_app.py" for n in ("clients", "lines", "audience"))
SWITCH = {"pageviews": "true"}
# (request, status): pages, a revalidated page, assets, API and feed calls, an error, a redirect, a POST
REQUESTS = [
    ("GET / HTTP/1.1", 200),
    ("GET /blog/post-1 HTTP/1.1", 200),
    ("GET /blog/post-2 HTTP/1.1", 304),
    ("GET /about.html HTTP/1.1", 200),
    ("GET /static/app.css HTTP/1.1", 200),
    ("GET /img/logo.png HTTP/1.1", 200),
    ("GET /api/items HTTP/1.1", 200),
    ("GET /feed HTTP/1.1", 200),
    ("GET /missing HTTP/1.1", 404),
    ("GET /old HTTP/1.1", 301),
    ("POST /contact HTTP/1.1", 200),
    ("HEAD / HTTP/1.1", 200),
]


def _lines(n: int = 240) -> list[str]:
    """``n`` requests cycling through ``REQUESTS`` from a handful of clients, one a minute."""
    out = []
    for i in range(n):
        request, status = REQUESTS[i % len(REQUESTS)]
        when = f"10/Oct/2026:{10 + i // 60:02d}:{i % 60:02d}:00 +0000"
        out.append(combined(f"198.51.100.{i % 7 + 1}", when, request, status, 500 + i))
    return out


@pytest.fixture
def small_log(tmp_path, monkeypatch):
    """A small log of every kind of request, as the pages' --log, with its loaded frame."""
    from dashboard.views import cache

    path = tmp_path / "access.log"
    path.write_text("\n".join(_lines()) + "\n")
    monkeypatch.setenv("DATABLOOM_ARGS", f"--log {path}")
    cache.clear_all()
    yield load_log([path]).frame
    cache.clear_all()


def _frame(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    """A frame of (method, path, status) rows, the columns the classifier reads."""
    method, path, status = zip(*rows, strict=True)
    return pd.DataFrame(
        {"method": pd.Categorical(method), "path": pd.Categorical(path), "status": np.array(status, np.int16)}
    )


FRAME = _frame(
    [
        ("GET", "/", 200),
        ("GET", "/docs/", 304),
        ("GET", "/app.js", 200),
        ("GET", "/api/v1/users", 200),
        ("GET", "/gone", 404),
        ("POST", "/form", 200),
        ("GET", "/static/logo.svg", 304),
        ("GET", "/robots.txt", 200),
    ]
)


# --- the filter and the query bar -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("param", "expected"),
    [
        ("kind:is:pageview", [True, True, False, False, False, False, False, False]),
        ("kind:is:page", [True, True, False, False, True, True, False, False]),
        ("kind:is:asset", [False, False, True, False, False, False, True, False]),
        ("kind:is:other", [False, False, False, True, False, False, False, True]),
        ("kind:not:asset", [True, True, False, True, True, True, False, True]),
        ("kind:not:pageview", [False, False, True, True, True, True, True, True]),
    ],
)
def test_the_kind_filter_keeps_the_rows_of_a_kind(param, expected):
    assert filter_mask(FRAME, [parse_param(param)]).tolist() == expected


def test_the_kind_filter_is_the_classifier():
    """Each kind's rows are those ``kind_codes`` gives that kind; page views are ``pageview_mask``."""
    for code, kind in enumerate(KINDS):
        np.testing.assert_array_equal(filter_mask(FRAME, [Filter("kind", "is", kind)]), kind_codes(FRAME) == code)
    np.testing.assert_array_equal(filter_mask(FRAME, [PAGEVIEWS]), pageview_mask(FRAME))


@pytest.mark.parametrize(
    ("text", "filters"),
    [
        ("kind:pageview", [Filter("kind", "is", "pageview")]),
        ("-kind:asset status:2xx", [Filter("kind", "not", "asset"), Filter("status", "is", "2xx")]),
        ("-bot kind:page", [Filter("bots", "is", "exclude"), Filter("kind", "is", "page")]),
    ],
)
def test_the_query_bar_reads_and_writes_kind(text, filters):
    assert parse_query(text) == filters
    assert parse_query(format_query(filters)) == filters


@pytest.mark.parametrize(
    ("text", "position", "reason"),
    [
        ("status:5xx kind:pages", 16, "kind is one of page, asset, other, pageview, not 'pages'"),
        ("kind:PageView", 5, "kind is one of page, asset, other, pageview"),
        ("kind~page", 5, "kind takes is / not, not 'regex'"),
        ("kind:*page*", 5, "kind takes is / not, not 'contains'"),
    ],
)
def test_an_unknown_kind_is_told_at_its_value(text, position, reason):
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert caught.value.position == position
    assert reason in caught.value.reason


def test_a_link_with_an_unknown_kind_says_which_values_exist():
    with pytest.raises(FilterError, match="kind is one of page, asset, other, pageview"):
        parse_param("kind:is:image")
    assert check_filter(Filter("kind", "not", "other")) == Filter("kind", "not", "other")


def test_page_views_need_methods_and_statuses():
    with pytest.raises(FilterError, match="page views need the method and status"):
        filter_mask(FRAME[["path"]], [PAGEVIEWS])


@pytest.mark.parametrize(
    ("filters", "bots", "pageviews", "expected"),
    [
        ([], "include", False, []),
        ([], "exclude", True, ["bots:is:exclude", "kind:is:pageview"]),
        (["kind:is:pageview"], "include", True, ["kind:is:pageview"]),
        (["status:is:404", "bots:is:only"], "only", False, ["status:is:404", "bots:is:only"]),
    ],
)
def test_the_sidebar_settings_as_filters(filters, bots, pageviews, expected):
    parsed = [parse_param(f) for f in filters]
    assert [f.to_param() for f in with_settings(parsed, bots, pageviews)] == expected


def test_the_report_counts_the_page_views(small_log, tmp_path):
    from dashboard.render.report import report_data
    from support.storeapp import cli_json

    loaded = load_log([tmp_path / "access.log"])
    figures = report_data(loaded, filters=[parse_param("kind:is:pageview")]).figures
    requests = next(f.value for f in figures if f.key == "requests")
    assert requests == int(pageview_mask(small_log).sum()) == 80
    out = cli_json(["report", str(tmp_path / "access.log"), "-o", str(tmp_path / "r.html"), "--filter", "kind:is:page"])
    assert out["lines"] == len(small_log)


# --- the pages, with the switch on -------------------------------------------------------------------------------


def _sample_frame() -> pd.DataFrame:
    """The sample the pages showed (the same cached object)."""
    from dashboard.views import cache

    return cache.sample_log(SAMPLE_LINES, None).frame


def _metrics(at: AppTest) -> dict[str, str]:
    assert not at.exception, at.exception
    return {m.label: m.value for m in at.main.metric}


def _note(at: AppTest) -> bool:
    return any("Counting **page views** only" in c.value for c in at.caption)


def test_traffic_counts_page_views_and_says_so(monkeypatch):
    at = run(APP, "", monkeypatch, SWITCH)
    shown = _metrics(at)
    assert shown["Page views"] == f"{int(pageview_mask(_sample_frame()).sum()):,}"
    assert "Requests" not in shown and _note(at)
    off = _metrics(run(APP, "", monkeypatch))
    assert off["Requests"] == f"{len(_sample_frame()):,}" and "Page views" not in off


def test_the_switch_is_kept_in_the_url(monkeypatch):
    """The toggle is bound to ``pageviews`` (the browser writes it), and a link with it reopens the same counts."""
    at = run(APP, "", monkeypatch)
    assert at.toggle(key="pageviews").value is False
    assert at.toggle(key="pageviews").proto.query_param_key == "pageviews"
    at.toggle(key="pageviews").set_value(True).run()
    turned = _metrics(at)["Page views"]
    linked = run(APP, "", monkeypatch, SWITCH)
    assert linked.toggle(key="pageviews").value is True
    assert _metrics(linked)["Page views"] == turned
    assert "Requests" in _metrics(run(APP, "", monkeypatch, {"pageviews": "false"}))


def test_explore_the_switch_and_the_filter_are_one_truth(monkeypatch):
    by_switch = run(EXPLORE_APP, "", monkeypatch, {**SWITCH, "range": "all"})
    by_filter = run(EXPLORE_APP, "", monkeypatch, {"range": "all", "f": ["kind:is:pageview"]})
    switch, chosen = snapshot(by_switch), snapshot(by_filter)
    assert switch["metrics"] == chosen["metrics"] and switch["tables"] == chosen["tables"]
    assert switch["charts"] == chosen["charts"]
    assert _metrics(by_switch)["Requests"] == f"{int(pageview_mask(_sample_frame()).sum()):,}"
    assert _note(by_switch) and not _note(by_filter)


def test_audience_uses_the_shared_switch(monkeypatch):
    off = run(AUDIENCE_APP, "", monkeypatch)
    on = run(AUDIENCE_APP, "", monkeypatch, SWITCH)
    before, after = _metrics(off), _metrics(on)
    assert not [t for t in on.toggle if t.key == "audience_pages_only"]  # the page's own toggle is gone
    assert after["Page views"] == before["Page views"] == f"{int(pageview_mask(_sample_frame()).sum()):,}"
    assert after["Visits"] == before["Visits"]  # visits always count page views
    assert after["p50"] != before["p50"]
    assert "Response time of page views" in [s.value for s in on.subheader] and _note(on)


def test_clients_counts_page_views(small_log):
    at = AppTest.from_file(str(CLIENTS_APP), default_timeout=120)
    at.query_params.update(SWITCH)
    at.run()
    assert not at.exception, at.exception
    expected = int(pageview_mask(small_log).sum())
    assert any(e.label.endswith(f"— {expected:,} requests, 1 versions") for e in at.expander)
    assert any("`kind:pageview`" in c.value for c in at.caption) and _note(at)


def test_lines_shows_the_page_views(small_log):
    at = AppTest.from_file(str(LINES_APP), default_timeout=120)
    at.query_params.update(SWITCH)
    at.run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Text" in d.value.columns)
    keep = pageview_mask(small_log)
    assert list(table["Line"]) == [n for n, kept in enumerate(keep, start=1) if kept][: len(table)]
    assert f"{int(keep.sum())} lines match" in " ".join(c.value for c in at.caption) and _note(at)
    at.text_input(key="lines_query").set_value("kind:pictures").run()
    assert "kind is one of page, asset, other, pageview" in " ".join(e.value for e in at.error)


# --- a store ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """A generated log, its store (several batches), and the log loaded in memory."""
    log, store = history(tmp_path_factory.mktemp("pageviews"))
    return log, store, load_log([log])


def test_the_page_views_of_a_store_are_those_of_its_rows(both):
    _, store, loaded = both
    expected = loaded.frame[pageview_mask(loaded.frame)].reset_index(drop=True)
    assert len(expected) > 1000
    with open_store(store) as opened:
        pushed = read_rows(opened, filters=[PAGEVIEWS])
        rows = pageview_rows(opened)
    assert len(expected) < len(pushed) < len(loaded.frame)  # DuckDB read the answered GETs, not every row
    pd.testing.assert_frame_equal(rows, expected[list(rows.columns)], check_categorical=False)


@pytest.mark.parametrize(
    "query",
    [{}, {"bots": "exclude", "bucket": "4h", "tz": "Europe/Berlin"}, {"bots": "only", "bucket": "15min"}],
)
def test_the_traffic_page_of_a_store_counts_the_same_page_views(both, monkeypatch, query):
    log, store, loaded = both
    from_log = snapshot(run(APP, f"--log {log}", monkeypatch, {**query, **SWITCH}))
    from_store = snapshot(run(APP, f"--store {store}", monkeypatch, {**query, **SWITCH}))
    assert from_store == from_log
    assert from_log["metrics"] and from_log["tables"] and from_log["maps"] and not from_log["errors"]
    if not query:
        shown = dict((label, value) for label, value, _ in from_log["metrics"])
        assert shown["Page views"] == f"{int(pageview_mask(loaded.frame).sum()):,}"


def test_the_page_views_and_their_cube_are_made_once_per_log_and_switch(small_log, tmp_path):
    from dashboard.views import cache

    loaded = load_log([tmp_path / "access.log"], fingerprint=("test", "pageviews-once"))
    counted = cache.pageviews(loaded)
    assert cache.pageviews(loaded) is counted
    assert counted.fingerprint == (*loaded.fingerprint, cache.PAGEVIEWS_ONLY)
    assert counted.parse is loaded.parse  # the line accounting stays the log's
    assert len(counted.frame) == int(pageview_mask(loaded.frame).sum())
    cube = cache.cube(counted, "1h", "UTC")
    assert cache.cube(counted, "1h", "UTC") is cube
    assert int(cube["requests"].sum()) == len(counted.frame) < int(cache.cube(loaded, "1h", "UTC")["requests"].sum())


@pytest.mark.parametrize("query", [{"range": "all"}, {"range": "day", "f": ["status:is:2xx"]}])
def test_explore_on_a_store_counts_the_same_page_views(both, monkeypatch, query):
    """Over the whole history the switch's filter is pushed down to DuckDB; within a day it is applied in memory."""
    log, store, _ = both
    query = {**SWITCH, **query}
    from_log = snapshot(run(EXPLORE_APP, f"--log {log}", monkeypatch, query))
    from_store = snapshot(run(EXPLORE_APP, f"--store {store}", monkeypatch, query))
    assert from_store == from_log and from_log["metrics"] and not from_log["errors"]
