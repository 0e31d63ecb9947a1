"""``databloom bench``: our parse + enrich + aggregate against GoAccess on the same generated log, end to end.

Each side runs as its own process, alternating, so wall time includes start-up and imports and peak RSS
is the process's own (``os.wait4``). Figures vary between runs on shared machines: medians are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dashboard.cli.common import CommandError

BENCH_SEED = 7
BENCH_DAYS = 7
TARGET_RATIO = 0.25
TARGET_LINES_PER_S = 300_000
TARGET_RSS_MB = 1024
TARGET_BYTES_PER_ROW = 150
BENCH_LINES = 1_000_000
BENCH_REPEATS = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--lines, --repeats, --keep."""
    parser.add_argument("--lines", type=int, default=BENCH_LINES, help="lines to generate (default %(default)s)")
    parser.add_argument("--repeats", type=int, default=BENCH_REPEATS, help="runs of each side (default %(default)s)")
    parser.add_argument("--keep", default=None, metavar="FILE", help="keep the generated log at this path (reused)")


def run(args: argparse.Namespace) -> int:
    """Run the benchmark and print its table."""
    return run_bench(lines=args.lines, repeats=args.repeats, keep=args.keep)


def _run_rss(cmd: list[str]) -> tuple[float, float, str]:
    """Like _run, but reaps the child with wait4 to read its own peak RSS."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        proc = subprocess.Popen(cmd, stdout=out_file, stderr=err_file)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read().decode(errors="replace"), err_file.read().decode(errors="replace")
    if proc.returncode != 0:
        raise CommandError(f"{cmd[0]} failed ({proc.returncode}): {err[:500]}")
    return wall, usage.ru_maxrss / 1024, out


def measure_stages(path: str) -> dict:
    """In-process stage times and frame size for one run over ``path`` (what the child process prints).

    The aggregate stage is what a user gets: the ``summary`` document (totals, browsers, countries,
    statuses, visitors, buckets) and the cube every dashboard panel is drawn from.
    """
    t0 = time.perf_counter()
    from dashboard.analysis.cube import build_cube
    from dashboard.analysis.summary import summarize
    from dashboard.pipeline import load_log

    t1 = time.perf_counter()
    timings: dict[str, float] = {}
    loaded = load_log([path], timings=timings)
    parsed, frame = loaded.parse, loaded.frame
    t3 = time.perf_counter()
    doc = summarize(loaded)
    build_cube(frame)
    t4 = time.perf_counter()
    return {
        "lines": parsed.lines,
        "parsed": parsed.parsed,
        "rejected": parsed.rejected,
        "visitors": doc["visitors"],
        "imports_s": t1 - t0,
        "parse_s": timings["parse_s"],
        "enrich_s": timings["enrich_s"],
        "aggregate_s": t4 - t3,
        "pipeline_s": t4 - t1,
        "frame_bytes_per_row": frame.memory_usage(deep=True).sum() / max(len(frame), 1),
    }


def run_bench(lines: int = BENCH_LINES, repeats: int = BENCH_REPEATS, keep: str | None = None) -> int:
    """Generate the log, run both sides ``repeats`` times alternating, print the figures table."""
    from dashboard.sample import write_sample

    workdir = Path(tempfile.mkdtemp(prefix="databloom-bench-"))
    log = Path(keep) if keep else workdir / "bench.log"
    try:
        if not log.exists():
            t = time.perf_counter()
            write_sample(log, lines=lines, days=BENCH_DAYS, seed=BENCH_SEED)
            print(f"generated {lines:,} lines ({log.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s")
        goaccess = shutil.which("goaccess")
        ours_cmd = [sys.executable, "-m", "dashboard.cli.bench", str(log)]
        go_cmd = (
            [goaccess, str(log), "--log-format=COMBINED", "-o", str(workdir / "goaccess.json")] if goaccess else None
        )
        ours, theirs, stages = [], [], []
        for i in range(repeats):
            wall, rss, out = _run_rss(ours_cmd)
            ours.append((wall, rss))
            stages.append(json.loads(out))
            print(f"run {i + 1}: ours {wall:.2f} s, {rss:.0f} MB", end="")
            if go_cmd:
                g_wall, g_rss, _ = _run_rss(go_cmd)
                theirs.append((g_wall, g_rss))
                print(f"; goaccess {g_wall:.2f} s, {g_rss:.0f} MB", end="")
            print()
        _report(lines, ours, theirs, stages)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _report(lines: int, ours: list, theirs: list, stages: list[dict]) -> None:
    med = statistics.median
    wall, rss = med(w for w, _ in ours), max(r for _, r in ours)
    s = {k: med(d[k] for d in stages) for k in stages[0] if isinstance(stages[0][k], int | float)}
    print()
    print(f"lines: {stages[0]['lines']:,}  parsed: {stages[0]['parsed']:,}  rejected: {stages[0]['rejected']:,}")
    print(f"{'':28}{'ours':>12}{'goaccess':>12}{'target':>14}")
    go_wall = med(w for w, _ in theirs) if theirs else None
    go_rss = max(r for _, r in theirs) if theirs else None

    def row(label: str, a: str, b: str, target: str) -> None:
        print(f"{label:28}{a:>12}{b:>12}{target:>14}")

    row("wall, whole process (s)", f"{wall:.2f}", f"{go_wall:.2f}" if go_wall else "-", "")
    row(
        "lines/s, whole process",
        f"{lines / wall:,.0f}",
        f"{lines / go_wall:,.0f}" if go_wall else "-",
        f">= {TARGET_LINES_PER_S:,}",
    )
    row("lines/s, pipeline only", f"{lines / s['pipeline_s']:,.0f}", "-", f">= {TARGET_LINES_PER_S:,}")
    row("peak RSS (MB)", f"{rss:.0f}", f"{go_rss:.0f}" if go_rss else "-", f"<= {TARGET_RSS_MB}")
    row("frame bytes/row", f"{s['frame_bytes_per_row']:.0f}", "-", f"<= {TARGET_BYTES_PER_ROW}")
    if go_wall:
        row("wall ratio ours/goaccess", f"{wall / go_wall:.3f}", "", f"<= {TARGET_RATIO}")
    else:
        print("goaccess not installed (apt-get install goaccess): no ratio")
    print(
        "stages (median s): imports {imports_s:.2f}, parse {parse_s:.2f}, enrich {enrich_s:.2f}, "
        "aggregate {aggregate_s:.2f}".format(**s)
    )


if __name__ == "__main__":
    json.dump(measure_stages(sys.argv[1]), sys.stdout)
