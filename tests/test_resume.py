"""A follower restarted from its saved position reads every line exactly once (no duplicates, no gap)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dashboard.ingest.follow import READ_BYTES, Follower
from dashboard.ingest.sources import MAX_LINE_BYTES, REJECT_RAW_BYTES

ROOT = Path(__file__).resolve().parents[1]


def lines(first: int, count: int) -> bytes:
    return b"".join(f"line {i}\n".encode() for i in range(first, first + count))


def read_all(follower: Follower) -> list[tuple[int, str]]:
    out = []
    for chunk in follower.poll():
        for k, text in enumerate(chunk.data.decode().splitlines()):
            out.append((chunk.first_line + k, text))
    return out


def read_then_stop(path: Path) -> tuple[list[tuple[int, str]], dict]:
    """A follower reads what is there, saves its position and stops (the process dies here)."""
    first = Follower(path)
    got = read_all(first)
    state = first.position()
    first.close()
    return got, state


def test_restart_continues_after_the_last_whole_line(tmp_path):
    path = tmp_path / "access.log"
    path.write_bytes(lines(1, 100) + b"line 101 is half")
    got, state = read_then_stop(path)
    assert [n for n, _ in got] == list(range(1, 101))
    with path.open("ab") as f:
        f.write(b" written\n" + lines(102, 49))
    second = Follower(path, resume=json.loads(json.dumps(state)))
    got = read_all(second)
    assert got[0] == (101, "line 101 is half written")
    assert [n for n, _ in got] == list(range(101, 151))
    assert [t for _, t in got][1:] == [f"line {i}" for i in range(102, 151)]


def test_restart_in_the_middle_of_an_over_long_line_rejects_it_whole(tmp_path):
    """Stopped while skipping an over-long line: the restart reads that line from its start, so it is still one
    line cut to its first bytes, not its tail passed off as a line of its own."""
    path = tmp_path / "access.log"
    path.write_bytes(lines(1, 3) + b"x" * (MAX_LINE_BYTES + READ_BYTES))  # no newline yet: being skipped
    got, state = read_then_stop(path)
    assert [n for n, _ in got] == [1, 2, 3]
    with path.open("ab") as f:
        f.write(b"y" * 100 + b"\n" + lines(5, 2))
    second = Follower(path, resume=state)
    chunks = second.poll()
    assert [(c.first_line, c.long_lines) for c in chunks] == [(4, {0: b"x" * REJECT_RAW_BYTES})]
    assert chunks[0].data == b"\nline 5\nline 6\n"


def test_restart_after_a_rotation_finishes_the_rotated_copy_first(tmp_path):
    path = tmp_path / "access.log"
    path.write_bytes(lines(1, 10))
    _, state = read_then_stop(path)
    with path.open("ab") as f:
        f.write(lines(11, 5))
    os.rename(path, f"{path}.1")  # logrotate while we were down
    path.write_bytes(lines(16, 5))
    second = Follower(path, resume=state)
    got = read_all(second)
    got += read_all(second)
    assert [t for _, t in got] == [f"line {i}" for i in range(11, 21)]
    assert second.rotations == 1


def test_a_rewritten_file_is_read_from_the_start_not_skipped(tmp_path):
    path = tmp_path / "access.log"
    path.write_bytes(lines(1, 10))
    _, state = read_then_stop(path)
    path.unlink()
    path.write_bytes(lines(1, 3))  # another file now: the saved offset means nothing in it
    got = read_all(Follower(path, resume=state))
    assert [t for _, t in got] == ["line 1", "line 2", "line 3"]


def test_tail_state_survives_kill(tmp_path):
    path = tmp_path / "access.log"
    state = tmp_path / "tail.state"
    line = '8.8.8.8 - - [01/Jun/2026:10:00:{:02d} +0000] "GET /{} HTTP/1.1" 200 1 "-" "curl/8"\n'
    path.write_text("".join(line.format(i % 60, i) for i in range(30)))
    command = [
        sys.executable,
        "-m",
        "dashboard",
        "tail",
        str(path),
        "--json",
        "--seconds",
        "1",
        "--interval",
        "0.2",
        "--state",
        str(state),
    ]
    first = json.loads(subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True).stdout)
    assert first["lines"] == 30
    with path.open("a") as f:
        f.write("".join(line.format(i % 60, i) for i in range(30, 45)))
    second = json.loads(subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True).stdout)
    assert second["lines"] == 15  # only what arrived since: nothing read twice
    assert json.loads(state.read_text())["line"] == 46
