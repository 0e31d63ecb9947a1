"""``databloom`` / ``python -m dashboard``: every command's errors as one line, a quiet ``| head``, a light
``--help``, the console script, and summary/sample/cube end to end."""

from __future__ import annotations

import gzip
import importlib
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from dashboard.cli import COMMANDS, EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, build_parser, main
from support.loglines import UA_CHROME, UA_GOOGLEBOT, combined

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "numpy", "polars", "pyarrow", "altair", "pydeck", "streamlit", "ua_parser", "pyspark")
WEBHOOK = "http://127.0.0.1:9/alerts"  # never reached: each case fails before anything is posted
NOW = ("--seconds", "0")  # a command that runs until stopped stops at once if a case does not fail
SUMMARY_KEYS = {
    "format",
    "lines",
    "parsed",
    "rejected",
    "start",
    "end",
    "browsers",
    "countries",
    "statuses",
    "bots",
    "visitors",
    "buckets",
    "rejects",
}


@pytest.fixture
def log(write_log):
    lines = [
        combined("8.8.8.8", "01/Jun/2026:10:00:00 +0200", "GET / HTTP/1.1", 200, 10, agent=UA_CHROME),
        combined("81.2.69.160", "01/Jun/2026:12:00:00 +0000", "GET /x HTTP/1.1", 503, 0, agent=UA_GOOGLEBOT),
        "%%% not a log line",
    ]
    return write_log(lines)


