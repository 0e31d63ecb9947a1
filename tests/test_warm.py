"""The warm-up at server start (``dashboard.views.warm``): what a first visit opens is read before it asks, into
the very caches the page reads, so the page's first run reads nothing again; a failure is left to the page."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.web.server.app_discovery import discover_asgi_app

from dashboard.views import cache, warm
from support.loglines import UA_CHROME, combined

APP = Path(__file__).resolve().parents[1] / "app.py"
TIMEOUT = 120
SAMPLE_LINES = 2000
pytestmark = pytest.mark.usefixtures("fresh_caches")  # tests/conftest.py


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label))


@pytest.fixture
def calls(monkeypatch) -> dict[str, int]:
    """How often the sample is loaded, a log parsed, a cube built and alerts detected."""
    import dashboard.alerts

    counted = {"load_sample": 0, "load_log": 0, "build_cube": 0, "detect_alerts": 0}

    def counting(module, name):
        real = getattr(module, name)

        def wrapper(*args, **kwargs):
            counted[name] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    for name in ("load_sample", "load_log", "build_cube"):
        counting(cache, name)
    counting(dashboard.alerts, "detect_alerts")
    return counted


def test_streamlit_run_serves_the_app_whose_lifespan_warms_up():
    found = discover_asgi_app(APP)
    assert found.is_asgi_app and found.import_string == "app:app"


def test_the_sample_is_read_before_the_first_page_which_reads_nothing_again(calls):
    warm.warm([])
    assert calls == {"load_sample": 1, "load_log": 0, "build_cube": 1, "detect_alerts": 1}
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert metric(at, "Requests") == f"{SAMPLE_LINES:,}"
    assert calls == {"load_sample": 1, "load_log": 0, "build_cube": 1, "detect_alerts": 1}


def test_the_operators_log_is_parsed_at_start(calls, tmp_path, monkeypatch):
    path = tmp_path / "access.log"
    lines = [combined("8.8.8.8", f"01/Jun/2026:10:{m:02d}:00 +0000", "GET / HTTP/1.1", 200, 10) for m in range(30)]
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setenv("DATABLOOM_ARGS", f"--log {path}")
    warm.warm([])
    assert calls == {"load_sample": 0, "load_log": 1, "build_cube": 1, "detect_alerts": 1}
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert metric(at, "Requests") == "30"
    assert calls["load_log"] == 1 and calls["build_cube"] == 1
    # A log that changed since is read again by the page (the caches follow the file, warmed or not).
    path.write_text(
        "\n".join(
            [*lines, combined("8.8.4.4", "01/Jun/2026:11:00:00 +0000", "GET /a HTTP/1.1", 200, 5, agent=UA_CHROME)]
        )
        + "\n"
    )
    assert metric(at.run(), "Requests") == "31"
    assert calls["load_log"] == 2


def test_a_log_that_cannot_be_read_is_left_to_the_page(calls, tmp_path, monkeypatch, caplog):
    missing = tmp_path / "gone.log"
    monkeypatch.setenv("DATABLOOM_ARGS", f"--log {missing}")
    with caplog.at_level(logging.WARNING, logger=warm.__name__):
        warm.start([]).join(TIMEOUT)
    assert [r.getMessage() for r in caplog.records if r.name == warm.__name__] == [
        f"warm-up stopped (FileNotFoundError: [Errno 2] No such file or directory: '{missing}'); "
        "the first page reads the log itself"
    ]
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert any("gone.log" in e.value for e in at.error)


def test_a_followed_log_starts_its_reader_with_the_first_page(calls, tmp_path, monkeypatch):
    path = tmp_path / "live.log"
    path.write_text(combined("8.8.8.8", "01/Jun/2026:10:00:00 +0000", "GET / HTTP/1.1", 200, 10) + "\n")
    monkeypatch.setenv("DATABLOOM_ARGS", f"--follow {path}")
    monkeypatch.setattr(cache, "live_log", lambda *args: pytest.fail("the warm-up started a reader"))
    warm.warm([])
    assert calls == {"load_sample": 0, "load_log": 0, "build_cube": 0, "detect_alerts": 0}


def test_bad_options_are_left_to_the_page(calls, monkeypatch, caplog):
    monkeypatch.setenv("DATABLOOM_ARGS", "--sample-lines many")
    with caplog.at_level(logging.WARNING, logger=warm.__name__):
        warm.start([]).join(TIMEOUT)
    assert any("warm-up stopped (SystemExit" in r.getMessage() for r in caplog.records)
    assert calls["load_sample"] == 0


def test_no_missing_context_warning_from_the_warm_up(calls, caplog):
    with caplog.at_level(logging.WARNING):
        warm.start([]).join(TIMEOUT)
    assert calls["load_sample"] == 1
    assert not [r for r in caplog.records if "ScriptRunContext" in r.getMessage()]


def test_a_store_is_opened_with_its_cube_at_start(tmp_path, monkeypatch):
    import dashboard.store.query
    import dashboard.store.traffic
    from support.storeapp import history

    _, store = history(tmp_path, lines=5_000)
    opened, cubes = [], []
    real_open, real_cube = dashboard.store.query.open_store, dashboard.store.traffic.store_cube
    monkeypatch.setattr(dashboard.store.query, "open_store", lambda *a: opened.append(a) or real_open(*a))
    monkeypatch.setattr(dashboard.store.traffic, "store_cube", lambda *a: cubes.append(a[1:]) or real_cube(*a))
    monkeypatch.setenv("DATABLOOM_ARGS", f"--store {store}")
    warm.warm([])
    assert len(opened) == 1 and cubes == [("4h", "UTC")]
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert metric(at, "Requests") == "5,000"
    assert len(opened) == 1 and len(cubes) == 1
