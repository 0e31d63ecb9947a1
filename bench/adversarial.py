"""The adversarial figures at full size: ``python bench/adversarial.py [--fuzz-lines N] [--only CASE ...]``.

Prints one table row per case: inputs tried, crashes (unexpected exceptions), lines lost (lines not accounted as
parsed or rejected, or messages missing from the listener's file), payloads executed (CSV cells starting a
formula, Markdown elements carrying a payload; the browser figure comes from tests/e2e), and the peak RSS of
this process during the case (VmHWM, reset before each case). The pathological lines are timed against
PER_LINE_BUDGET_S (regex backtracking and quadratic escaping would blow it), next to a valid line of the same
format parsed in the same run.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dashboard.ingest import sources
from dashboard.ingest.formats import FORMATS, UnknownFormatError
from dashboard.ingest.parse import parse_chunk, parse_source
from dashboard.ingest.sources import Chunk, SourceError
from dashboard.render.export import to_csv
from dashboard.sample.hostile import (
    FORMULA_PREFIXES,
    PAYLOADS,
    VALID,
    expected_lines,
    fuzzed_lines,
    gzip_bomb,
    hostile_log,
    lazy_line,
    pathological_lines,
    reset_peak_rss,
    rss_kb,
)
from dashboard.views.config import PathNotAllowedError, allowed_path, parse_app_args

ROOT = Path(__file__).resolve().parents[1]

EXPECTED = (SourceError, UnknownFormatError)
BOMB_BYTES = 1 << 30
HUGE_LINE = 500 << 20
UPLOAD_LIMIT = 256 << 20
PATHOLOGICAL_RUNS = 3
PATHOLOGICAL_COPIES = 16
PER_LINE_BUDGET_S = 0.010
ROWS: list[dict] = []


def case(name: str):
    def wrap(func):
        def run(*args):
            reset_peak_rss()
            start_rss = rss_kb("VmRSS")
            began = time.perf_counter()
            row = {"case": name, "inputs": 0, "crashes": 0, "lost": 0, "executed": "0", "note": ""}
            try:
                func(row, *args)
            except Exception as exc:  # a crash of the case itself is a crash
                row["crashes"] += 1
                row["note"] = f"{type(exc).__name__}: {str(exc)[:80]}"
            row["rss"] = rss_kb() / 1024
            row["growth"] = (rss_kb() - start_rss) / 1024
            row["seconds"] = time.perf_counter() - began
            ROWS.append(row)
            print(f"  {name}: done in {row['seconds']:.1f} s", file=sys.stderr)

        return run

    return wrap


def account(row: dict, source, fmt) -> None:
    row["inputs"] += 1
    try:
        result = parse_source(source, fmt, workers=2)
    except EXPECTED as exc:
        row["note"] = str(exc)[:90]
        return
    except Exception as exc:
        row["crashes"] += 1
        row["note"] = f"{type(exc).__name__}: {str(exc)[:80]}"
        return
    row["lost"] += result.lines - result.parsed - result.rejected


@case("fuzzed lines (all formats)")
def fuzz(row: dict, total: int) -> None:
    per_format = total // len(FORMATS)
    crashes_by_format = {}
    for k, (name, fmt) in enumerate(FORMATS.items()):
        lines = list(fuzzed_lines(per_format, seed=k))
        data = b"\n".join(lines) + b"\n"
        before = row["crashes"]
        try:
            result = parse_source(io.BytesIO(data), fmt, workers=2)
            row["lost"] += expected_lines(data) - result.parsed - result.rejected
        except EXPECTED:
            pass
        except Exception as exc:
            row["crashes"] += 1
            crashes_by_format[name] = f"{type(exc).__name__}"
        row["inputs"] += per_format
        if row["crashes"] > before:
            # find how many single lines crash, in 10k-line slices
            for i in range(0, len(lines), 10_000):
                try:
                    parse_chunk(Chunk(b"\n".join(lines[i : i + 10_000]) + b"\n", 1), fmt)
                except Exception:
                    row["crashes"] += 1
    row["note"] = ", ".join(f"{k}: {v}" for k, v in crashes_by_format.items())


def _per_line(data: bytes, fmt) -> tuple[float, object]:
    """Median seconds per line of ``data`` over PATHOLOGICAL_RUNS parses, and the first run's result (None: crash)."""
    times, first = [], None
    for run in range(PATHOLOGICAL_RUNS):
        began = time.perf_counter()
        try:
            result = parse_chunk(Chunk(data, 1), fmt)
        except Exception:
            result = None
        times.append((time.perf_counter() - began) / PATHOLOGICAL_COPIES)
        if run == 0:
            first = result
    return statistics.median(times), first


