"""The store: ingest speed and memory, bytes per line on disk, re-ingest, and summary --store against summary LOG.

    python bench/store_bench.py [--lines 1000000] [--keep DIR] [--repeats 1]

Every step runs as its own process (``python -m dashboard …``), as a user runs it, and is measured whole:
wall seconds (start-up included) and the peak RSS of that process (``os.wait4``). The peer, measured in the
same run, is ``summary LOG --json`` (parse and enrich the whole log in memory). The log is generated first
(``python -m dashboard sample``) and read once before timing, so it sits in the page cache.
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

ROOT = Path(__file__).resolve().parents[1]
KIB = 1024


def measure_child(*args: str) -> tuple[float, float, str]:
    """Run ``python -m dashboard ARGS``: wall seconds, peak RSS in MB (the child's own, from ``os.wait4``), stdout."""
    began = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "dashboard", *args], cwd=ROOT, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - began
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {err.read().decode()[-2000:]}")
        return seconds, usage.ru_maxrss / KIB, out.read().decode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=1, help="runs of each timed step (the median is printed)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the log and store in this directory")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="store-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    log, store = work / "access.log", work / "store"
    if not log.exists():
        measure_child("sample", "--lines", str(args.lines), "--out", str(log))
    log_bytes = log.stat().st_size
    with log.open("rb") as handle:  # into the page cache
        while handle.read(1 << 24):
            pass

    runs: dict[str, list[tuple[float, float]]] = {}
    for _ in range(args.repeats):
        shutil.rmtree(store, ignore_errors=True)
        seconds, rss, out = measure_child("ingest", str(log), "--store", str(store), "--json")
        report = json.loads(out)
        runs.setdefault("ingest", []).append((seconds, rss))
        runs.setdefault("ingest (in-process seconds)", []).append((report["seconds"], rss))
        seconds, rss, out = measure_child("ingest", str(log), "--store", str(store), "--json")
        again = json.loads(out)
        assert again["rows"] == 0, "re-ingest added rows"
        runs.setdefault("re-ingest, same file", []).append((seconds, rss))
        runs.setdefault("re-ingest (in-process seconds)", []).append((again["seconds"], rss))
        seconds, rss, from_store = measure_child("summary", "--store", str(store), "--json")
        runs.setdefault("summary --store", []).append((seconds, rss))
        seconds, rss, from_log = measure_child("summary", str(log), "--json")
        runs.setdefault("summary LOG (peer: in memory)", []).append((seconds, rss))

    store_bytes = sum(p.stat().st_size for p in store.rglob("*") if p.is_file())
    rows = sum(p.stat().st_size for p in (store / "rows").rglob("*.parquet"))
    rollups = sum(p.stat().st_size for p in (store / "rollups").rglob("*.parquet"))
    a, b = json.loads(from_store), json.loads(from_log)
    same = all(a[k] == b[k] for k in ("lines", "parsed", "rejected", "browsers", "countries", "visitors", "bytes"))
    print(f"log: {args.lines:,} lines, {log_bytes / 1e6:,.0f} MB; cores: {os.cpu_count()}; repeats: {args.repeats}")
    print(f"{'step':<34} {'seconds':>8} {'lines/s':>10} {'peak RSS MB':>12}")
    medians = {}
    for step, values in runs.items():
        seconds = statistics.median(v[0] for v in values)
        rss = statistics.median(v[1] for v in values)
        medians[step] = seconds
        print(f"{step:<34} {seconds:>8.2f} {args.lines / seconds:>10,.0f} {rss:>12,.0f}")
    print(
        f"on disk: {store_bytes / 1e6:,.1f} MB = {store_bytes / args.lines:.1f} bytes per line "
        f"(rows {rows / args.lines:.1f}, rollups {rollups / args.lines:.1f}); the log: {log_bytes / args.lines:.0f}"
    )
    ratio = medians["summary LOG (peer: in memory)"] / medians["summary --store"]
    print(f"summary --store is {ratio:.1f}x faster than summary LOG; same figures: {same}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
