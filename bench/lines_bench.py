"""The Lines page's costs on a large log: the line-number column, selecting, reading a page, searching.

    python bench/lines_bench.py LOG [--repeats 5]

Prints medians (min–max) of: parsing the log with and without keeping line numbers is not separable (the
column is always kept), so the figure given is its memory: bytes of ``line`` per row; selecting the rows of a
filter (``lines.select``); reading the last page of the selection from the file (one pass to its end, the worst
case); a literal and a regex search over the raw text of the selected lines.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from dashboard.analysis import lines
from dashboard.analysis.filters import Filter
from dashboard.pipeline import load_log
from dashboard.schema import LINE

REGEX = r"/api/v\d+/"


def timed(repeats: int, work) -> str:
    """Median (min–max) seconds of ``work`` over ``repeats`` runs."""
    runs = []
    for _ in range(repeats):
        began = time.perf_counter()
        work()
        runs.append(time.perf_counter() - began)
    return f"{statistics.median(runs):.3f} s ({min(runs):.3f}–{max(runs):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    loaded = load_log(args.log)
    frame = loaded.frame
    openers = [lambda: args.log]
    everything = lines.select(frame, [])
    errors = lines.select(frame, [Filter("status", "is", "5xx")])
    five = [Filter("status", "is", "5xx")]
    first, last = lines.page_keys(everything, 0), lines.page_keys(everything, 10**9)
    steps = [
        (f"select, no filter ({len(everything):,} lines)", lambda: lines.select(frame, [])),
        (f"select, status:5xx ({len(errors):,} lines)", lambda: lines.select(frame, five)),
        ("read the first page", lambda: lines.read(openers, ["log"], first)),
        ("read the last page (one pass over the file)", lambda: lines.read(openers, ["log"], last)),
        ("search 'wp-login' in every line", lambda: lines.search(openers, everything, "wp-login")),
        ("search a regex in the 5xx lines", lambda: lines.search(openers, errors, REGEX, True)),
    ]
    per_row = frame[LINE].memory_usage(index=False) / len(frame)
    print(f"{len(frame):,} rows; the line column costs {per_row:.1f} bytes per row")
    for label, work in steps:
        print(f"{label:<48} {timed(args.repeats, work)}")


if __name__ == "__main__":
    main()
