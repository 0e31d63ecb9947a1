"""Dashboard benchmark: first chart from the embedded sample, slider reruns at 1M rows, app memory.

    python bench/app_bench.py [--lines 1000000] [--moves 15]

Server-side times, measured two ways: AppTest reruns of the whole page after moving the window slider
(what Streamlit executes for a slider move, plus AppTest's own overhead), and direct calls of the view's
data path (traffic.window_data + the chart and deck builders + their JSON). Figures vary between runs on
shared machines: medians are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TARGET_RERUN_MS = 300
TARGET_FIRST_CHART_S = 5
TARGET_RSS_MB = 1024


def first_chart_seconds() -> float:
    """A fresh process: AppTest's first run of the default page (generates and parses the 100k sample)."""
    code = (
        "import time; t=time.perf_counter();"
        "from streamlit.testing.v1 import AppTest;"
        f"at=AppTest.from_file({str(ROOT / 'app.py')!r}, default_timeout=300).run();"
        "assert not at.exception and at.get('vega_lite_chart');"
        "print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--moves", type=int, default=15)
    args = parser.parse_args()

    first = [first_chart_seconds() for _ in range(3)]
    print(
        f"first chart from the embedded sample (fresh process, AppTest): median {statistics.median(first):.2f} s "
        f"(target <= {TARGET_FIRST_CHART_S} s)"
    )

    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "big.log"
        # In a child process, so the generator's memory does not count in this process's peak RSS.
        subprocess.run(
            [sys.executable, "-m", "dashboard", "sample", "--lines", str(args.lines), "--seed", "3", "--out", str(log)],
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        os.environ["DATABLOOM_ARGS"] = f"--log {log}"
        from streamlit.testing.v1 import AppTest

        t = time.perf_counter()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600).run()
        load_s = time.perf_counter() - t
        assert not at.exception, at.exception
        slider = at.select_slider(key="window")
        options = slider.options
        n = len(options)
        starts = [(i * 7) % n for i in range(args.moves)]
        windows = [(options[a], options[min(a + (0, 2, 5)[k % 3], n - 1)]) for k, a in enumerate(starts)]
        rerun_ms = []
        for first_label, last_label in windows[: args.moves]:
            at.select_slider(key="window").set_value((first_label, last_label))
            t = time.perf_counter()
            at.run()
            rerun_ms.append((time.perf_counter() - t) * 1000)
            assert not at.exception, at.exception
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        # The view's data path alone, without AppTest: what a slider move computes and serializes.
        from dashboard.analysis import traffic
        from dashboard.analysis.buckets import window_end
        from dashboard.analysis.cube import build_cube
        from dashboard.pipeline import load_log
        from dashboard.render import bars, heatmaps, maps, timeline

        loaded = load_log(log)
        cube = build_cube(loaded.frame, "4h", "UTC")
        buckets = traffic.bucket_options(cube)
        direct_ms = []
        for i in range(args.moves):
            t = time.perf_counter()
            a = (i * 7) % len(buckets)
            b = min(a + [0, 2, 5][i % 3], len(buckets) - 1)
            data = traffic.window_data(loaded.frame, cube, buckets[a], window_end(buckets, b, "4h"))
            timeline.browser_timeline_chart(data.browser_timeline).to_json()
            bars.top_bar_chart(data.browser_totals, "browser", selectable=False).to_json()
            heatmaps.style_heatmap(heatmaps.heatmap_pivot(data.browser_counts, "browser")).to_html()
            heatmaps.style_heatmap(heatmaps.heatmap_pivot(data.country_counts, "country")).to_html()
            maps.country_map(data.country_totals, maps.load_country_shapes(), maps.load_centroids()).to_json()
            direct_ms.append((time.perf_counter() - t) * 1000)

    med = statistics.median
    print(f"rows loaded: {loaded.parse.parsed:,}; first page run with the 1M-line log: {load_s:.1f} s")
    print(
        f"slider rerun, whole page via AppTest: median {med(rerun_ms):.0f} ms, max {max(rerun_ms):.0f} ms "
        f"(target <= {TARGET_RERUN_MS} ms)"
    )
    print(
        f"slider rerun, view data path + chart/deck JSON: median {med(direct_ms):.0f} ms, max {max(direct_ms):.0f} ms"
    )
    print(f"peak RSS of the process holding the 1M-row app: {rss_mb:.0f} MB (target <= {TARGET_RSS_MB} MB)")
    print(
        json.dumps(
            {"first_chart_s": med(first), "rerun_ms": med(rerun_ms), "direct_ms": med(direct_ms), "rss_mb": rss_mb}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
