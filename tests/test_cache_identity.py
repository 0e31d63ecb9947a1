"""Caches follow the data: a server log rewritten on disk changes every panel at the next run (review B1, B5)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from support.loglines import UA_CHROME, UA_FIREFOX, UA_GOOGLEBOT, combined

APP = Path(__file__).resolve().parents[1] / "app.py"
TIMEOUT = 120
CURL = "curl/8.5.0"


SAMPLE_LINES = 2000
pytestmark = pytest.mark.usefixtures("fresh_caches")  # tests/conftest.py


def first_log() -> str:
    """Three US requests by two browsers over two hours: nothing to alert on."""
    return "\n".join(
        [
            combined("8.8.8.8", "01/Jun/2026:10:00:00 +0000", "GET / HTTP/1.1", 200, 100, agent=UA_CHROME),
            combined("8.8.4.4", "01/Jun/2026:11:00:00 +0000", "GET /a HTTP/1.1", 200, 50, agent=UA_FIREFOX),
            combined("8.8.8.8", "01/Jun/2026:12:00:00 +0000", "GET /b HTTP/1.1", 200, 70, agent=UA_CHROME),
        ]
    )


def second_log() -> str:
    """Other rows: a GB crawler around a scanner that probes 300 missing pages in ten minutes."""
    scan = [
        combined(
            "192.0.2.200",
            f"02/Jun/2026:11:{m:02d}:{s:02d} +0000",
            f"GET /probe{m}-{s}.php HTTP/1.1",
            404,
            0,
            agent=CURL,
        )
        for m in range(10)
        for s in range(0, 60, 2)
    ]
    crawler = [
        combined(
            "81.2.69.160", f"02/Jun/2026:{h:02d}:30:00 +0000", f"GET /page{h} HTTP/1.1", 200, 900, agent=UA_GOOGLEBOT
        )
        for h in range(8, 16)
    ]
    return "\n".join(crawler[:3] + scan + crawler[3:])


def rewrite(path: Path, text: str) -> None:
    """Replace the log's content with a different size and a later modification time."""
    before = path.stat()
    path.write_text(text + "\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 5_000_000_000))


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def browsers(at: AppTest) -> set[str]:
    """The browser columns of the Time × browser heatmap table."""
    table = next(d.value for d in at.dataframe if "Total" in d.value.columns)
    return {c for c in table.columns if c != "Total"}


def countries(at: AppTest) -> set[str]:
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    layer = next(layer for layer in deck["layers"] if layer["id"] == "heat")  # the per-country numbers
    return {point["country"] for point in layer["data"] if point["requests"]}


def alert_count(at: AppTest) -> int:
    header = next(h.value for h in at.subheader if h.value.startswith("Alerts"))
    return int(header.split("(")[1].rstrip(")"))


def panels(at: AppTest) -> dict:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return {
        "requests": metric(at, "Requests"),
        "browsers": browsers(at),
        "countries": countries(at),
        "alerts": alert_count(at),
    }


@pytest.mark.parametrize("anonymise", [False, True], ids=["plain", "anonymised"])
def test_every_panel_follows_a_server_log_rewritten_on_disk(anonymise, tmp_path, monkeypatch):
    path = tmp_path / "access.log"
    path.write_text(first_log() + "\n")
    monkeypatch.setenv("DATABLOOM_ARGS", f"--log {path}")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if anonymise:
        at.query_params["anon"] = "true"
    before = panels(at.run())
    assert before == {"requests": "3", "browsers": {"Chrome", "Firefox"}, "countries": {"US"}, "alerts": 0}
    rewrite(path, second_log())
    after = panels(at.run())
    assert after["requests"] == "308"
    assert after["browsers"].isdisjoint(before["browsers"])
    assert "GB" in after["countries"]
    assert "US" not in after["countries"]
    assert after["alerts"] >= 1
    shown = " ".join(t.value for t in at.text)
    assert ("192.0.2.0" in shown) == anonymise  # the scanner's address in its alert, masked or not
    assert ("192.0.2.200" in shown) != anonymise


def test_session_state_keeps_no_log(tmp_path, monkeypatch):
    from dashboard.pipeline import LoadedLog

    path = tmp_path / "access.log"
    path.write_text(first_log() + "\n")
    monkeypatch.setenv("DATABLOOM_ARGS", f"--log {path}")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert metric(at, "Requests") == "3"

    def holds_a_log(value, depth: int = 0) -> bool:
        if isinstance(value, LoadedLog):
            return True
        fields = getattr(value, "__dict__", None) or {}
        return depth < 3 and any(holds_a_log(v, depth + 1) for v in fields.values())

    state = at.session_state.to_dict()
    assert "sidebar_last" in state  # what finds the log again
    assert not [key for key, value in state.items() if holds_a_log(value)]


def test_the_previous_log_comes_back_from_the_cache_after_a_bad_upload(tmp_path, monkeypatch):
    path = tmp_path / "access.log"
    path.write_text(first_log() + "\n")
    monkeypatch.setenv("DATABLOOM_ARGS", f"--log {path}")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    at.radio(key="source").set_value("Upload").run()
    at.file_uploader[0].set_value(("words.txt", b"hello world\n" * 20, "text/plain")).run()
    assert any("no known format" in e.value for e in at.main.error)
    assert not at.metric  # the failed upload is reported instead of the previous log
    at.file_uploader[0].set_value(None).run()
    assert metric(at, "Requests") == "3"  # found again from its LogRef, not kept in session state


def test_fingerprints_tell_files_uploads_and_masked_copies_apart(tmp_path):
    import io

    from dashboard.pipeline import load_log

    path = tmp_path / "access.log"
    path.write_text(first_log() + "\n")
    first = load_log(path)
    assert first.fingerprint == load_log(path).fingerprint
    rewrite(path, second_log())
    assert load_log(path).fingerprint != first.fingerprint
    assert load_log(path, "combined").fingerprint != load_log(path).fingerprint
    data = (first_log() + "\n").encode()
    assert load_log(io.BytesIO(data)).fingerprint == load_log(io.BytesIO(data)).fingerprint
    assert load_log(io.BytesIO(data)).fingerprint != load_log(io.BytesIO(data + data)).fingerprint


def explore_figures(data) -> dict:
    return {f.key: (f.value, f.previous) for f in data.figures}


def test_explore_selections_are_cached_by_every_input_never_stale(tmp_path):
    """Explore's panels are cached per log, zone, filter set, date range and comparison: each one changes them."""
    import pandas as pd

    from dashboard.analysis.explore import explore
    from dashboard.analysis.filters import Filter, FilterError
    from dashboard.analysis.ranges import DateRange
    from dashboard.analysis.rows import prepare
    from dashboard.pipeline import load_log
    from dashboard.views import cache

    path = tmp_path / "access.log"
    path.write_text(second_log() + "\n")
    loaded = load_log(path)

    def fresh(log, tz, filters, period, compare):
        return explore_figures(explore(prepare(log.frame, tz), list(filters), period, compare=compare))

    utc = pd.Timestamp
    day = DateRange(utc("2026-06-02 00:00", tz="UTC"), utc("2026-06-03 00:00", tz="UTC"))
    hour = DateRange(utc("2026-06-02 11:00", tz="UTC"), utc("2026-06-02 12:00", tz="UTC"))
    later = DateRange(utc("2026-06-02 11:00", tz="UTC"), utc("2026-06-02 16:00", tz="UTC"))
    selections = [
        ("UTC", (), None, False),
        ("UTC", (Filter("status", "is", "4xx"),), None, False),
        ("UTC", (Filter("status", "not", "4xx"),), None, False),
        ("UTC", (Filter("path", "contains", "probe1"),), None, False),
        ("UTC", (Filter("path", "regex", "probe1"),), None, False),  # same value, another operator
        ("UTC", (Filter("path", "contains", "probe1"), Filter("bots", "is", "exclude")), None, False),
        ("UTC", (), day, False),
        ("UTC", (), day, True),
        ("UTC", (), hour, True),
        ("UTC", (), later, True),  # same start, another end
        ("Asia/Tokyo", (), day, True),
    ]
    seen = []
    for _ in range(2):  # the second pass is served from the cache: still each selection's own figures
        for tz, filters, period, compare in selections:
            got = explore_figures(cache.explore_data(loaded, tz, filters, period, compare))
            assert got == fresh(loaded, tz, filters, period, compare), (tz, filters, period, compare)
            seen.append(got)
    assert len({repr(s) for s in seen}) >= 8  # the selections really differ, so a stale answer would show

    rewrite(path, first_log())
    rewritten = load_log(path)
    assert explore_figures(cache.explore_data(rewritten, "UTC", (), None, False)) == fresh(
        rewritten, "UTC", (), None, False
    )
    for _ in range(2):  # an error is raised each time, never cached as an answer
        with pytest.raises(FilterError):
            cache.explore_data(loaded, "UTC", (Filter("path", "regex", "("),), None, False)
