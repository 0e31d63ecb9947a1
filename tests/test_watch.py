"""watch: follow a log, post each new alert once, never wait for the webhook."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard.alerts.notify_email import EmailSender, SmtpSettings
from dashboard.alerts.watch import AlertWatcher
from dashboard.live.livelog import LiveLog
from dashboard.sample import generate_sample
from support.receiver import Receiver, free_port
from support.smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parents[1]
LINES = 100_000


@pytest.fixture(scope="module")
def sample_bytes() -> bytes:
    return b"".join(generate_sample(LINES, days=7, seed=2).chunks())


def test_each_alert_is_delivered_once_as_the_log_grows(tmp_path, sample_bytes):
    path = tmp_path / "access.log"
    half = sample_bytes.index(b"\n", len(sample_bytes) // 2) + 1
    path.write_bytes(sample_bytes[:half])
    now = [0.0]
    delivered = []
    watcher = AlertWatcher(LiveLog(path), delivered.append, check_every=10, clock=lambda: now[0])
    first = watcher.step()
    assert first == delivered
    assert watcher.step() == []  # no check due yet
    with path.open("ab") as f:
        f.write(sample_bytes[half:])
    now[0] = 20.0
    second = watcher.step()
    now[0] = 40.0
    assert watcher.step() == []  # nothing new: nothing is posted twice
    keys = [(a.detector, a.subject, a.start) for a in delivered]
    assert len(keys) == len(set(keys)) == len(first) + len(second)
    assert {a.detector for a in delivered} >= {"scanner", "status"}


def run_watch(path: Path, url: str, seconds: float, *extra: str) -> tuple[subprocess.CompletedProcess, float]:
    began = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "dashboard",
            "watch",
            str(path),
            "--webhook",
            url,
            "--seconds",
            str(seconds),
            "--check-every",
            "0",
            "--interval",
            "0.5",
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    return proc, time.monotonic() - began


def test_watch_posts_alerts_to_a_local_webhook(tmp_path, sample_bytes):
    path = tmp_path / "access.log"
    path.write_bytes(sample_bytes)
    receiver = Receiver()
    try:
        proc, _ = run_watch(path, receiver.url, 4)
    finally:
        receiver.close()
    assert proc.returncode == 0, proc.stderr
    printed = [json.loads(line) for line in proc.stdout.splitlines()]
    assert printed and len(receiver.bodies) == len(printed)
    assert {b["detector"] for b in receiver.bodies} == {p["detector"] for p in printed}
    assert all(
        {"start", "end", "detector", "severity", "subject", "expected", "observed"} <= set(b) for b in receiver.bodies
    )


def test_a_down_webhook_does_not_hold_up_watching(tmp_path, sample_bytes):
    path = tmp_path / "access.log"
    path.write_bytes(sample_bytes)
    proc, took = run_watch(path, f"http://127.0.0.1:{free_port()}/hook", 4)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) >= 3  # alerts were found while nobody listened
    stats = json.loads(proc.stderr.strip().splitlines()[-1])
    assert stats["sent"] == 0
    assert took < 4 + 20  # start-up + the sender's bounded close, not retries forever


def test_a_hanging_smtp_server_does_not_hold_up_watching(tmp_path, sample_bytes):
    """The SMTP server says nothing; the watcher keeps reading the log; the mails go out when it comes back."""
    path = tmp_path / "access.log"
    half = sample_bytes.index(b"\n", len(sample_bytes) // 2) + 1
    path.write_bytes(sample_bytes[:half])
    sink = SmtpSink(mode="hang")
    settings = SmtpSettings("127.0.0.1", sink.port, recipients=("ops@example.org",), timeout=0.5)
    sender = EmailSender(settings, cooldown=0, backoff=0.05, max_backoff=0.2, retries=100)
    watcher = AlertWatcher(LiveLog(path), sender.send, check_every=0)
    try:
        first = watcher.step()  # queued while the server hangs
        rows = len(watcher.live.frame)
        with path.open("ab") as f:
            f.write(sample_bytes[half:])
        second = watcher.step()
        assert len(watcher.live.frame) > rows  # the log kept being read
        assert first and sink.messages == [] and sender.stats["sent"] == 0
        sink.mode = "accept"
        sink.release.set()
        assert sender.flush(60)
    finally:
        sender.close()
        watcher.live.close()
        sink.close()
    assert sender.stats["sent"] == len(first) + len(second) == len(sink.messages)
    assert sender.stats["failed"] == 0


def test_watch_delivers_slack_blocks_and_mail(tmp_path, sample_bytes):
    path = tmp_path / "access.log"
    path.write_bytes(sample_bytes)
    receiver, sink = Receiver(), SmtpSink()
    try:
        extra = ["--webhook-format", "slack", "--email-to", "ops@example.org", "--smtp", f"127.0.0.1:{sink.port}"]
        proc, _ = run_watch(path, receiver.url, 4, *extra)
    finally:
        receiver.close()
        sink.close()
    assert proc.returncode == 0, proc.stderr
    printed = [json.loads(line) for line in proc.stdout.splitlines()]
    assert printed and len(receiver.bodies) == len(printed) == len(sink.messages)
    assert all(set(body) == {"text", "blocks"} for body in receiver.bodies)
    assert sorted(m["Subject"] for m in sink.messages) == sorted(
        f"[Data Bloom] {b['text']}"[:200] for b in receiver.bodies
    )
    assert json.loads(proc.stderr.strip().splitlines()[-1])["sent"] == 2 * len(printed)


def test_watch_without_a_destination_is_one_line(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "dashboard", "watch", str(tmp_path / "a.log")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert (
        proc.returncode == 2
        and proc.stderr == "error: nowhere to deliver alerts: give --webhook URL and/or --email-to ADDR\n"
    )
