"""A followed log into a store (``tail --store``): batches with the follower's position, resumed after a kill."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dashboard.live.livelog import LiveLog
from dashboard.store.follow import StoreSink
from dashboard.store.ingest import ingest
from dashboard.store.layout import StoreError, read_manifest
from support.storelogs import differences, log_summary, sample_lines, store_summary, write

FOLLOW_LINES = 12_000
SLICE = 150
KILLS = 3
TAIL_OPTIONS = ("--interval", "0.05", "--batch-seconds", "0", "--json")  # publish at every poll
LEAD = 4  # slices the log may run ahead of the store


def _append(path, lines) -> None:
    with open(path, "ab") as handle:
        handle.write(b"".join(line + b"\n" for line in lines))


def _lines(seed: int = 5) -> list[bytes]:
    """Sample lines with a few that do not parse, so rejects are followed too."""
    lines = list(sample_lines(FOLLOW_LINES, 1.0, seed))
    for at in (10, 4_000, 9_000):
        lines[at] = b"this is not an access log line"
    return lines


def test_a_followed_log_is_published_with_its_position_and_resumed(tmp_path):
    log, store = tmp_path / "access.log", tmp_path / "store"
    lines = _lines()
    write(log, lines[:5_000])
    with LiveLog(log, sink=StoreSink(store, log, batch_seconds=3600, batch_lines=1_000_000)) as live:
        live.poll()
        assert read_manifest(store) is None  # not due yet: published on close
    first = read_manifest(store)
    assert first.rows + first.sources[0].rejected == 5_000
    assert first.sources[0].follow["offset"] == log.stat().st_size
    _append(log, lines[5_000:])
    with LiveLog(log, sink=StoreSink(store, log, batch_seconds=0)) as live:
        live.poll()
        assert live.lines == FOLLOW_LINES - 5_000  # resumed at the published position, not from the start
        assert read_manifest(store).sources[0].lines == FOLLOW_LINES  # published at once (batch_seconds=0)
    assert differences(store_summary(store), log_summary([log])) == {}


def test_an_ingest_while_a_log_is_followed_into_the_store_is_refused(tmp_path):
    log, store = tmp_path / "access.log", tmp_path / "store"
    write(log, _lines()[:100])
    with LiveLog(log, sink=StoreSink(store, log)), pytest.raises(StoreError, match="another ingest"):
        ingest([log], store)


def _tail(log, store):
    return subprocess.Popen(
        [sys.executable, "-m", "dashboard", "tail", str(log), "--store", str(store), *TAIL_OPTIONS],
        stdout=subprocess.DEVNULL,
    )


def _stored_lines(store) -> int:
    manifest = read_manifest(store) if store.exists() else None
    return sum(s.lines for s in manifest.sources) if manifest else 0


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(2))
def test_tail_killed_and_restarted_while_the_log_grows_keeps_every_line_once(tmp_path, seed):
    rng = random.Random(seed)
    log, store = tmp_path / "access.log", tmp_path / "store"
    lines = _lines(seed)
    log.touch()
    done = threading.Event()

    def server() -> None:
        """Appends a slice every 50 ms, never more than a few slices ahead of the store: it grows during kills."""
        for start in range(0, len(lines), SLICE):
            while _stored_lines(store) < start - LEAD * SLICE and not done.is_set():
                time.sleep(0.01)
            _append(log, lines[start : start + SLICE])
            time.sleep(0.05)

    writer = threading.Thread(target=server, daemon=True)
    writer.start()
    published = 0
    for _ in range(KILLS):
        proc = _tail(log, store)
        deadline = time.monotonic() + 120
        while proc.poll() is None and _stored_lines(store) <= published and time.monotonic() < deadline:
            time.sleep(0.01)  # until it started and published something
        time.sleep(rng.uniform(0, 0.5))
        assert proc.poll() is None, "tail stopped by itself"
        proc.send_signal(signal.SIGKILL)  # no cleanup of any kind
        proc.wait()
        assert _stored_lines(store) >= published
        published = _stored_lines(store)
    assert _stored_lines(store) < len(lines), "the store holds every line before the kills: make the log longer"
    proc = _tail(log, store)
    writer.join(timeout=300)
    done.set()
    deadline = time.monotonic() + 120
    while _stored_lines(store) < len(lines) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    manifest = read_manifest(store)
    assert len(manifest.sources) == 1 and manifest.sources[0].lines == len(lines)
    assert differences(store_summary(store), log_summary([log])) == {}


def test_the_apps_follow_mode_appends_to_the_operators_store(tmp_path, monkeypatch):
    """streamlit run app.py -- --follow LOG --store DIR: what the page reads is published into the store."""
    from streamlit.testing.v1 import AppTest

    from dashboard.store.follow import BATCH_SECONDS
    from dashboard.store.query import open_store, summarize_store
    from dashboard.views import cache
    from support.loglines import combined

    def line(second: int) -> str:
        return combined("203.0.113.7", f"01/Jun/2026:10:00:{second:02d} +0000", "GET / HTTP/1.1", 200, 10) + "\n"

    def metric_requests(at) -> str:
        return next(m.value for m in at.metric if m.label == "Requests")

    log, store = tmp_path / "live.log", tmp_path / "store"
    log.write_text(line(1) + line(2))
    monkeypatch.setenv("DATABLOOM_ARGS", f"--follow {log} --store {store}")
    cache.clear_all()
    try:
        at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=120).run()
        assert not at.exception
        with log.open("a") as f:
            f.write(line(3))
        deadline = time.monotonic() + 4 * BATCH_SECONDS  # a batch is published once it is BATCH_SECONDS old
        while time.monotonic() < deadline and (store / "manifest.json").exists() is False:
            time.sleep(0.5)
            at.run()
        while time.monotonic() < deadline and summarize_store(open_store(store))["parsed"] < 3:
            time.sleep(0.5)
            at.run()
        assert not at.exception
        assert summarize_store(open_store(store))["parsed"] == 3  # every line once, none lost
        assert metric_requests(at) == "3"
    finally:
        cache.clear_all()
