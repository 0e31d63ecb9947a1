"""The store: layout, incremental ingest by content, summary equal to the in-memory path, prune, bad input."""

from __future__ import annotations

import gzip
import io
import json
import random

import numpy as np
import pandas as pd
import pytest

from dashboard.analysis.cube import build_cube
from dashboard.ingest.sources import SourceError, iter_chunks
from dashboard.pipeline import load_log
from dashboard.store.ingest import ingest
from dashboard.store.layout import MANIFEST, ROLLUPS, ROWS, SCHEMA_VERSION, StoreError, read_manifest
from dashboard.store.parts import build_rollup
from dashboard.store.prune import parse_age, prune
from dashboard.store.query import open_store, store_info
from support.loglines import combined
from support.storelogs import differences, log_summary, sample_lines, store_summary, write

SMALL_BATCH = 2_500
SMALL_CHUNK = 64 << 10  # chunks still hold whole reads of 1 MiB


@pytest.mark.parametrize("seed", range(30))
def test_chunk_sizes_add_up_to_the_source_with_long_lines(seed):
    """Chunk.size lands each chunk's end on a newline of the source, over-long (cut) lines counted in full."""
    rng = random.Random(seed)
    data = b"".join(b"x" * rng.choice([0, 40, 300, 5_000, 70_000]) + b"\n" for _ in range(rng.randint(0, 40)))
    data += b"y" * rng.choice([0, 1, 90_000])
    chunks = list(iter_chunks(io.BytesIO(data), chunk_bytes=rng.choice([64, 4096]), max_line_bytes=1_000))
    end = 0
    for chunk in chunks:
        end += chunk.size
        assert end == len(data) or data[end - 1 : end] == b"\n"
    assert end == len(data)


@pytest.mark.parametrize(("bucket", "tz"), [("4h", "UTC"), ("1h", "Europe/Berlin"), ("1D", "America/New_York")])
def test_summary_of_a_store_equals_the_summary_of_its_log(tmp_path, bucket, tz):
    log = write(tmp_path / "access.log", [*sample_lines(), b"garbage line", b""])
    report = ingest([log], tmp_path / "store", batch_lines=SMALL_BATCH, chunk_bytes=SMALL_CHUNK)
    assert report.batches > 2 and report.lines == len(sample_lines()) + 2
    store_doc = store_summary(tmp_path / "store", bucket=bucket, tz=tz)
    log_doc = log_summary([log], bucket=bucket, tz=tz)
    assert differences(store_doc, log_doc) == {}
    assert store_doc["rejects"] == log_doc["rejects"]


def test_rollups_are_the_five_minute_cube(tmp_path):
    frame = load_log([write(tmp_path / "a.log", sample_lines())]).frame
    rollup = build_rollup(frame)
    cube = build_cube(frame, "5min", "UTC")
    keys = ["bucket", "browser", "country", "status_class", "is_bot"]
    merged = rollup.merge(cube, on=keys, how="outer", suffixes=("", "_cube"), indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged["requests"] == merged["requests_cube"]).all() and (merged["bytes"] == merged["bytes_cube"]).all()
    assert all(
        len(v) <= r and (np.diff(v.astype(np.float64)) > 0).all()
        for v, r in zip(rollup["visitors"], rollup["requests"], strict=True)
    )


def test_the_same_file_again_adds_nothing(tmp_path):
    log = write(tmp_path / "access.log", sample_lines())
    ingest([log], tmp_path / "store", batch_lines=SMALL_BATCH, chunk_bytes=SMALL_CHUNK)
    before = read_manifest(tmp_path / "store")
    again = ingest([log, log], tmp_path / "store")
    assert (again.lines, again.rows, again.batches, again.skipped) == (0, 0, 0, 2)
    assert read_manifest(tmp_path / "store") == before


def test_a_rotated_and_compressed_file_adds_nothing(tmp_path):
    log = write(tmp_path / "access.log", sample_lines())
    ingest([log], tmp_path / "store", batch_lines=SMALL_BATCH, chunk_bytes=SMALL_CHUNK)
    rotated = log.rename(tmp_path / "access.log.1")
    compressed = tmp_path / "access.log.2.gz"
    compressed.write_bytes(gzip.compress(rotated.read_bytes()))
    report = ingest([rotated, compressed, str(tmp_path / "access.log.*")], tmp_path / "store")
    assert report.rows == 0 and report.skipped == 4
    manifest = read_manifest(tmp_path / "store")
    assert len(manifest.sources) == 1
    assert manifest.sources[0].names == ["access.log", "access.log.1", "access.log.2.gz"]
    assert manifest.rows == len(sample_lines())


