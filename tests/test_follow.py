"""Following a growing log: partial lines, both rotations, truncation, deletion, retention, incremental cost."""

from __future__ import annotations

import gc
import json
import os
import random
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.ingest.follow import Follower
from dashboard.ingest.parse import TRUNCATED_LINE
from dashboard.live import livelog
from dashboard.live.livelog import LiveLog
from dashboard.live.shared import SharedLive
from support.loglines import UA_CHROME, UA_GOOGLEBOT, combined

START = datetime(2026, 6, 1, 10, 0, 0, tzinfo=UTC)
AGENTS = (UA_CHROME, UA_GOOGLEBOT)


def line(seq: int, seconds: float | None = None) -> bytes:
    """A combined line carrying its sequence number in the query string."""
    when = (START + timedelta(seconds=seq if seconds is None else seconds)).strftime("%d/%b/%Y:%H:%M:%S +0000")
    ip = f"81.2.69.{seq % 250 + 1}"
    return combined(ip, when, f"GET /item?seq={seq} HTTP/1.1", 200, 100 + seq, agent=AGENTS[seq % 2]).encode() + b"\n"


def lines(first: int, count: int) -> bytes:
    return b"".join(line(i) for i in range(first, first + count))


def append(path: Path, data: bytes) -> None:
    with open(path, "ab") as f:
        f.write(data)


def seqs(frame: pd.DataFrame) -> list[int]:
    return [int(q.split("=")[1]) for q in frame["query"].astype(str)]


def chunk_lines(chunks) -> list[bytes]:
    return [piece for c in chunks for piece in c.data.splitlines()]


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return tmp_path / "access.log"


def test_partial_line_waits_for_its_newline(log: Path) -> None:
    whole = line(2)
    log.write_bytes(line(1) + whole[:30])
    f = Follower(log)
    assert chunk_lines(f.poll()) == [line(1).rstrip()]
    assert f.poll() == []
    append(log, whole[30:-1])
    assert f.poll() == []
    append(log, b"\n")
    chunks = f.poll()
    assert chunk_lines(chunks) == [whole.rstrip()] and chunks[0].first_line == 2
    f.close()


def test_rename_create_finishes_the_old_file_then_reads_the_new_one(log: Path) -> None:
    log.write_bytes(lines(0, 10))
    live = LiveLog(Follower(log, grace=60))
    assert seqs(live.poll().rows) == list(range(10))
    append(log, lines(10, 5))
    os.rename(log, log.with_name("access.log.1"))
    append(log.with_name("access.log.1"), lines(15, 5))  # the server writes on until it reopens its log
    log.write_bytes(lines(20, 5))
    got = seqs(live.poll().rows)
    assert sorted(got) == list(range(10, 25)) and live.rotations == 1
    append(log.with_name("access.log.1"), lines(25, 2))  # late writes still reach us during the grace period
    append(log, lines(27, 3))
    got += seqs(live.poll().rows)
    assert sorted(got) == list(range(10, 30)) and len(got) == len(set(got))
    assert live.lines == live.parsed == 30
    live.close()


def test_old_file_is_closed_after_the_grace_period(log: Path) -> None:
    log.write_bytes(lines(0, 3))
    f = Follower(log, grace=0)
    f.poll()
    os.rename(log, log.with_name("access.log.1"))
    log.write_bytes(lines(3, 2))
    assert len(chunk_lines(f.poll())) == 2
    append(log.with_name("access.log.1"), lines(5, 1))
    assert len(chunk_lines(f.poll())) == 1  # read once more right after the rotation, then closed
    append(log.with_name("access.log.1"), lines(6, 1))
    assert f.poll() == [] and not f._draining
    f.close()


def test_copytruncate_recovers_lines_from_the_copy_and_reads_from_zero(log: Path) -> None:
    log.write_bytes(lines(0, 10))
    live = LiveLog(log)
    live.poll()
    append(log, lines(10, 5))  # written after our poll, before logrotate copies
    shutil.copyfile(log, log.with_name("access.log.1"))
    os.truncate(log, 0)
    append(log, lines(15, 5))
    got = seqs(live.poll().rows)
    assert got == list(range(10, 20))
    assert live.follower.stats.truncations == 1 and live.rotations == 1
    assert live.follower.stats.recovered_bytes == len(lines(10, 5))


def test_truncated_and_regrown_past_the_offset_is_still_noticed(log: Path) -> None:
    log.write_bytes(lines(0, 3))
    live = LiveLog(log)
    live.poll()
    os.truncate(log, 0)
    append(log, lines(100, 20))  # bigger than before: the size alone does not show the truncation
    got = seqs(live.poll().rows)
    assert got == list(range(100, 120)) and live.rejected == 0
    assert live.follower.stats.truncations == 1


