"""Map layer benchmark: a Traffic-page slider step in Chromium with each candidate heat layer, and the geometry
sent inline (as before issue #14) or by URL (a static file the browser fetches once).

    python bench/map_layers_bench.py [--repeats 5] [--lines 0] [--candidates halo,heatmap,...]

For each candidate a fresh `streamlit run` serves the real app.py through a two-line shim that picks the heat
layer (``maps.MAP_HEAT_STYLE``) and, for the inline rows, turns static geometry off. The timing is
bench/browser_bench.py's: from the key press to the page idle (no long task for 100 ms, everything painted), and
the kilobytes the page received for the step, and the main thread's blocked time (the sum of its long tasks:
what a heavy layer adds in the browser, whatever the server takes). ``--lines N`` uploads a generated N-line log
first (0: the app's embedded sample).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

import browser_bench
from browser_bench import CHROMIUM, CHROMIUM_ARGS, Server, Session, sample_log, summary, upload
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
# (label, heat style, geometry inline?) — the first row is the app as it was before issue #14
CANDIDATES = {
    "inline+heatmap": ("heatmap", True),
    "url+heatmap": ("heatmap", False),
    "url+heatmap_small": ("heatmap_small", False),
    "url+screengrid": ("screengrid", False),
    "url+column": ("column", False),
    "url+halo": ("halo", False),
}
SHIM = """import os, runpy
from dashboard.render import maps
maps.MAP_HEAT_STYLE = os.environ["MAP_BENCH_HEAT"]
if os.environ.get("MAP_BENCH_INLINE") == "1":
    maps.geometry_url = lambda static_dir: None
runpy.run_path({app!r}, run_name="__main__")
"""
# The main thread's blocked time (the sum of long tasks), which a heavy layer adds whatever the server does.
BLOCKED = """(() => { const M = window.__mapbench = {blocked: 0};
  new PerformanceObserver(l => { for (const e of l.getEntries()) M.blocked += e.duration; })
    .observe({type: 'longtask', buffered: true}); })();"""


def shim_root() -> Path:
    """A folder holding the shim as app.py, with the checkout's static/ and .streamlit/ linked beside it."""
    folder = Path(tempfile.mkdtemp(prefix="databloom-map-bench-"))
    (folder / "app.py").write_text(SHIM.format(app=str(ROOT / "app.py")))
    (folder / "static").symlink_to(ROOT / "static")
    (folder / ".streamlit").symlink_to(ROOT / ".streamlit")
    return folder


def run_candidate(browser, label: str, repeats: int, log: Path | None, timeout: float) -> dict:
    """Slider steps with one candidate: seconds to idle and KB received, median and p90."""
    style, inline = CANDIDATES[label]
    os.environ["MAP_BENCH_HEAT"], os.environ["MAP_BENCH_INLINE"] = style, "1" if inline else "0"
    with contextlib.ExitStack() as stack:
        server = Server(timeout=timeout)
        stack.callback(server.kill)
        session = Session(browser, timeout)
        stack.callback(session.context.close)
        session.context.add_init_script(BLOCKED)
        session.page.goto(server.url)
        session.settle("the first page")
        if log is not None:
            upload(session, log)
        session.page.locator("[data-testid=stDeckGlJsonChart]").first.scroll_into_view_if_needed()
        session.page.wait_for_timeout(2000)
        thumb = session.page.locator("[data-testid=stSlider] input[aria-label='Time window — start']").first
        thumb.press("Home")
        session.settle("the whole range")
        runs = []
        for _ in range(repeats):
            blocked = session.page.evaluate("window.__mapbench.blocked")
            run = session.act(lambda: thumb.press("ArrowRight"), f"a slider step ({label})")
            runs.append(run | {"blocked": (session.page.evaluate("window.__mapbench.blocked") - blocked) / 1000})
        return {"s": summary(runs), "kb": summary(runs, "kb"), "blocked": summary(runs, "blocked")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="slider steps per candidate")
    parser.add_argument("--lines", type=int, default=0, help="upload a generated log of this many lines (0: sample)")
    parser.add_argument("--candidates", default=",".join(CANDIDATES), help="comma-separated labels to run")
    parser.add_argument("--timeout", type=float, default=300, help="seconds any single wait may take")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit("chromium is not installed (apt-get install chromium)")
    log = sample_log(args.lines) if args.lines else None
    folder = shim_root()
    browser_bench.ROOT = folder  # Server runs ROOT/app.py from ROOT: here, the shim
    rows, load = [], os.getloadavg()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for label in args.candidates.split(","):
                    try:
                        rows.append((label, run_candidate(browser, label, args.repeats, log, args.timeout), None))
                    except Exception as exc:  # one failed candidate does not stop the rest
                        rows.append((label, None, str(exc).splitlines()[0][:100]))
            finally:
                browser.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        print(f"{args.lines or 'sample'} lines, {args.repeats} slider steps each, load average {load} (start)")
        print(f"{'candidate':<20} {'median s':>9} {'p90 s':>7} {'blocked s':>10} {'median KB':>10}")
        for label, fig, note in rows:
            if fig is None:
                print(f"{label:<20} {'failed: ' + (note or ''):>30}")
                continue
            s, blocked, kb = fig["s"], fig["blocked"]["median"], fig["kb"]["median"]
            print(f"{label:<20} {s['median']:>9.3f} {s['p90']:>7.3f} {blocked:>10.3f} {kb:>10.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
