"""AppTest: the Lines page shows the real lines behind the filters, pages them, searches and exports them."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from support.loglines import combined

APP = Path(__file__).resolve().parent / "support" / "lines_app.py"
TIMEOUT = 120
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def _line(i: int) -> str:
    status = 503 if i % 10 == 0 else 200
    agent = BOT if i % 7 == 0 else UA
    when = f"10/Oct/2026:{10 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d} +0000"
    return combined(f"203.0.113.{i % 200 + 1}", when, f"GET /api/item/{i} HTTP/1.1", status, 100 + i, agent=agent)


@pytest.fixture
def log(tmp_path, monkeypatch):
    from dashboard.views import cache

    text = [_line(i) for i in range(1, 251)]
    text.insert(5, "garbage that is not a log line")  # line 6: rejected, numbers after it shift by one
    path = tmp_path / "access.log.gz"
    path.write_bytes(gzip.compress(("\n".join(text) + "\n").encode()))
    monkeypatch.setenv("DATABLOOM_ARGS", f"--log {path}")
    cache.clear_all()
    yield text
    cache.clear_all()


def run(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    return at.run()


def shown(at: AppTest):
    return next(d.value for d in at.dataframe if "Text" in d.value.columns)


def test_lines_are_the_log_lines_behind_the_filters(log):
    at = run({"f": ["status:is:5xx"]})
    assert not at.exception
    table = shown(at)
    expected = [(n, t) for n, t in enumerate(log, start=1) if '" 503 ' in t]
    assert list(zip(table["Line"], table["Text"], strict=True)) == expected
    assert at.text_input(key="lines_query").value == "status:5xx"
    assert f"{len(expected)} lines match" in " ".join(c.value for c in at.caption)


def test_query_bar_sets_the_filters_and_the_url(log):
    at = run()
    at.text_input(key="lines_query").set_value("status:5xx -bot").run()
    assert not at.exception
    assert sorted(at.query_params["f"]) == ["bots:is:exclude", "status:is:5xx"]
    texts = shown(at)["Text"].tolist()
    assert texts and all('" 503 ' in t and "Googlebot" not in t for t in texts)


def test_invalid_query_is_told_at_the_bar_and_keeps_the_view(log):
    at = run({"f": ["status:is:5xx"]})
    before = shown(at)["Text"].tolist()
    at.text_input(key="lines_query").set_value("status:5xx colour:red").run()
    assert not at.exception
    assert any("unknown field 'colour'" in e.value and "character 12" in e.value for e in at.error)
    assert shown(at)["Text"].tolist() == before  # nothing applied
    assert at.query_params["f"] == ["status:is:5xx"] or at.query_params["f"] == "status:is:5xx"


def test_pages_search_and_regex(log):
    at = run()
    assert len(shown(at)) == 100
    at.number_input(key="lines_page").set_value(3).run()
    assert shown(at)["Line"].tolist() == list(range(202, 252))  # 250 rows: lines 1-5, 7-251; page 3 is the last 50
    at.text_input(key="lines_search").set_value("/api/item/12 ").run()
    assert shown(at)["Text"].tolist() == [log[12]]
    at.toggle(key="lines_regex").set_value(True).run()
    at.text_input(key="lines_search").set_value(r"/item/1\d\d ").run()
    assert len(shown(at)) == 100
    at.text_input(key="lines_search").set_value("(unclosed").run()
    assert not at.exception
    assert any("invalid regular expression" in e.value for e in at.error)


def test_no_match_says_so(log):
    at = run({"f": ["path:is:/nowhere"]})
    assert not at.exception
    assert any("No line matches" in i.value for i in at.info)


def test_a_window_in_the_link_narrows_the_lines_until_dropped(log):
    # lines 1-250 are one second apart from 10:00:01; keep 10:01:00 to 10:02:00 (exclusive)
    at = run({"from": "2026-10-10T10:01:00+00:00", "to": "2026-10-10T10:02:00+00:00"})
    assert not at.exception
    texts = shown(at)["Text"].tolist()
    assert len(texts) == 60 and all("10/Oct/2026:10:01:" in t for t in texts)
    at.button(key="lines_whole").click().run()
    assert len(shown(at)) == 100 and "from" not in at.query_params


def test_a_bad_window_is_ignored_with_a_word(log):
    at = run({"from": "yesterday", "to": "today"})
    assert not at.exception
    assert any("not a pair of ISO times" in w.value for w in at.warning)
    assert len(shown(at)) == 100