def test_a_grown_file_adds_only_its_new_lines_then_rotates_compressed(tmp_path):
    lines = sample_lines()
    log = write(tmp_path / "access.log", lines[:5_000])
    ingest([log], tmp_path / "store", batch_lines=SMALL_BATCH, chunk_bytes=SMALL_CHUNK)
    write(log, lines[:8_000])
    grown = ingest([log], tmp_path / "store", batch_lines=SMALL_BATCH, chunk_bytes=SMALL_CHUNK)
    assert (grown.lines, grown.rows) == (3_000, 3_000)
    # it grew again before logrotate compressed it: only the last lines are new
    write(log, lines)
    (tmp_path / "access.log.1.gz").write_bytes(gzip.compress(log.read_bytes()))
    log.unlink()
    rotated = ingest(
        [tmp_path / "access.log.1.gz"], tmp_path / "store", batch_lines=SMALL_BATCH, chunk_bytes=SMALL_CHUNK
    )
    assert rotated.rows == len(lines) - 8_000
    assert differences(store_summary(tmp_path / "store"), log_summary([tmp_path / "access.log.1.gz"])) == {}
    assert ingest([tmp_path / "access.log.1.gz"], tmp_path / "store").skipped == 1


def test_reject_line_numbers_continue_after_a_resume(tmp_path):
    lines = list(sample_lines()[:3_000])
    log = write(tmp_path / "access.log", [*lines[:1_000], b"first bad line"])
    ingest([log], tmp_path / "store")
    write(log, [*lines[:1_000], b"first bad line", *lines[1_000:2_000], b"second bad line"])
    ingest([log], tmp_path / "store")
    rejects = store_summary(tmp_path / "store")["rejects"]
    assert [(r["line"], r["raw"]) for r in rejects] == [(1_001, "first bad line"), (2_002, "second bad line")]


def test_a_truncated_file_is_read_from_its_start(tmp_path):
    lines = sample_lines()
    log = write(tmp_path / "access.log", lines[:6_000])
    ingest([log], tmp_path / "store")
    write(log, lines[6_000:7_000])  # copytruncate, then new lines: another head
    assert ingest([log], tmp_path / "store").rows == 1_000
    write(log, lines[6_000:6_500])  # the same head, but shorter than the offset reached: truncated again
    assert ingest([log], tmp_path / "store").rows == 500
    assert read_manifest(tmp_path / "store").rows == 7_500


def test_an_unterminated_last_line_waits_for_its_newline(tmp_path):
    lines = sample_lines()[:1_000]
    log = write(tmp_path / "access.log", lines, end=b"")
    assert ingest([log], tmp_path / "store").rows == 999
    write(log, lines)
    assert ingest([log], tmp_path / "store").rows == 1
    assert differences(store_summary(tmp_path / "store"), log_summary([log])) == {}


def test_a_log_that_goes_back_in_time_is_partitioned_by_each_rows_day(tmp_path):
    lines = [
        combined("10.0.0.1", "02/Jun/2026:10:00:00 +0000", "GET / HTTP/1.1", 200, 10),
        combined("10.0.0.2", "31/May/2026:23:59:59 +0000", "GET /a HTTP/1.1", 404, 20),
        combined("10.0.0.3", "01/Jun/2026:01:00:00 +0200", "GET /b HTTP/1.1", 500, 30),
        combined("10.0.0.1", "02/Jun/2026:09:00:00 +0000", "GET /c HTTP/1.1", 200, 40),
    ]
    log = tmp_path / "access.log"
    log.write_text("\n".join(lines) + "\n")
    ingest([log], tmp_path / "store")
    manifest = read_manifest(tmp_path / "store")
    days = {f.day: f.rows for f in manifest.of_kind(ROWS)}
    assert days == {"2026-05-31": 2, "2026-06-02": 2}
    first = pd.read_parquet(tmp_path / "store" / next(f.path for f in manifest.of_kind(ROWS) if f.day == "2026-06-02"))
    assert first["time"].is_monotonic_increasing
    assert differences(store_summary(tmp_path / "store"), log_summary([log])) == {}


def test_a_file_left_by_a_crash_is_ignored_then_removed(tmp_path):
    log = write(tmp_path / "access.log", sample_lines()[:2_000])
    ingest([log], tmp_path / "store")
    published = store_summary(tmp_path / "store")
    stray = tmp_path / "store" / ROWS / "day=2026-06-01" / "part-000099.parquet"
    stray.write_bytes((tmp_path / "store" / read_manifest(tmp_path / "store").of_kind(ROWS)[0].path).read_bytes())
    assert store_summary(tmp_path / "store") == published
    assert ingest([log], tmp_path / "store").removed == 1 and not stray.exists()