def test_summary_json_shape(log, capsys):
    assert main(["summary", str(log), "--json", "--bucket", "1h"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) >= SUMMARY_KEYS
    assert doc["format"] == "combined"
    assert (doc["lines"], doc["parsed"], doc["rejected"]) == (3, 2, 1)
    assert doc["start"] == "2026-06-01T08:00:00+00:00"
    assert doc["end"] == "2026-06-01T12:00:00+00:00"
    assert doc["browsers"] == {"Chrome": 1, "Googlebot": 1}
    assert doc["countries"] == {"US": 1, "GB": 1}
    assert doc["statuses"] == {"2xx": 1, "5xx": 1}
    assert doc["bots"] == 1
    assert doc["visitors"] == 2
    assert doc["buckets"] == 5  # 08:00 to 12:00, the hours without a request included
    assert doc["rejects"][0]["line"] == 3
    assert doc["rejects"][0]["reason"] == "not this format"


def test_summary_text_and_time_zone(log, capsys):
    assert main(["summary", str(log), "--tz", "Asia/Kolkata"]) == 0
    out = capsys.readouterr().out
    assert "Format:    combined" in out
    assert "3 = 2 parsed + 1 rejected" in out
    assert "2026-06-01T13:30:00+05:30" in out
    assert "not this format" in out


def test_summary_with_named_and_custom_formats(log, capsys):
    assert (
        main(["summary", str(log), "--json", "--format", '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"']) == 0
    )
    assert json.loads(capsys.readouterr().out)["parsed"] == 2


def test_sample_then_summary_then_cube(tmp_path, capsys):
    out = tmp_path / "s.log.gz"
    assert main(["sample", "--lines", "3000", "--days", "2", "--seed", "5", "--out", str(out)]) == 0
    capsys.readouterr()
    assert gzip.decompress(out.read_bytes()).count(b"\n") == 3000
    sidecar = json.loads(Path(f"{out}.incidents.json").read_text())
    assert sidecar["lines"] == 3000
    cube_path = tmp_path / "cube.parquet"
    assert main(["cube", str(out), "--out", str(cube_path), "--bucket", "1h"]) == 0
    doc = json.loads(capsys.readouterr().out)
    cube = pd.read_parquet(cube_path)
    assert doc["parsed"] == cube["requests"].sum() == 3000
    assert {"bucket", "browser", "country", "status_class", "is_bot", "requests", "bytes"} <= set(cube.columns)


def test_module_entry_point(log):
    proc = subprocess.run(
        [sys.executable, "-m", "dashboard", "summary", str(log), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["parsed"] == 2


@pytest.mark.parametrize("package", ["pandas", "polars", "duckdb"])
def test_a_missing_package_is_one_line_not_a_traceback(log, tmp_path, package):
    """Run from a Python without the data stack (commands import it lazily): say what to install, exit 2."""
    stop = f"import sys; sys.modules[{package!r}] = None; from dashboard.cli import main; "
    store = tmp_path / "store"
    argv = ["ingest", str(log), "--store", str(store)] if package == "duckdb" else ["summary", str(log)]
    proc = subprocess.run(
        [sys.executable, "-c", stop + f"sys.exit(main({argv!r}))"], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [proc.stderr.strip()] and proc.stderr.startswith(
        f"error: the package '{package}'"
    )
    assert "pip install -r requirements.txt" in proc.stderr


# command → (case, argv, a fragment of the message). {log}: a good log; {tmp}: an empty directory;
# {bad_toml}: an alerts config with a bad value. Every command has cases (a test checks it).
ERROR_CASES = [
    ("summary", "missing file", ["summary", "{tmp}/missing.log"], "no such file"),
    ("summary", "bad --format", ["summary", "{log}", "--format", "bogus"], "unknown format"),
    ("summary", "bad --bucket", ["summary", "{log}", "--bucket", "1M"], "bucket"),
    ("summary", "bad --tz", ["summary", "{log}", "--tz", "Mars/Olympus"], "time zone"),
    ("summary", "missing --geoip", ["summary", "{log}", "--geoip", "{tmp}/none.mmdb"], "none.mmdb"),
    ("summary", "logs and --store", ["summary", "{log}", "--store", "{tmp}"], "one of the two"),
    ("summary", "--store not a store", ["summary", "--store", "{tmp}"], "not a Data Bloom store"),
    ("ingest", "glob matching nothing", ["ingest", "{tmp}/none*.log", "--store", "{tmp}/st"], "matches no file"),
    ("ingest", "store path is a file", ["ingest", "{log}", "--store", "{log}"], "is a file"),
    ("ingest", "bad --format", ["ingest", "{log}", "--store", "{tmp}/st", "--format", "bogus"], "unknown format"),
    ("store", "no such store", ["store", "info", "{tmp}/none"], "no such store"),
    ("store", "bad --older-than", ["store", "prune", "{tmp}", "--older-than", "soon"], "positive age"),
    ("sample", "missing directory", ["sample", "--lines", "10", "--out", "{tmp}/no/dir/s.log"], "No such file"),
    ("sample", "bad --tz", ["sample", "--lines", "10", "--tz", "Mars/Olympus", "--out", "{tmp}/s.log"], "time zone"),
    ("cube", "missing file", ["cube", "{tmp}/missing.log", "--out", "{tmp}/c.parquet"], "no such file"),
    ("cube", "bad --format", ["cube", "{log}", "--out", "{tmp}/c.parquet", "--format", "bogus"], "unknown format"),
    ("cube", "bad --bucket", ["cube", "{log}", "--out", "{tmp}/c.parquet", "--bucket", "0h"], "bucket"),
    ("cube", "bad --tz", ["cube", "{log}", "--out", "{tmp}/c.parquet", "--tz", "Mars/Olympus"], "time zone"),
    ("cube", "missing out directory", ["cube", "{log}", "--out", "{tmp}/no/c.parquet"], "directory"),
    ("tail", "missing directory", ["tail", "{tmp}/no/access.log", "--seconds", "0"], "no such directory"),
    ("tail", "bad --format", ["tail", "{log}", "--seconds", "0", "--format", "bogus"], "unknown format"),
    ("tail", "bad --bucket", ["tail", "{log}", "--seconds", "0", "--bucket", "1M"], "bucket"),
    ("tail", "bad --tz", ["tail", "{log}", "--seconds", "0", "--tz", "Mars/Olympus"], "time zone"),
    ("tail", "bad --state", ["tail", "{log}", "--seconds", "0", "--state", "{bad_toml}"], "not a saved position"),
    ("listen", "missing directory", ["listen", "--tcp", "127.0.0.1:0", "--out", "{tmp}/no/o.log", *NOW], "No such"),
    ("listen", "bad address", ["listen", "--tcp", "nowhere", "--out", "{tmp}/o.log", *NOW], "HOST:PORT"),
    ("listen", "port out of range", ["listen", "--udp", "70000", "--out", "{tmp}/o.log", *NOW], "out of range"),
    ("alerts", "missing file", ["alerts", "{tmp}/missing.log"], "no such file"),
    ("alerts", "bad --format", ["alerts", "{log}", "--format", "bogus"], "unknown format"),
    ("alerts", "bad config", ["alerts", "{log}", "--config", "{bad_toml}"], "rate.threshold"),
    ("alerts", "missing config", ["alerts", "{log}", "--config", "{tmp}/none.toml"], "none.toml"),
    ("watch", "missing directory", ["watch", "{tmp}/no/a.log", "--webhook", WEBHOOK, *NOW], "no such directory"),
    ("watch", "bad --format", ["watch", "{log}", "--webhook", WEBHOOK, "--format", "bogus", *NOW], "unknown format"),
    ("watch", "bad config", ["watch", "{log}", "--webhook", WEBHOOK, "--config", "{bad_toml}", *NOW], "rate.threshold"),
    ("watch", "bad webhook", ["watch", "{log}", "--webhook", "ftp://example.com/", *NOW], "http://"),
    ("watch", "no destination", ["watch", "{log}", *NOW], "nowhere to deliver"),
    ("watch", "bad --email-to", ["watch", "{log}", "--email-to", "ops", *NOW], "not an e-mail address"),
    ("watch", "bad --smtp", ["watch", "{log}", "--email-to", "a@b.c", "--smtp", "h:x", *NOW], "HOST:PORT"),
    ("annotate", "bad --at", ["annotate", "x", "--at", "soon", "--file", "{tmp}/a.jsonl"], "is not a time"),
    ("annotate", "bad --tz", ["annotate", "x", "--tz", "Mars/Olympus", "--file", "{tmp}/a.jsonl"], "time zone"),
    ("annotate", "CSV file", ["annotate", "x", "--file", "{tmp}/a.csv"], "name a .jsonl file"),
    ("report", "missing file", ["report", "{tmp}/missing.log", "-o", "{tmp}/r.html"], "no such file"),
    ("report", "bad --format", ["report", "{log}", "-o", "{tmp}/r.html", "--format", "bogus"], "unknown format"),
    ("report", "bad --tz", ["report", "{log}", "-o", "{tmp}/r.html", "--tz", "Mars/Olympus"], "time zone"),
    ("report", "bad --filter", ["report", "{log}", "-o", "{tmp}/r.html", "--filter", "bogus"], "field:op:value"),
    ("report", "bad config", ["report", "{log}", "-o", "{tmp}/r.html", "--config", "{bad_toml}"], "rate.threshold"),
    ("report", "bad --email", ["report", "{log}", "-o", "{tmp}/r.html", "--email", "a b@c"], "not an e-mail address"),
    (
        "report",
        "missing --annotations",
        ["report", "{log}", "-o", "{tmp}/r.html", "--annotations", "{tmp}/n.jsonl"],
        "n.jsonl",
    ),
    ("bench", "missing directory", ["bench", "--lines", "10", "--repeats", "1", "--keep", "{tmp}/no/b.log"], "No such"),
]


@pytest.fixture
def case_paths(log: Path, tmp_path: Path) -> dict[str, str]:
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = tmp_path / "bad.toml"
    bad.write_text("[rate]\nthreshold = 'x'\n")
    return {"log": str(log), "tmp": str(empty), "bad_toml": str(bad)}


def test_every_command_has_error_cases() -> None:
    assert {command for command, *_ in ERROR_CASES} == set(COMMANDS)


@pytest.mark.parametrize(
    ("argv", "message"), [pytest.param(argv, message, id=f"{cmd}-{case}") for cmd, case, argv, message in ERROR_CASES]
)
def test_errors_are_one_line_and_exit_2(case_paths, capsys, argv, message) -> None:
    # On a thread of its own, as in a process of its own: the browser tests' Playwright keeps an event loop running
    # on the main thread of this pytest process, where `listen`'s asyncio.run() would refuse to start.
    with ThreadPoolExecutor(1) as pool:
        code = pool.submit(main, [arg.format(**case_paths) for arg in argv]).result()
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    assert message in err
    assert "Traceback" not in err


def test_watch_with_a_bad_alerts_config_prints_one_line(case_paths) -> None:
    """Bug B2: the whole process, not only main(): no traceback on stderr."""
    argv = ["watch", case_paths["log"], "--webhook", WEBHOOK, "--config", case_paths["bad_toml"], "--seconds", "0"]
    proc = subprocess.run([sys.executable, "-m", "dashboard", *argv], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and len(proc.stderr.splitlines()) == 1, proc.stderr


@pytest.mark.parametrize("command", ["tail", "watch"])
def test_a_followed_log_may_appear_later(tmp_path, capsys, command) -> None:
    argv = [command, str(tmp_path / "later.log"), "--seconds", "0"]
    argv += ["--webhook", WEBHOOK, "--interval", "0"] if command == "watch" else ["--json"]
    assert main(argv) == 0, capsys.readouterr().err


@pytest.mark.parametrize("extra", [["--json"], []], ids=["json", "text"])
def test_a_closed_stdout_ends_quietly(log, extra) -> None:
    """``databloom summary LOG | head -c 10``: the reader is gone before we write."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "summary", str(log), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait() == EXIT_BROKEN_PIPE
    assert err == ""


def test_ctrl_c_exits_130(monkeypatch, log) -> None:
    summary = importlib.import_module("dashboard.cli.summary")

    def interrupted(args) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(summary, "run", interrupted)
    assert main(["summary", str(log)]) == EXIT_INTERRUPTED


def test_help_imports_none_of_the_data_stack() -> None:
    probe = (
        "import sys\n"
        "from dashboard.cli import build_parser\n"
        "try:\n"
        "    build_parser().parse_args(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert "usage: databloom" in proc.stdout
    assert proc.stdout.splitlines()[-1] == ""


def test_console_script_answers_help() -> None:
    script = Path(sys.executable).with_name("databloom")
    assert script.exists(), f"no console script next to {sys.executable}: pip install -e . declares it"
    proc = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert all(name in proc.stdout for name in COMMANDS)


@pytest.mark.parametrize(
    ("argv", "option", "module", "constant"),
    [
        (["summary", "x.log"], "bucket", "dashboard.analysis.buckets", "DEFAULT_BUCKET"),
        (["report", "x.log"], "tz", "dashboard.analysis.buckets", "DEFAULT_TZ"),
        (["tail", "x.log"], "interval", "dashboard.ingest.follow", "DEFAULT_POLL_S"),
        (["watch", "x.log", "--webhook", WEBHOOK], "cooldown", "dashboard.alerts.webhook", "DEFAULT_COOLDOWN"),
        (["watch", "x.log", "--webhook", WEBHOOK], "check_every", "dashboard.alerts.watch", "DEFAULT_CHECK_EVERY"),
        (["cube", "x.log", "--out", "c"], "master", "dashboard.spark.cube", "DEFAULT_MASTER"),
        (["listen", "--out", "o.log"], "backups", "dashboard.ingest.syslog", "BACKUPS"),
    ],
)
def test_defaults_are_the_cores(argv, option, module, constant) -> None:
    """A default is defined once, where the core uses it (the CLI's cooldown was 600 s, the sender's 300 s)."""
    assert getattr(build_parser().parse_args(argv), option) == getattr(importlib.import_module(module), constant)
