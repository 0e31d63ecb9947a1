"""The app on a store: first chart, a slider step, an Explore filter over the whole history and within one day.

    python bench/store_app_bench.py [--lines 1000000] [--keep DIR] [--repeats 3]

Server-side times with AppTest (what Streamlit executes, plus AppTest's own overhead). The log is generated and
ingested by child processes (``python -m dashboard sample``, ``ingest``) unless ``--keep DIR`` already holds
them. First chart, in a real browser (Chromium, as ``browser_bench.py``): from a new ``streamlit run app.py --
--store DIR`` process to the first chart painted (the alerts are found after the traffic is drawn). Whole first
run: a fresh process per run, AppTest's first run to its end (imports, opening the store, the Traffic page from
the rollups, the alerts from the rows, the rerun that marks them). The other steps rerun a page that is already
open, each with a new value (no cache hit).
Medians are printed with the targets of issue #15; the peer, measured in the same run, is the same page on the
log itself (``--log``: parsed and enriched in memory at start).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {
    "first chart": 2.0,
    "whole first run": None,
    "slider step": 0.3,
    "Explore filter, whole history": 2.0,
    "Explore filter, one day": 0.5,
}
FILTERS = (
    "country:is:US",
    "status:is:4xx",
    "browser:is:Firefox",
    "os:is:Windows",
    "path:contains:/api",
    "bots:is:only",
)


def child(*args: str) -> None:
    """``python -m dashboard ARGS`` in a child process (its memory is not this process's)."""
    subprocess.run([sys.executable, "-m", "dashboard", *args], check=True, cwd=ROOT, capture_output=True)


def browser_first_chart(source: str, repeats: int) -> list[float]:
    """Seconds from a new server process to the first chart painted in Chromium (``browser_bench.cold_start``)."""
    from browser_bench import CHROMIUM, CHROMIUM_ARGS, cold_start  # bench/ is the script's directory
    from playwright.sync_api import sync_playwright

    os.environ["DATABLOOM_ARGS"] = source  # the server inherits it
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                return [cold_start(browser, 300.0)["s"] for _ in range(repeats)]
            finally:
                browser.close()
    finally:
        del os.environ["DATABLOOM_ARGS"]


def first_chart_seconds(source: str) -> float:
    """A fresh process: AppTest's first run of the Traffic page (``--store DIR`` or ``--log FILE``), to its charts."""
    code = (
        "import time; t=time.perf_counter();"
        "from streamlit.testing.v1 import AppTest;"
        f"at=AppTest.from_file({str(ROOT / 'app.py')!r}, default_timeout=600).run();"
        "assert not at.exception and not at.error and at.get('vega_lite_chart');"
        "print(time.perf_counter()-t)"
    )
    env = {**os.environ, "DATABLOOM_ARGS": source}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    return float(out.stdout.strip().splitlines()[-1])


def timed_run(at) -> float:
    """Seconds of one AppTest rerun (no exception, no error on the page)."""
    began = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - began
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    return seconds


def slider_steps(source: str, moves: int) -> list[float]:
    """Reruns after moving the Traffic page's window to a new place."""
    from streamlit.testing.v1 import AppTest

    os.environ["DATABLOOM_ARGS"] = source
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600).run()
    options = at.select_slider(key="window").options
    n = len(options)
    seconds = []
    for k in range(moves):
        first = (k * 7) % n
        at.select_slider(key="window").set_value((options[first], options[min(first + (0, 3, 12)[k % 3], n - 1)]))
        seconds.append(timed_run(at))
    return seconds


def explore_steps(source: str, date_range: str, repeats: int) -> list[float]:
    """Reruns of the Explore page after changing its filter, over the whole history or the last day."""
    from streamlit.testing.v1 import AppTest

    os.environ["DATABLOOM_ARGS"] = source
    at = AppTest.from_file(str(ROOT / "tests" / "support" / "explore_app.py"), default_timeout=600)
    at.query_params["range"] = date_range
    at.run()
    seconds = []
    for k in range(repeats):
        at.query_params["f"] = FILTERS[k % len(FILTERS)]
        seconds.append(timed_run(at))
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="keep (or reuse) the log and store in this directory")
    parser.add_argument("--no-peer", action="store_true", help="skip the same steps on the log in memory")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="store-app-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    log, store = work / "access.log", work / "store"
    if not log.exists():
        child("sample", "--lines", str(args.lines), "--out", str(log))
    if not (store / "manifest.json").exists():
        child("ingest", str(log), "--store", str(store))
    sources = {"store": f"--store {store}"} | ({} if args.no_peer else {"log": f"--log {log}"})
    steps = max(args.repeats, len(FILTERS))
    results = {
        name: {
            "first chart": browser_first_chart(source, args.repeats),
            "whole first run": [first_chart_seconds(source) for _ in range(args.repeats)],
            "slider step": slider_steps(source, steps),
            "Explore filter, whole history": explore_steps(source, "all", steps),
            "Explore filter, one day": explore_steps(source, "day", steps),
        }
        for name, source in sources.items()
    }
    print(f"{args.lines:,} lines; load average {os.getloadavg()[0]:.1f} at the end")
    for step, target in TARGETS.items():
        for name in sources:
            seconds = results[name][step]
            median = statistics.median(seconds)
            verdict = f"target <= {target} s, {'ok' if median <= target else 'over'}" if target else "no target"
            verdict = verdict if name == "store" else "peer"
            runs = ", ".join(f"{s:.2f}" for s in seconds)
            print(f"{step:<30} {name:<5} median {median:6.2f} s ({verdict}); runs: {runs}")


if __name__ == "__main__":
    main()
