"""The store at size: ingest speed, memory and bytes on disk at several sizes, projected to 100M lines; re-ingest;
summary --store against summary LOG; GoAccess --persist/--restore on the same lines.

    python bench/store_bench.py [--sizes 1000000,2000000,5000000,20000000] [--log BIG.log] [--keep DIR]
                                [--repeats 1] [--goaccess-lines 5000000] [--no-summary] [--stages]

Every step runs as its own process (``python -m dashboard …``), as a user runs it, and is measured whole:
wall seconds (start-up included), the peak RSS and the CPU seconds of that process (``os.wait4``), with the
load average before each ingest: on a shared machine, CPU seconds are the figure to compare. The largest log
is generated once (``python -m dashboard sample``, or taken from ``--log``); each smaller size is its first
lines. Each log is read once before it is timed, so it sits in the page cache. The projection to 100M lines is a
least-squares line through the measured sizes (seconds, bytes on disk; peak RSS is the largest measured: it
should not grow). ``--stages`` adds the CPU seconds of each stage on the smallest size (bench/store_stages.py).
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
KIB, GB = 1024, 1e9
PROJECT_TO = 100_000_000
GOACCESS = shutil.which("goaccess") or "/usr/bin/goaccess"


def run(command: list[str], cwd: Path = ROOT) -> tuple[float, float, float, str]:
    """Run a command: wall seconds, peak RSS in MB and CPU seconds (user + system) of the child, from
    ``os.wait4``, and its stdout. CPU seconds are what to compare on a machine shared with other work."""
    began = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - began
        out.seek(0)
        err.seek(0)
        if code:
            raise SystemExit(f"{' '.join(command)} failed ({code}): {err.read().decode()[-2000:]}")
        return seconds, usage.ru_maxrss / KIB, usage.ru_utime + usage.ru_stime, out.read().decode()


def measure(command: list[str], cwd: Path = ROOT) -> tuple[float, float, str]:
    """Run a command: wall seconds, peak RSS in MB (the child's own, from ``os.wait4``), stdout."""
    seconds, rss, _, out = run(command, cwd)
    return seconds, rss, out


def dashboard(*args: str) -> tuple[float, float, str]:
    return measure([sys.executable, "-m", "dashboard", *args])


def warm(path: Path) -> None:
    """Read a file once, into the page cache."""
    with path.open("rb") as handle:
        while handle.read(1 << 24):
            pass


def head_lines(source: Path, lines: int, target: Path) -> Path:
    """The first ``lines`` lines of ``source`` as ``target`` (kept when it is already there)."""
    if target.exists():
        return target
    left, partial = lines, target.with_name(target.name + ".part")  # a killed run leaves no short log behind
    with source.open("rb") as src, partial.open("wb") as dst:
        while left and (block := src.read(1 << 24)):
            count = block.count(b"\n")
            if count >= left:
                cut = -1
                for _ in range(left):
                    cut = block.index(b"\n", cut + 1)
                block, left = block[: cut + 1], 0
            else:
                left -= count
            dst.write(block)
    partial.replace(target)
    return target


def disk_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least-squares intercept and slope (a flat line through one point)."""
    if len(xs) < 2:
        return 0.0, ys[0] / xs[0]
    slope, intercept = statistics.linear_regression(xs, ys)
    return intercept, slope


def bench_size(log: Path, store: Path, repeats: int) -> dict:
    """Ingest into a fresh store (median of ``repeats``), then ingest the same log again."""
    runs, again = [], []
    for _ in range(repeats):
        shutil.rmtree(store, ignore_errors=True)
        load = os.getloadavg()[0]
        seconds, rss, cpu, out = run(
            [sys.executable, "-m", "dashboard", "ingest", str(log), "--store", str(store), "--json"]
        )
        runs.append((seconds, rss, json.loads(out)["seconds"], cpu, load))
        seconds, rss, out = dashboard("ingest", str(log), "--store", str(store), "--json")
        assert json.loads(out)["rows"] == 0, "re-ingest added rows"
        again.append((seconds, rss))
    return {
        "seconds": statistics.median(r[0] for r in runs),
        "rss": statistics.median(r[1] for r in runs),
        "inside": statistics.median(r[2] for r in runs),
        "cpu": statistics.median(r[3] for r in runs),
        "load": statistics.median(r[4] for r in runs),
        "again": statistics.median(a[0] for a in again),
        "again_rss": statistics.median(a[1] for a in again),
        "disk": disk_bytes(store),
        "rows": sum(p.stat().st_size for p in (store / "rows").rglob("*.parquet")),
        "rollups": sum(p.stat().st_size for p in (store / "rollups").rglob("*.parquet")),
        "log": log.stat().st_size,
    }


def bench_summary(log: Path, store: Path) -> None:
    """summary --store against summary LOG (the in-memory peer), same figures."""
    s_seconds, s_rss, from_store = dashboard("summary", "--store", str(store), "--json")
    l_seconds, l_rss, from_log = dashboard("summary", str(log), "--json")
    a, b = json.loads(from_store), json.loads(from_log)
    same = all(a[k] == b[k] for k in ("lines", "parsed", "rejected", "browsers", "countries", "visitors", "bytes"))
    print(
        f"summary --store {s_seconds:.2f} s, {s_rss:,.0f} MB; summary LOG {l_seconds:.2f} s, {l_rss:,.0f} MB; ", end=""
    )
    print(f"{l_seconds / s_seconds:.1f}x faster; same figures: {same}")


def bench_goaccess(log: Path, work: Path, ours: dict | None) -> None:
    """GoAccess's own on-disk store: --persist (parse and save), then --restore (load and report)."""
    if not Path(GOACCESS).exists():
        print("goaccess: not installed, skipped")
        return
    db = work / "goaccess-db"
    shutil.rmtree(db, ignore_errors=True)
    db.mkdir()
    report = str(work / "goaccess.html")
    common = ["--log-format=COMBINED", f"--db-path={db}", "-o", report, "--no-progress"]
    p_seconds, p_rss, _ = measure([GOACCESS, str(log), "--persist", *common], cwd=work)
    size = disk_bytes(db)
    r_seconds, r_rss, _ = measure([GOACCESS, "--restore", *common], cwd=work)
    store = work / "store-goaccess"
    if ours is None:  # this size was not measured above
        shutil.rmtree(store, ignore_errors=True)
        ours_seconds, ours_rss, _ = dashboard("ingest", str(log), "--store", str(store), "--json")
        ours_disk = disk_bytes(store)
    else:
        ours_seconds, ours_rss, ours_disk = ours["seconds"], ours["rss"], ours["disk"]
        store = ours["store"]
    q_seconds, q_rss, _ = dashboard("summary", "--store", str(store), "--json")
    lines = sum(1 for _ in log.open("rb"))
    print(f"\nside by side on the same {lines:,} lines ({log.stat().st_size / GB:.2f} GB):")
    print(f"{'':<34} {'seconds':>8} {'peak RSS MB':>12} {'on disk MB':>11}")
    print(f"{'goaccess --persist':<34} {p_seconds:>8.2f} {p_rss:>12,.0f} {size / 1e6:>11,.1f}")
    print(f"{'goaccess --restore (+ report)':<34} {r_seconds:>8.2f} {r_rss:>12,.0f}")
    print(f"{'databloom ingest':<34} {ours_seconds:>8.2f} {ours_rss:>12,.0f} {ours_disk / 1e6:>11,.1f}")
    print(f"{'databloom summary --store':<34} {q_seconds:>8.2f} {q_rss:>12,.0f}")
    shutil.rmtree(db, ignore_errors=True)
    shutil.rmtree(work / "store-goaccess", ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000", help="comma-separated line counts (default %(default)s)")
    parser.add_argument("--lines", type=int, default=None, help="one size (the former option)")
    parser.add_argument("--log", type=Path, default=None, help="take the logs from this one (first lines)")
    parser.add_argument("--repeats", type=int, default=1, help="runs of each ingest (the median is printed)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the logs and stores in this directory")
    parser.add_argument("--goaccess-lines", type=int, default=0, help="also GoAccess --persist/--restore on these")
    parser.add_argument("--no-summary", action="store_true", help="skip summary --store against summary LOG")
    parser.add_argument("--stages", action="store_true", help="CPU seconds per stage on the smallest size")
    args = parser.parse_args()
    sizes = sorted({args.lines} if args.lines else {int(s) for s in args.sizes.split(",")})
    work = args.keep or Path(tempfile.mkdtemp(prefix="store-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    biggest = args.log or work / f"access-{sizes[-1]}.log"
    if not biggest.exists():
        dashboard("sample", "--lines", str(max(sizes)), "--out", str(biggest))
    logs = {n: head_lines(biggest, n, work / f"access-{n}.log") for n in sizes}
    print(f"cores: {os.cpu_count()}; load average at start: {os.getloadavg()[0]:.1f}; repeats: {args.repeats}")
    print(
        f"{'lines':>11} {'GB':>6} {'seconds':>8} {'lines/s':>10} {'in-proc/s':>10} {'peak MB':>8} "
        f"{'B/line':>7} {'again s':>8} {'s/GB':>6} {'again MB':>9} {'CPU s':>6} {'load':>5}"
    )
    results = {}
    for n in sizes:
        warm(logs[n])
        r = results[n] = bench_size(logs[n], work / f"store-{n}", args.repeats)
        print(
            f"{n:>11,} {r['log'] / GB:>6.2f} {r['seconds']:>8.2f} {n / r['seconds']:>10,.0f} "
            f"{n / r['inside']:>10,.0f} {r['rss']:>8,.0f} {r['disk'] / n:>7.1f} {r['again']:>8.2f} "
            f"{r['again'] / (r['log'] / GB):>6.2f} {r['again_rss']:>9,.0f} {r['cpu']:>6.2f} {r['load']:>5.1f}"
        )
        if n == sizes[0] and not args.no_summary:
            bench_summary(logs[n], work / f"store-{n}")
        r["store"] = work / f"store-{n}"
        if n != args.goaccess_lines:
            shutil.rmtree(r["store"], ignore_errors=True)  # the disk: 20M lines make a 300 MB store
    if args.stages:
        print(run([sys.executable, str(ROOT / "bench" / "store_stages.py"), str(logs[sizes[0]])])[3], end="")
    xs = [float(n) for n in sizes]
    a, b = fit(xs, [results[n]["seconds"] for n in sizes])
    _, d = fit(xs, [float(results[n]["disk"]) for n in sizes])
    peak = max(results[n]["rss"] for n in sizes)
    print(
        f"projection to {PROJECT_TO:,} lines (least squares over {len(sizes)} sizes): "
        f"{a + b * PROJECT_TO:,.0f} s ({1 / b:,.0f} lines/s at size), {d * PROJECT_TO / GB:,.1f} GB on disk, "
        f"peak RSS {peak:,.0f} MB (largest measured)"
    )
    if args.goaccess_lines:
        source = logs.get(args.goaccess_lines) or head_lines(biggest, args.goaccess_lines, work / "goaccess.log")
        warm(source)
        bench_goaccess(source, work, results.get(args.goaccess_lines))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