def test_prune_drops_whole_days_of_rows_and_rollups(tmp_path):
    log = write(tmp_path / "access.log", sample_lines())  # 1-3 June 2026
    ingest([log], tmp_path / "store", batch_lines=SMALL_BATCH, chunk_bytes=SMALL_CHUNK)
    frame = load_log([log]).frame
    report = prune(tmp_path / "store", parse_age("2d"), now=pd.Timestamp("2026-06-04T13:00", tz="UTC"))
    assert report.cutoff == "2026-06-02T00:00:00+00:00" and report.days == 1
    kept = frame[frame["time"] >= pd.Timestamp("2026-06-02", tz="UTC")]
    with open_store(tmp_path / "store") as store:
        assert store.manifest.rows == len(kept)
        total = store.sql(f"SELECT sum(requests) AS n, min(bucket) AS b FROM {store.relation(ROLLUPS)}").iloc[0]
        assert int(total["n"]) == len(kept) and total["b"] >= pd.Timestamp("2026-06-02", tz="UTC")
    assert store_summary(tmp_path / "store")["bytes"] == int(kept["bytes"].sum())
    assert not (tmp_path / "store" / ROWS / "day=2026-06-01").exists()
    assert prune(tmp_path / "store", parse_age("2d"), now=pd.Timestamp("2026-06-04T13:00", tz="UTC")).files == 0


@pytest.mark.parametrize("text", ["90", "-3d", "0d", "3 months", ""])
def test_a_bad_age_is_one_clear_error(text):
    with pytest.raises(StoreError, match="positive age"):
        parse_age(text)


def test_info_counts_rows_days_bytes_and_sources(tmp_path):
    log = write(tmp_path / "access.log", sample_lines())
    ingest([log], tmp_path / "store", batch_lines=SMALL_BATCH, chunk_bytes=SMALL_CHUNK)
    info = store_info(tmp_path / "store")
    assert (info["rows"], info["days"], info["schema_version"]) == (len(sample_lines()), 3, SCHEMA_VERSION)
    assert info["bytes"] == sum(
        p.stat().st_size for p in (tmp_path / "store").rglob("*") if p.is_file() and p.name != ".lock"
    )
    assert info["sources"][0]["names"] == ["access.log"] and info["problems"] == []


# --- bad input: one clear error each, nothing committed lost ---------------------------------------------------


@pytest.fixture
def filled(tmp_path):
    log = write(tmp_path / "access.log", sample_lines())  # ~3 MB: three chunks of 1 MiB, three batches
    ingest([log], tmp_path / "store", batch_lines=1_000, chunk_bytes=SMALL_CHUNK)
    return tmp_path / "store"


def test_a_store_of_a_newer_schema_is_refused(filled):
    doc = json.loads((filled / MANIFEST).read_text())
    doc["schema_version"] = SCHEMA_VERSION + 1
    (filled / MANIFEST).write_text(json.dumps(doc))
    with pytest.raises(StoreError, match="newer Data Bloom"):
        open_store(filled)
    with pytest.raises(StoreError, match="newer Data Bloom"):
        ingest([filled.parent / "access.log"], filled)


def test_a_field_a_later_version_adds_does_not_stop_reading(filled):
    doc = json.loads((filled / MANIFEST).read_text())
    doc["sources"][0]["added_later"] = {"any": "thing"}
    doc["files"][0]["added_later"] = 1
    (filled / MANIFEST).write_text(json.dumps(doc))
    assert read_manifest(filled).rows == store_info(filled)["rows"] > 0


def test_a_manifest_edited_into_invalid_json_is_refused_and_kept(filled):
    (filled / MANIFEST).write_text('{"schema_version": 1, "next_batch": ')
    with pytest.raises(StoreError, match="not valid JSON"):
        store_info(filled)
    with pytest.raises(StoreError, match="not valid JSON"):
        ingest([filled.parent / "access.log"], filled)
    assert (filled / MANIFEST).read_text() == '{"schema_version": 1, "next_batch": '


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_a_damaged_part_is_named_and_the_rest_still_shows(filled, damage):
    manifest = read_manifest(filled)
    victim = filled / manifest.of_kind(ROWS)[1].path
    if damage == "missing":
        victim.unlink()
    else:
        victim.write_bytes(victim.read_bytes()[:100])
    with pytest.raises(StoreError, match=str(victim)):
        open_store(filled)
    info = store_info(filled)
    assert info["rows"] == len(sample_lines()) and len(info["problems"]) == 1 and str(victim) in info["problems"][0]


def test_a_glob_that_matches_nothing_is_refused(tmp_path):
    with pytest.raises(StoreError, match="matches no file"):
        ingest([str(tmp_path / "nothing*.log")], tmp_path / "store")
    with pytest.raises(SourceError, match="no such file"):
        ingest([tmp_path / "absent.log"], tmp_path / "store")


def test_a_store_path_that_is_a_file_is_refused(tmp_path):
    log = write(tmp_path / "access.log", sample_lines()[:10])
    with pytest.raises(StoreError, match="is a file"):
        ingest([log], log)
    with pytest.raises(StoreError, match="is a file"):
        store_info(log)
    with pytest.raises(StoreError, match="no such store"):
        store_info(tmp_path / "absent")
