"""Faults: a follower restarted after a crash, the syslog listener stopped or killed with -9, a full disk.

Guarantees tested (and the limits, documented here because the code gives no more):

- ``Follower`` has no resume-from-offset: a new follower re-reads the file from the start (``from_start=True``:
  every line again, duplicates across the restart) or from its end (``from_start=False``: lines written while
  no follower ran are skipped). Within one follower's life every line is delivered exactly once.
- ``SyslogReceiver``: every message a TCP client sent before ``stop()`` is in the file. Under ``kill -9``, what
  was flushed (batches are written every FLUSH_INTERVAL_S) is intact and whole-line; messages still in the
  socket buffers or the pending batch are lost (TCP acknowledges at the kernel, before the receiver has them).
- A full disk while writing a cube or the listener's file ends in one "No space left on device" error.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard.ingest.follow import Follower
from dashboard.ingest.syslog import RotatingFile, SyslogReceiver

ROOT = Path(__file__).resolve().parents[2]
LINE = '8.8.8.8 - - [01/Jun/2026:10:00:00 +0000] "GET /{n} HTTP/1.1" 200 10 "-" "curl/8.5.0"'
WAIT_S = 20


def delivered(follower: Follower) -> list[bytes]:
    lines = []
    for chunk in follower.poll():
        lines += chunk.data.splitlines()
    return lines


def append(path: Path, start: int, count: int) -> None:
    with path.open("a") as f:
        f.write("".join(LINE.format(n=i) + "\n" for i in range(start, start + count)))


def test_follower_delivers_each_line_once_in_its_life(tmp_path):
    log = tmp_path / "access.log"
    append(log, 0, 100)
    seen = []
    with Follower(log) as follower:
        for k in range(1, 6):
            seen += delivered(follower)
            append(log, 100 * k, 100)
            with log.open("a") as f:  # a half-written line: not delivered until complete
                f.write("8.8.8.8 - - [01/Jun/2026")
            seen += delivered(follower)
            with log.open("a") as f:
                f.write(f":10:00:00 +0000] half {k}\n")
        seen += delivered(follower)
    assert len(seen) == len(set(seen)) == 605
    assert follower.lines == 605


def test_a_restarted_follower_rereads_or_skips_but_never_mixes(tmp_path):
    log = tmp_path / "access.log"
    append(log, 0, 100)
    crashed = Follower(log)
    assert len(delivered(crashed)) == 100
    crashed.close()  # the process dies here: its offset is not saved anywhere
    append(log, 100, 50)  # written while nobody followed
    again = Follower(log, from_start=True)
    assert len(delivered(again)) == 150  # every line again: 100 duplicates across the restart
    at_end = Follower(log, from_start=False)
    assert delivered(at_end) == []  # the 50 written during the outage are skipped
    append(log, 150, 10)
    assert [line for line in delivered(at_end)] == [LINE.format(n=i).encode() for i in range(150, 160)]
    again.close()
    at_end.close()


def send_tcp(port: int, start: int, stop: int) -> None:
    """Messages ``start`` … ``stop - 1`` over one TCP connection, newline-framed RFC 3164."""
    data = b"".join(f"<14>Jun  1 10:00:00 web nginx: {LINE.format(n=i)}\n".encode() for i in range(start, stop))
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(data)


def test_every_message_sent_before_stop_is_written(tmp_path):
    out = tmp_path / "syslog.log"
    receiver = SyslogReceiver(out, tcp=("127.0.0.1", 0)).start()
    for k in range(5):
        send_tcp(receiver.tcp_address[1], k * 2000, (k + 1) * 2000)
    stats = receiver.stop()
    lines = out.read_bytes().splitlines()
    assert len(lines) == stats.written == 10_000
    assert sorted(lines) == sorted(LINE.format(n=i).encode() for i in range(10_000))  # connections interleave


def start_listener(out: Path) -> tuple[subprocess.Popen, int]:
    command = [sys.executable, "-m", "dashboard", "listen", "--tcp", "127.0.0.1:0", "--out", str(out)]
    proc = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    ready = json.loads(proc.stderr.readline())
    return proc, ready["listening"]["tcp"][1]


def line_count(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_kill_9_keeps_what_was_flushed_whole_and_a_restart_appends_cleanly(tmp_path):
    out = tmp_path / "syslog.log"
    proc, port = start_listener(out)
    try:
        send_tcp(port, 0, 5000)
        deadline = time.monotonic() + WAIT_S
        while line_count(out) < 5000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert line_count(out) == 5000  # flushed before the kill
        send_tcp(port, 5000, 20_000)  # in flight when the kill comes
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(10)
    data = out.read_bytes()
    lines = data.splitlines()
    assert 5000 <= len(lines) <= 20_000
    assert lines == [LINE.format(n=i).encode() for i in range(len(lines))]  # in order, no duplicate, none torn
    assert data.endswith(b"\n")
    proc, port = start_listener(out)  # restart on the same file
    try:
        send_tcp(port, 20_000, 20_010)
        deadline = time.monotonic() + WAIT_S
        while line_count(out) < len(lines) + 10 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(10)
    after = out.read_bytes().splitlines()
    assert after[len(lines) :] == [LINE.format(n=i).encode() for i in range(20_000, 20_010)]


full = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")


@full
def test_rotating_file_on_a_full_disk_raises_enospc():
    f = RotatingFile("/dev/full")
    with pytest.raises(OSError, match="No space left on device"):
        f.write_lines([b"x" * 100 + b"\n"])


@full
def test_listener_on_a_full_disk_exits_with_one_clear_error(tmp_path):
    command = [sys.executable, "-m", "dashboard", "listen", "--tcp", "127.0.0.1:0", "--out", "/dev/full"]
    proc = subprocess.Popen([*command, "--seconds", "2"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    port = json.loads(proc.stderr.readline())["listening"]["tcp"][1]
    send_tcp(port, 0, 10)
    _, err = proc.communicate(timeout=WAIT_S)
    assert proc.returncode == 2
    assert err.strip().splitlines()[-1] == "error: [Errno 28] No space left on device"


@full
def test_cube_to_a_full_disk_is_one_clear_error(tmp_path):
    log = tmp_path / "access.log"
    append(log, 0, 50)
    proc = subprocess.run(
        [sys.executable, "-m", "dashboard", "cube", str(log), "--out", "/dev/full"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error:") and "No space left on device" in proc.stderr
    assert "Traceback" not in proc.stderr
