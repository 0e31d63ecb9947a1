"""Explore benchmark: filter and date-range changes at 1M rows (server side), and the HTML report for 1M lines.

    python bench/explore_bench.py [--lines 1000000] [--repeats 5] [--log FILE]

"Change" is the page's data path for one rerun: the filter mask, the date range, every panel and the
previous period (``explore.explore``), plus building every chart and serialising its (unvalidated) spec to
JSON, as the page hands it to ``st.vega_lite_chart``. The per-log preparation (``rows.prepare``) is
cached by the page and timed separately. The report is timed twice: from the loaded log
(``report.build_report``) and end to end (parse + report), as ``python -m dashboard report`` runs it.
Medians are printed; figures vary on shared machines.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dashboard.analysis import explore, ranges
from dashboard.analysis.filters import Filter
from dashboard.analysis.rows import Prepared, prepare
from dashboard.enrich.anonymise import anonymise_frame
from dashboard.pipeline import load_log
from dashboard.render import bars, heatmaps, theme, timeline
from dashboard.render.report import build_report

ROOT = Path(__file__).resolve().parents[1]

TARGET_CHANGE_MS = 300
TARGET_REPORT_S = 10
TARGET_REPORT_MB = 5
SCENARIOS: list[tuple[str, str, list[Filter]]] = [
    ("all, no filter", "all", []),
    ("country is US", "all", [Filter("country", "is", "US")]),
    ("status 4xx + bots excluded", "all", [Filter("status", "is", "4xx"), Filter("bots", "is", "exclude")]),
    ("path regex ^/api/", "all", [Filter("path", "regex", "^/api/")]),
    ("path contains 'blog'", "all", [Filter("path", "contains", "blog")]),
    ("ip in 20.0.0.0/8", "all", [Filter("ip", "is", "20.0.0.0/8")]),
    ("referrer google.com", "all", [Filter("referrer", "is", "google.com")]),
    ("last day vs day before", "day", []),
    ("last hour vs hour before", "hour", []),
    ("last week + browser Chrome", "week", [Filter("browser", "is", "Chrome")]),
]


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def page_data_path(prepared: Prepared, preset: str, filters: list[Filter], tz: str) -> int:
    """What one rerun of the Explore page computes; returns the bytes of chart JSON (to keep it honest)."""
    period = None if preset == "all" else ranges.preset_range(prepared.frame["time"], preset)
    data = explore.explore(prepared, filters, period, compare=period is not None)
    charts = [
        timeline.traffic_chart(data.traffic, data.previous_traffic, "requests", tz),
        timeline.status_chart(data.status, tz, selectable=True),
        heatmaps.weekday_hour_chart(data.weekday_hour),
        heatmaps.country_hour_chart(data.country_hour),
    ]
    charts += [bars.top_bar_chart(t, explore.TOP_PANELS[k][1]) for k, t in data.tops.items() if len(t)]
    return sum(len(json.dumps(theme.to_spec(c))) for c in charts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--log", default=None, help="reuse (or keep) the generated log at this path")
    parser.add_argument("--tz", default="Europe/Berlin")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="explore-bench-"))
    log = Path(args.log) if args.log else folder / "access.log"
    if not log.exists():
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "dashboard", "sample", "--lines", str(args.lines), "--out", str(log)],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"generated {args.lines:,} lines in {time.perf_counter() - started:.1f} s → {log}")

    started = time.perf_counter()
    loaded = load_log(log)
    load_s = time.perf_counter() - started
    rows = len(loaded.frame)
    print(f"loaded {rows:,} rows in {load_s:.1f} s (parse + enrich; cached by the app)")

    started = time.perf_counter()
    prepared = prepare(loaded.frame, args.tz)
    prepare_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    prepare(anonymise_frame(loaded.frame), args.tz)
    prepare_anon_ms = (time.perf_counter() - started) * 1000
    print(f"prepare (once per log × zone, cached): {prepare_ms:,.0f} ms; with anonymisation {prepare_anon_ms:,.0f} ms")

    print(f"\nfilter / date-range change, server side (median of {args.repeats}), target ≤ {TARGET_CHANGE_MS} ms:")
    worst = 0.0
    for name, preset, filters in SCENARIOS:
        page_data_path(prepared, preset, filters, args.tz)  # warm caches (category parses, regex compile)
        ms = median_ms(lambda p=preset, f=filters: page_data_path(prepared, p, f, args.tz), args.repeats)
        worst = max(worst, ms)
        print(f"  {name:<30} {ms:8.0f} ms  {'ok' if ms <= TARGET_CHANGE_MS else 'OVER'}")

    started = time.perf_counter()
    document = build_report(loaded, tz=args.tz, preset="day")
    report_s = time.perf_counter() - started
    out = folder / "report.html"
    out.write_text(document, encoding="utf-8")
    size_mb = out.stat().st_size / 1e6

    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from bench.explore_bench import cli_report; cli_report(sys.argv[1:])",
            str(log),
            "-o",
            str(folder / "cli-report.html"),
            "--tz",
            args.tz,
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    end_to_end_s = time.perf_counter() - started
    print(f"\nHTML report for {rows:,} rows: {report_s:.1f} s from the loaded log, {end_to_end_s:.1f} s end to end")
    print(f"  size {size_mb:.2f} MB (target ≤ {TARGET_REPORT_MB} MB); target ≤ {TARGET_REPORT_S} s")
    print(
        json.dumps(
            {
                "rows": rows,
                "load_s": round(load_s, 2),
                "prepare_ms": round(prepare_ms),
                "worst_change_ms": round(worst),
                "report_s": round(report_s, 2),
                "report_end_to_end_s": round(end_to_end_s, 2),
                "report_mb": round(size_mb, 2),
            }
        )
    )
    return 0


def cli_report(argv: list[str]) -> None:
    """``databloom report`` in this process."""
    from dashboard.cli import main as cli_main

    raise SystemExit(cli_main(["report", *argv]))


if __name__ == "__main__":
    raise SystemExit(main())