@case("pathological lines (max ms/line)")
def pathological(row: dict) -> None:
    """Each case × format parsed PATHOLOGICAL_RUNS times; the median time per line (a single run caught a
    cold first call: 11.8 ms where the median was 6.3), against the budget and a valid line of that format."""
    worst, worst_name, worst_ratio = 0.0, "", 0.0
    valid = {
        fname: _per_line((VALID[fname] + b"\n") * PATHOLOGICAL_COPIES, fmt)[0]
        for fname, fmt in FORMATS.items()
        if fname in VALID
    }
    over = 0
    for pname, line in pathological_lines().items():
        data = (line + b"\n") * PATHOLOGICAL_COPIES
        for fname, fmt in FORMATS.items():
            row["inputs"] += PATHOLOGICAL_COPIES
            per_line, result = _per_line(data, fmt)
            if result is None:
                row["crashes"] += 1
            else:
                row["lost"] += PATHOLOGICAL_COPIES - result.frame.height - result.rejected
            over += per_line > PER_LINE_BUDGET_S
            if per_line > worst:
                worst, worst_name = per_line, f"{pname} / {fname}"
                worst_ratio = per_line / valid[fname] if valid.get(fname) else float("nan")
    verdict = "within" if not over else f"{over} case × format OVER"
    row["note"] = (
        f"worst {worst * 1000:.1f} ms/line, median of {PATHOLOGICAL_RUNS} ({worst_name}), {worst_ratio:,.0f}x a "
        f"valid line; budget {PER_LINE_BUDGET_S * 1000:.0f} ms: {verdict}"
    )


@case("gzip bomb 1 GiB, default limit (8 GiB)")
def bomb_default(row: dict, bomb: bytes) -> None:
    account(row, io.BytesIO(bomb), FORMATS["combined"])
    row["note"] = (row["note"] or "read through; rejected as 1 over-long line") + f"; {len(bomb):,} bytes compressed"


@case("gzip bomb 1 GiB, limit 256 MiB")
def bomb_limited(row: dict, bomb: bytes) -> None:
    previous = sources.MAX_DECOMPRESSED_BYTES
    sources.MAX_DECOMPRESSED_BYTES = UPLOAD_LIMIT
    try:
        account(row, io.BytesIO(bomb), None)
    finally:
        sources.MAX_DECOMPRESSED_BYTES = previous


@case("500 MB single line (lazy)")
def huge_line(row: dict) -> None:
    account(row, lazy_line(HUGE_LINE), FORMATS["combined"])
    account(row, lazy_line(HUGE_LINE), None)


@case("binary / PNG / UTF-16 / truncated gzip")
def bad_files(row: dict) -> None:
    import gzip

    text = hostile_log()
    for content in (
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 400,
        text.decode().encode("utf-16"),
        text.decode().encode("utf-16-be"),
        gzip.compress(text * 100)[:700],
        os.urandom(1 << 20),
    ):
        account(row, io.BytesIO(content), None)
    row["note"] = "each: one SourceError/UnknownFormatError"


@case("hostile content → CSV export")
def csv_export(row: dict) -> None:
    line = '8.8.8.8 - - [01/Jun/2026:10:00:00 +0000] "GET /a HTTP/1.1" 200 1 "-" "x\r=cmd|\' /C calc\'!A0"\n'
    frame = parse_source(io.BytesIO(hostile_log() + line.encode()), workers=1).frame
    data = to_csv(frame, index=False).decode()
    cells = [c for r in csv.reader(io.StringIO(data, newline="")) for c in r]
    row["inputs"] = len(frame) * len(PAYLOADS)
    bad = [c for c in cells if c.startswith(FORMULA_PREFIXES)]
    row["executed"] = f"{len(bad)} formula cells"
    row["note"] = "; ".join(repr(c[:30]) for c in bad[:2])


REGEX_BUDGET_S = 2.0


@case("catastrophic regex filter")
def regex_filter(row: dict) -> None:
    """A pattern that backtracks for ever in Python's re, on a 50 kB path: the filter must answer within budget."""
    import pandas as pd

    from dashboard.analysis.filters import Filter, filter_mask

    frame = pd.DataFrame({"path": pd.Categorical(["a" * 50_000 + "!", "/x"]), "is_bot": [False, False]})
    began = time.perf_counter()
    mask = filter_mask(frame, [Filter("path", "regex", "^(a+)+$")]).tolist()
    took = time.perf_counter() - began
    row["inputs"] = 2
    row["executed"] = "0" if mask == [False, False] else f"wrong mask {mask}"
    row["note"] = (
        f"{took * 1000:.0f} ms (budget {REGEX_BUDGET_S * 1000:.0f} ms): {'ok' if took <= REGEX_BUDGET_S else 'OVER'}"
    )


@case("hostile content → page (AppTest)")
def markdown(row: dict) -> None:
    from streamlit.testing.v1 import AppTest

    from dashboard.views import cache

    os.environ["DATABLOOM_ARGS"] = "--sample-lines 500"
    cache.clear_all()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.radio(key="source").set_value("Upload").run()
    at.file_uploader[0].set_value(("hostile.log", hostile_log(), "text/plain")).run()
    row["crashes"] += len(at.exception)
    danger = ("<script", "<img", "<svg", "javascript:", "**bold-x**", "$x^2$", "\x1b[", "{{7*7}}")
    kinds = ("markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader")
    texts = [str(el.value) for kind in kinds for el in at.get(kind)]
    row["inputs"] = len(PAYLOADS)
    row["executed"] = f"{sum(d in t for t in texts for d in danger)} md leaks; browser: see e2e"


