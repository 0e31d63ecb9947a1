"""The store survives kill -9 at any moment, a second writer, and a full disk: nothing published is lost or doubled."""

from __future__ import annotations

import errno
import random
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from dashboard.store import parts
from dashboard.store.ingest import ingest
from dashboard.store.layout import TEMP_SUFFIX, StoreError, locked, read_manifest
from dashboard.store.query import open_store
from support.storelogs import differences, log_summary, sample_lines, store_summary, write

CRASH_LINES = 40_000  # ~10 MB: ten chunks of 1 MiB, each published as its own batch below
INGEST = (
    "import sys; from dashboard.store.ingest import ingest; "
    "ingest([sys.argv[1]], sys.argv[2], batch_lines=1, chunk_bytes=1)"
)
KILLS = 3
BATCHES = 10


def _next_batch(store) -> int:
    manifest = read_manifest(store) if store.exists() else None
    return manifest.next_batch if manifest else 1


@pytest.fixture(scope="module")
def crash_log(tmp_path_factory):
    """A log, and how long an uninterrupted ingest of it takes in a subprocess (the span kills are drawn in)."""
    folder = tmp_path_factory.mktemp("crash")
    log = write(folder / "access.log", sample_lines(CRASH_LINES, 2.0, 3))
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", INGEST, str(log), str(folder / "reference")], check=True)
    return log, time.monotonic() - started


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(4))
def test_kill_9_at_random_moments_then_a_rerun_gives_every_line_once(tmp_path, crash_log, seed):
    log, duration = crash_log
    store = tmp_path / "store"
    rng = random.Random(seed)
    published = 0
    for _ in range(KILLS):
        # after 0-3 more batches are published, at a random moment of the next one (or of the start-up)
        target = _next_batch(store) + rng.randint(0, 3)
        proc = subprocess.Popen([sys.executable, "-c", INGEST, str(log), str(store)])
        while proc.poll() is None and _next_batch(store) < target:
            time.sleep(0.01)
        time.sleep(rng.uniform(0, duration / BATCHES))
        proc.kill()  # SIGKILL: no cleanup of any kind
        proc.wait()
        manifest = read_manifest(store) if store.exists() else None
        rows = manifest.rows if manifest else 0
        assert rows >= published  # what was published stays published
        if manifest:
            with open_store(store) as opened:  # every published file is whole
                assert int(opened.sql(f"SELECT count(*) AS n FROM {opened.relation('rows')}")["n"].iloc[0]) == rows
        published = rows
    ingest([log], store)
    assert read_manifest(store).rows == CRASH_LINES
    assert differences(store_summary(store), log_summary([log])) == {}


def test_a_second_writer_stops_with_a_clear_message(tmp_path):
    log = write(tmp_path / "access.log", sample_lines()[:100])
    store = tmp_path / "store"
    store.mkdir()
    with locked(store), pytest.raises(StoreError, match="another ingest or prune is writing this store"):
        ingest([log], store)
    assert read_manifest(store) is None
    assert ingest([log], store).rows == 100  # the lock went with its holder


@pytest.mark.parametrize("where", ["part", "manifest"])
def test_a_full_disk_is_one_error_and_the_store_stays_consistent(tmp_path, monkeypatch, where):
    log = write(tmp_path / "access.log", sample_lines())
    store = tmp_path / "store"
    calls = {"n": 0}
    run, write_text = parts.run, Path.write_text

    def copy_fills_the_disk(connection, statement):
        if statement.startswith("COPY"):
            calls["n"] += 1
            if calls["n"] == 4:
                temp = statement.split(" TO '")[1].split("'")[0]
                Path(temp).write_bytes(b"PAR1 half a file")
                raise duckdb.IOException(f'IO Error: Could not write file "{temp}": No space left on device')
        return run(connection, statement)

    def manifest_fills_the_disk(self, text, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            write_text(self, text[:10], *args, **kwargs)
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return write_text(self, text, *args, **kwargs)

    if where == "part":
        monkeypatch.setattr(parts, "run", copy_fills_the_disk)
    else:
        monkeypatch.setattr(Path, "write_text", manifest_fills_the_disk)
    with pytest.raises(StoreError, match="disk full"):
        ingest([log], store, batch_lines=1, chunk_bytes=1)
    monkeypatch.undo()
    manifest = read_manifest(store)
    assert 0 < manifest.rows < len(sample_lines())
    assert not [p for p in store.rglob(f"*{TEMP_SUFFIX}")]
    with open_store(store) as opened:
        assert opened.problems == []
        assert int(opened.sql(f"SELECT count(*) AS n FROM {opened.relation('rows')}")["n"].iloc[0]) == manifest.rows
    report = ingest([log], store)
    assert report.rows == len(sample_lines()) - manifest.rows
    assert differences(store_summary(store), log_summary([log])) == {}
