"""Audience benchmark: visits (sessionization), the summary's audience fields and the whole page's data at 1M rows.

    python bench/audience_bench.py [--lines 1000000] [--repeats 3] [--log FILE]

Without ``--log`` it writes the sample with response times (``combined_time_us``) to a temporary file and parses
it once (not timed). Timed, best of ``--repeats``: ``visits.sessionize`` (sort by visitor and time, gaps),
``summary.audience`` (page views, visits, bounce rate, percentiles: what ``summary --json`` adds) and
``audience.audience`` (every table of the Audience page, as ``cache.audience`` builds it once per selection).
Figures vary on shared machines.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from dashboard.analysis.audience import audience
from dashboard.analysis.summary import audience as summary_fields
from dashboard.analysis.visits import sessionize, visit_figures
from dashboard.pipeline import load_log
from dashboard.sample import write_sample


def best(repeats: int, run: Callable[[], object]) -> float:
    """The fastest of ``repeats`` runs, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Parse the log, then time each step and print one line per step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--log", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.log) if args.log else Path(tmp) / "sample.log"
        if not args.log:
            write_sample(path, args.lines, fmt="combined_time_us")
        frame = load_log(path).frame
    figures = visit_figures(sessionize(frame))
    print(f"{len(frame):,} rows, {figures['visits']:,} visits, bounce rate {figures['bounce_rate']:.3f}")
    for name, run in (
        ("visits.sessionize", lambda: sessionize(frame)),
        ("summary --json audience fields", lambda: summary_fields(frame)),
        ("Audience page data (all panels)", lambda: audience(frame)),
    ):
        print(f"{name:<34} {best(args.repeats, run):6.2f} s (best of {args.repeats})")


if __name__ == "__main__":
    main()