@case("paths (allowed_path)")
def paths(row: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        allowed = Path(tmp) / "allowed"
        allowed.mkdir()
        (Path(tmp) / "secret.log").write_text("secret\n")
        (allowed / "link.log").symlink_to(Path(tmp) / "secret.log")
        config = parse_app_args(["--allow-dir", str(allowed)], environ={})
        requests = [
            "../../etc/passwd",
            "/etc/passwd",
            "../secret.log",
            f"{tmp}/secret.log",
            "link.log",
            "%2e%2e/secret.log",
            "..\\secret.log",
            "x\x00/../../etc/passwd",
            "/proc/self/environ",
            "",
            f"{allowed}/../secret.log",
            "~/.bashrc",
            "/dev/zero",
            str(allowed),
        ]
        for requested in requests:
            row["inputs"] += 1
            try:
                allowed_path(config, requested)
                row["executed"] = str(int(row["executed"]) + 1)  # a file outside was opened
            except PathNotAllowedError:
                pass
    row["note"] = "'payloads executed' = files outside the policy opened"


def _send(port: int, start: int, stop: int) -> None:
    line = '8.8.8.8 - - [01/Jun/2026:10:00:00 +0000] "GET /{} HTTP/1.1" 200 10 "-" "curl"'
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"".join(f"<14>Jun  1 10:00:00 web nginx: {line.format(i)}\n".encode() for i in range(start, stop)))


@case("listener kill -9 (TCP, 100k sent)")
def kill9(row: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "syslog.log"
        command = [sys.executable, "-m", "dashboard", "listen", "--tcp", "127.0.0.1:0", "--out", str(out)]
        proc = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        port = json.loads(proc.stderr.readline())["listening"]["tcp"][1]
        _send(port, 0, 50_000)
        deadline = time.monotonic() + 30
        while out.read_bytes().count(b"\n") < 50_000 and time.monotonic() < deadline:
            time.sleep(0.05)
        flushed = out.read_bytes().count(b"\n")
        _send(port, 50_000, 100_000)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        data = out.read_bytes()
        lines = data.splitlines()
        row["inputs"] = 100_000
        torn = int(not data.endswith(b"\n"))
        row["lost"] = 100_000 - len(lines)
        row["crashes"] = 0
        row["note"] = f"{flushed:,} flushed before kill all kept; {row['lost']:,} in flight lost; torn lines: {torn}"


@case("disk full (cube, listener)")
def disk_full(row: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "a.log"
        log.write_bytes(hostile_log())
        cube = subprocess.run(
            [sys.executable, "-m", "dashboard", "cube", str(log), "--out", "/dev/full"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        row["inputs"] += 1
        row["crashes"] += int("Traceback" in cube.stderr or cube.returncode != 2)
        command = [sys.executable, "-m", "dashboard", "listen", "--tcp", "127.0.0.1:0", "--out", "/dev/full"]
        proc = subprocess.Popen([*command, "--seconds", "2"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
        port = json.loads(proc.stderr.readline())["listening"]["tcp"][1]
        _send(port, 0, 10)
        _, err = proc.communicate(timeout=30)
        row["inputs"] += 10
        row["lost"] += 10
        tracebacks = err.count("Traceback")
        row["note"] = f"cube rc {cube.returncode}; listener rc {proc.returncode}, {tracebacks} tracebacks logged"


CASES = {
    "fuzz": fuzz,
    "pathological": pathological,
    "bomb_default": bomb_default,
    "bomb_limited": bomb_limited,
    "huge_line": huge_line,
    "regex_filter": regex_filter,
    "bad_files": bad_files,
    "csv_export": csv_export,
    "markdown": markdown,
    "paths": paths,
    "kill9": kill9,
    "disk_full": disk_full,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz-lines", type=int, default=1_000_000)
    parser.add_argument("--only", nargs="+", choices=CASES, default=list(CASES), help="run these cases only")
    args = parser.parse_args()
    bomb = b""
    if {"bomb_default", "bomb_limited"} & set(args.only):
        print("building the 1 GiB gzip bomb…", file=sys.stderr)
        bomb = gzip_bomb(BOMB_BYTES)
    for name in args.only:
        if name == "fuzz":
            fuzz(args.fuzz_lines)
        elif name.startswith("bomb_"):
            CASES[name](bomb)
        else:
            CASES[name]()
    header = f"| {'case':<40} | {'inputs':>9} | {'crashes':>7} | {'lines lost':>10} | {'payloads executed':<34} | "
    header += f"{'peak RSS (growth)':>17} | {'time':>6} | note"
    print(header)
    print("|" + "|".join("-" * (len(c) + 0) for c in header.split("|")[1:-1]) + "|---|")
    for r in ROWS:
        print(
            f"| {r['case']:<40} | {r['inputs']:>9,} | {r['crashes']:>7} | {r['lost']:>10,} | {r['executed']:<34} | "
            f"{r['rss']:>5.0f} MB (+{r['growth']:>4.0f}) | {r['seconds']:>5.1f}s | {r['note']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