def test_plain_truncation_reads_from_zero(log: Path) -> None:
    log.write_bytes(lines(0, 10))
    live = LiveLog(log)
    live.poll()
    log.write_bytes(lines(50, 2))  # open(..., "wb") truncates in place: same inode, smaller
    assert seqs(live.poll().rows) == [50, 51]
    assert live.lines == 12


def test_partial_line_cut_by_a_truncation_is_rejected_not_lost(log: Path) -> None:
    log.write_bytes(lines(0, 2) + line(2)[:25])
    live = LiveLog(log)
    live.poll()
    os.truncate(log, 0)
    append(log, lines(3, 2))
    r = live.poll()
    assert seqs(r.rows) == [3, 4]
    assert live.reasons == {TRUNCATED_LINE: 1} and live.lines == 5 == live.parsed + live.rejected
    assert live.rejects[0].line == 3


def test_deleted_then_recreated(log: Path) -> None:
    log.write_bytes(lines(0, 4))
    live = LiveLog(log)
    live.poll()
    append(log, lines(4, 2))
    log.unlink()
    assert seqs(live.poll().rows) == [4, 5]  # drained through the open handle
    assert live.poll().lines == 0
    log.write_bytes(lines(6, 3))
    assert seqs(live.poll().rows) == [6, 7, 8] and live.rotations == 1


def test_started_before_the_file_exists(log: Path) -> None:
    live = LiveLog(log)
    assert live.poll().lines == 0 and live.format is None and len(live.frame) == 0
    log.write_bytes(lines(0, 3))
    assert seqs(live.poll().rows) == [0, 1, 2] and live.format.name == "combined"


def test_from_end_skips_existing_lines(log: Path) -> None:
    log.write_bytes(lines(0, 5))
    f = Follower(log, from_start=False)
    assert f.poll() == []
    append(log, lines(5, 1))
    assert chunk_lines(f.poll()) == [line(5).rstrip()]


def test_line_numbers_run_across_rotations(log: Path) -> None:
    log.write_bytes(lines(0, 3) + b"garbage line one\n")
    live = LiveLog(log, "combined")
    live.poll()
    os.rename(log, log.with_name("access.log.1"))
    log.write_bytes(b"garbage line two\n" + lines(4, 1))
    live.poll()
    assert [r.line for r in live.rejects] == [4, 5]


def shift(log: Path) -> None:
    """What logrotate does before rotating: FILE.1 → FILE.2 (so FILE.1 is a new file, never rewritten)."""
    if log.with_name("access.log.1").exists():
        os.replace(log.with_name("access.log.1"), log.with_name("access.log.2"))


def test_random_rotations_lose_nothing_and_duplicate_nothing(log: Path) -> None:
    """Writes, rename+create, copytruncate and polls at random: every line exactly once.

    At most one rotation happens between two polls: a file created and rotated away again before any poll is
    never seen by a follower (nor by ``tail -F``).
    """
    rng = random.Random(7)
    live = LiveLog(log, "combined")
    append(log, lines(0, 5))
    seq, got = 5, seqs(live.poll().rows)  # a file created and rotated before the first poll is never seen
    for _ in range(300):
        op = rng.random()
        if op < 0.55:
            n = rng.randint(1, 40)
            append(log, lines(seq, n))
            seq += n
        elif op < 0.63 and log.exists():
            shift(log)
            os.replace(log, log.with_name("access.log.1"))
            log.write_bytes(b"")
            got += seqs(live.poll().rows)
        elif op < 0.70 and log.exists():
            shift(log)
            shutil.copyfile(log, log.with_name("access.log.1"))
            os.truncate(log, 0)
            got += seqs(live.poll().rows)
        else:
            got += seqs(live.poll().rows)
    got += seqs(live.poll().rows)
    assert len(got) == len(set(got)) == seq
    assert live.rotations > 10 and live.rejected == 0


def test_retention_keeps_the_last_rows(log: Path) -> None:
    live = LiveLog(log, "combined", max_rows=25)
    for k in range(6):
        append(log, lines(k * 10, 10))
        live.poll()
        assert live.rows == len(live.frame) == min(25, (k + 1) * 10)
    assert seqs(live.frame) == list(range(35, 60))
    assert live.lines == live.parsed == 60


def test_retention_keeps_the_last_hours(log: Path) -> None:
    live = LiveLog(log, "combined", max_age=1.0)
    for hour in range(4):
        append(log, b"".join(line(hour * 100 + i, hour * 3600 + i * 60) for i in range(10)))
        live.poll()
    frame = live.frame
    assert frame["time"].min() >= frame["time"].max() - pd.Timedelta(hours=1)
    assert seqs(frame) == [209, *range(300, 310)] and live.parsed == 40  # 209 is exactly one hour older


