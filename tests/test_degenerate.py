"""Degenerate logs through both pages and every CLI command that reads a log: a message, never a traceback.

The corpus is made here: empty and zero-byte files, one line, two 5-minute buckets, one client, only bots,
only rejected lines, one country, times in the future, a daylight-saving fall-back day, and a followed file
that is empty or was just truncated (rotation by copytruncate).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from support.loglines import UA_CHROME, UA_FIREFOX, UA_GOOGLEBOT, combined

ROOT = Path(__file__).resolve().parents[1]
TRAFFIC_APP = ROOT / "app.py"
EXPLORE_APP = ROOT / "tests" / "support" / "explore_app.py"
TIMEOUT = 120
CLI_TIMEOUT = 120
BERLIN = "Europe/Berlin"
BINGBOT = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"


def clf_time(when: datetime) -> str:
    """A UTC time in the access-log format."""
    return when.strftime("%d/%b/%Y:%H:%M:%S +0000")


def lines_every(start: datetime, step: timedelta, count: int, **kw) -> list[str]:
    """``count`` requests ``step`` apart, alternating two browsers and addresses unless ``kw`` fixes them."""
    out = []
    for i in range(count):
        ip = kw.get("ip") or ("8.8.8.8" if i % 2 else "81.2.69.160")
        agent = kw.get("agent") or (UA_CHROME if i % 2 else UA_FIREFOX)
        out.append(
            combined(ip, clf_time(start + i * step), f"GET /p{i % 5} HTTP/1.1", kw.get("status", 200), 512, agent=agent)
        )
    return out


JUNE = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
FALL_BACK = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # 00:00 CEST; clocks go back at 01:00 UTC

# name → (log bytes, time zone)
CORPUS: dict[str, tuple[bytes, str]] = {
    "zero-bytes": (b"", "UTC"),
    "blank-lines": (b"\n\n\n", "UTC"),
    "one-line": ((lines_every(JUNE, timedelta(minutes=1), 1)[0] + "\n").encode(), "UTC"),
    "two-5min-buckets": (
        "\n".join(
            lines_every(JUNE, timedelta(minutes=1), 4)[:2]
            + lines_every(JUNE + timedelta(minutes=6), timedelta(minutes=1), 2)
        ).encode()
        + b"\n",
        "UTC",
    ),
    "one-client": (
        "\n".join(lines_every(JUNE, timedelta(minutes=7), 40, ip="8.8.8.8", agent=UA_CHROME)).encode() + b"\n",
        "UTC",
    ),
    "all-bots": (
        "\n".join(
            lines_every(JUNE, timedelta(minutes=11), 30, agent=UA_GOOGLEBOT)
            + lines_every(JUNE, timedelta(minutes=13), 30, agent=BINGBOT)
        ).encode()
        + b"\n",
        "UTC",
    ),
    "all-rejected": (b"this is not an access log\n" * 3 + b"\x00\x01\x02 binary\n" + b"GET / HTTP/1.1\n", "UTC"),
    "one-country": ("\n".join(lines_every(JUNE, timedelta(minutes=9), 50, ip="81.2.69.160")).encode() + b"\n", "UTC"),
    "future-times": (
        "\n".join(lines_every(datetime(2099, 12, 31, 20, 0, tzinfo=UTC), timedelta(minutes=10), 30)).encode() + b"\n",
        "UTC",
    ),
    "dst-fall-back": ("\n".join(lines_every(FALL_BACK, timedelta(minutes=5), 72)).encode() + b"\n", BERLIN),
}
NOTHING_TO_DRAW = {"zero-bytes", "blank-lines", "all-rejected"}
CLI_COMMANDS = ("summary", "cube", "alerts", "report", "tail")
TZ_COMMANDS = ("summary", "cube", "report", "tail")


SAMPLE_LINES = 2000
pytestmark = pytest.mark.usefixtures("fresh_caches")  # tests/conftest.py


def write(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.log"
    path.write_bytes(CORPUS[name][0])
    return path


def run_page(app: Path, args: str, monkeypatch, tz: str = "UTC") -> AppTest:
    monkeypatch.setenv("DATABLOOM_ARGS", args)
    at = AppTest.from_file(str(app), default_timeout=TIMEOUT)
    at.query_params.update({"tz": tz, "bucket": "1h"} if tz != "UTC" else {})
    return at.run()


def assert_clean(at: AppTest, expect_message: bool) -> None:
    """No exception element, no traceback in any message, and a message when there is nothing to draw."""
    assert not at.exception, [e.message for e in at.exception]
    shown = [e.value for e in at.error] + [w.value for w in at.warning] + [i.value for i in at.info]
    assert not any("Traceback" in text or 'File "' in text for text in shown), shown
    assert not any("could not be drawn" in e.value for e in at.error), [e.value for e in at.error]
    if expect_message:
        assert shown, "nothing to draw, and no message says so"


@pytest.mark.parametrize("app", [TRAFFIC_APP, EXPLORE_APP], ids=["traffic", "explore"])
@pytest.mark.parametrize("name", list(CORPUS))
def test_pages_draw_a_degenerate_log_without_a_traceback(name, app, tmp_path, monkeypatch):
    path = write(tmp_path, name)
    at = run_page(app, f"--log {path}", monkeypatch, CORPUS[name][1])
    assert_clean(at, name in NOTHING_TO_DRAW)
    if name not in NOTHING_TO_DRAW and app == TRAFFIC_APP:
        assert any(m.label == "Requests" for m in at.metric)


@pytest.mark.parametrize("app", [TRAFFIC_APP, EXPLORE_APP], ids=["traffic", "explore"])
def test_following_an_empty_file_says_there_is_nothing_yet(app, tmp_path, monkeypatch):
    path = write(tmp_path, "zero-bytes")
    at = run_page(app, f"--follow {path}", monkeypatch)
    assert_clean(at, expect_message=True)
    assert any("no parsed request" in w.value for w in at.warning)


def test_a_followed_file_truncated_to_zero_keeps_drawing(tmp_path, monkeypatch):
    path = write(tmp_path, "one-client")
    at = run_page(TRAFFIC_APP, f"--follow {path}", monkeypatch)
    assert_clean(at, expect_message=False)
    assert next(m.value for m in at.metric if m.label == "Requests") == "40"
    path.write_bytes(b"")  # logrotate's copytruncate
    at.run()
    assert_clean(at, expect_message=False)
    path.write_bytes(CORPUS["one-line"][0])  # the first line after the rotation
    at.run()
    assert_clean(at, expect_message=False)
    assert not at.error


def test_an_empty_followed_log_has_the_enriched_columns(tmp_path):
    from dashboard.enrich.geo import open_geo_database
    from dashboard.live.livelog import LiveLog

    with LiveLog(write(tmp_path, "zero-bytes"), geo=open_geo_database()) as live:
        live.poll()
        frame = live.loaded().frame
    assert frame.empty
    assert {"browser", "country", "is_bot", "device"} <= set(frame.columns)


def cli(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dashboard", *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def command_args(command: str, path: Path, tz: str, tmp_path: Path) -> list[str]:
    args = [command, str(path)]
    if command == "cube":
        args += ["--out", str(tmp_path / "cube.parquet")]
    if command == "report":
        args += ["--out", str(tmp_path / "report.html")]
    if command == "tail":
        args += ["--seconds", "0.5", "--interval", "0.1"]
    if tz != "UTC" and command in TZ_COMMANDS:
        args += ["--tz", tz]
    return args


def assert_commands_clean(runs: dict[str, subprocess.Popen]) -> None:
    """Each command ends with 0, 1 or 2 and no traceback (the five run side by side: each is mostly start-up)."""
    failures = []
    for command, proc in runs.items():
        _out, err = proc.communicate(timeout=CLI_TIMEOUT)
        if proc.returncode not in (0, 1, 2) or "Traceback" in err:
            failures.append(f"{command}: exit {proc.returncode}\n{err[-2000:]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", list(CORPUS))
def test_cli_commands_read_a_degenerate_log_without_a_traceback(name, tmp_path):
    path = write(tmp_path, name)
    tz = CORPUS[name][1]
    assert_commands_clean({c: cli(command_args(c, path, tz, tmp_path)) for c in CLI_COMMANDS})


def test_tail_resumes_on_a_file_truncated_to_zero(tmp_path):
    path = write(tmp_path, "one-client")
    state = tmp_path / "tail.state"
    args = ["tail", str(path), "--seconds", "0.3", "--interval", "0.1", "--state", str(state)]
    assert_commands_clean({"tail": cli(args)})
    assert state.exists()
    path.write_bytes(b"")  # rotated by copytruncate: the saved position is past the end
    assert_commands_clean({"tail (truncated)": cli(args)})