def test_frame_is_sorted_and_keeps_categoricals(log: Path) -> None:
    log.write_bytes(line(5) + line(1))
    live = LiveLog(log)
    live.poll()
    append(log, line(4))  # another browser: the blocks' categories differ
    live.poll()
    frame = live.frame
    assert seqs(frame) == [1, 4, 5]
    assert isinstance(frame["browser"].dtype, pd.CategoricalDtype)
    assert set(frame["browser"].astype(str)) == {"Chrome", "Googlebot"}
    assert live.frame is frame  # cached until the next change


def test_a_poll_parses_and_enriches_only_the_new_lines(log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log.write_bytes(lines(0, 3000))
    live = LiveLog(log)
    live.poll()
    assert len(live.frame) == 3000
    parsed, enriched = [], []
    real_parse, real_enrich = livelog.parse_chunk, livelog.enrich
    monkeypatch.setattr(
        livelog, "parse_chunk", lambda c, *a, **k: parsed.append(real_parse(c, *a, **k).lines) or real_parse(c, *a, **k)
    )
    monkeypatch.setattr(livelog, "enrich", lambda frame, geo: enriched.append(len(frame)) or real_enrich(frame, geo))
    append(log, lines(3000, 7))
    r = live.poll()
    assert sum(parsed) == 7 and enriched == [7] and len(r.rows) == 7
    assert seqs(live.frame)[-7:] == list(range(3000, 3007)) and len(live.frame) == 3007


def test_small_blocks_are_merged(log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(livelog, "MERGE_MAX_ROWS", 8)
    live = LiveLog(log, "combined")
    for k in range(20):
        append(log, lines(k, 1))
        live.poll()
    assert len(live.blocks) <= 6 and max(len(b.frame) for b in live.blocks) <= 8
    assert seqs(live.frame) == list(range(20))


def test_undetectable_log_waits_for_more_lines(log: Path) -> None:
    log.write_bytes(b"hello\n")
    live = LiveLog(log)
    assert live.poll().lines == 0 and live.format is None
    append(log, lines(0, 3))
    assert live.poll().lines == 4 and live.rejected == 1 and live.parsed == 3


def test_tail_command_prints_the_summary_with_rotations(log: Path, capsys: pytest.CaptureFixture) -> None:
    log.write_bytes(lines(0, 4) + b"%%% not a log line\n")
    assert main(["tail", str(log), "--seconds", "0.2", "--interval", "0.05", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["lines"] == 5 and doc["parsed"] == 4 and doc["rejected"] == 1 and doc["rotations"] == 0
    assert doc["browsers"] == {"Chrome": 2, "Googlebot": 2} and doc["format"] == "combined"
    assert doc["rejects"][0]["line"] == 5


def test_tail_command_on_a_missing_format(log: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["tail", str(log), "--seconds", "0", "--format", "no-such-format"]) == 2
    assert "error:" in capsys.readouterr().err


def wait_until(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_shared_live_reads_in_the_background(log: Path) -> None:
    append(log, lines(0, 10))
    polled = []
    shared = SharedLive(LiveLog(log, "combined"), interval=0.1, on_poll=polled.append)
    assert wait_until(lambda: len(shared.current().frame) == 10)  # nobody called poll()
    append(log, lines(10, 5))
    assert wait_until(lambda: len(shared.current().frame) == 15)
    assert seqs(shared.current().frame) == list(range(15))
    assert sum(len(r.rows) for r in polled) == 15  # each line read once
    assert len(shared.poll().frame) == 15  # a page's own poll finds nothing new and loses nothing
    shared.stop()
    shared.thread.join(2)
    assert not shared.thread.is_alive()


def test_shared_live_reader_ends_with_its_owner(log: Path) -> None:
    shared = SharedLive(LiveLog(log, "combined"), interval=0.05)
    thread = shared.thread
    del shared
    gc.collect()
    thread.join(2)
    assert not thread.is_alive()


def test_shared_live_reader_survives_a_failing_read(log: Path, caplog: pytest.LogCaptureFixture) -> None:
    live = LiveLog(log, "combined")
    real_poll, calls = live.poll, []

    def flaky_poll():
        calls.append(1)
        if len(calls) <= 3:
            raise OSError("disk went away")
        return real_poll()

    live.poll = flaky_poll
    append(log, lines(0, 4))
    shared = SharedLive(live, interval=0.05)
    assert wait_until(lambda: len(shared.current().frame) == 4)
    assert [r.message for r in caplog.records].count("background read of access.log failed") == 1  # not 3 times
    shared.stop()
