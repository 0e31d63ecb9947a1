"""Browser benchmark: what a user waits for in Chromium, from an action to the page idle with everything painted.

    python bench/browser_bench.py [--lines 1000000] [--repeats 10] [--out FILE.json] [--only explore] [--root DIR]

Starts `streamlit run app.py` headless on a free loopback port, drives Debian's Chromium (software rendering, as
CI has) with Playwright, uploads a generated sample log (cached in the temp dir) through the sidebar and times each
interaction in the page's own clock: from the trusted input event (a Play step: the browser's rerun request), once
the rerun's `script_finished` message arrived, to the second requestAnimationFrame callback after the last websocket
message, Streamlit's status widget gone and the last long task (PerformanceObserver 'longtask'), accepted once the
100 ms after it stayed free of long tasks. Each cold start is matched by one of a Streamlit app of one bar chart
(``cold_start_floor_s``): the floor that no page can beat on this machine and browser; and by a first visit 5 s
after a new server started (``first_visit_later_s``, from the navigation), which finds the warm-up done.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from functools import partial
from pathlib import Path

from bench_report import kind, kinds, summary, table  # bench/ is the script's directory
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from wire_tap import WireTap

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
CHROMIUM_ARGS += ["--disable-sync", "--no-first-run", "--disable-quic"]  # software rendering, as CI has
CACHE = Path(tempfile.gettempdir()) / "databloom-browser-bench"
QUIET_MS = 100
DONE = {"FINISHED_SUCCESSFULLY", "FINISHED_WITH_COMPILE_ERROR", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"}
STATUS = "[data-testid=stStatusWidget]"
LATER_S = 5.0  # a first visit this long after the server started: the warm-up (dashboard/views/warm.py) is done
STEPS = ["cold", "traffic", "explore"]  # the upload comes before traffic and explore


# Installed before any page script: input, websocket, frame and long-task timestamps in the page's clock.
PROBE = """(() => {
  const B = window.__bench = {input: 0, msg: 0, sent: [], frames: [], longEnd: 0, statusGone: 0, statusOn: false};
  const note = l => { for (const e of l.getEntries()) B.longEnd = Math.max(B.longEnd, e.startTime + e.duration); };
  B.obs = new PerformanceObserver(note);
  try { B.obs.observe({type: 'longtask', buffered: true}); } catch (e) { B.noLongTask = true; }
  B.flush = () => note({getEntries: () => B.obs.takeRecords()});
  for (const t of ['keydown', 'pointerdown', 'click'])
    addEventListener(t, e => { if (e.isTrusted) B.input = performance.now(); }, true);
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...a) { super(...a); this.addEventListener('message', () => { B.msg = performance.now(); }); }
    send(d) { B.sent.push(performance.now()); if (B.sent.length > 500) B.sent.splice(0, 250); return super.send(d); }
  };
  const tick = () => { B.frames.push(performance.now()); requestAnimationFrame(tick); };
  setInterval(() => B.frames.splice(0, B.frames.length - 2000), 5000);
  requestAnimationFrame(tick);
  addEventListener('DOMContentLoaded', () => new MutationObserver(() => {
    const on = !!document.querySelector('STATUS');
    if (B.statusOn && !on) B.statusGone = performance.now();
    B.statusOn = on;
  }).observe(document.body, {subtree: true, childList: true}));
})();""".replace("STATUS", STATUS)

# The painted time once idle, or null: two frames after the last message, status change and
# long task, then QUIET_MS free of long tasks.
IDLE_CHECK = """(since) => {
  const B = window.__bench; B.flush();
  if (document.querySelector('STATUS')) return null;
  const base = Math.max(since, B.msg, B.longEnd, B.statusGone);
  const after = B.frames.filter(f => f > base);
  if (after.length < 2 || performance.now() - after[1] < QUIET) return null;
  return after[1];
}""".replace("STATUS", STATUS).replace("QUIET", str(QUIET_MS))


# A Play step: the painted time once idle, or (negated) the next step's request when that is sent first.
STEP_CHECK = f"(s) => ({IDLE_CHECK})(s) || -(window.__bench.sent.find(t => t > s + 1) ?? 0)"


class Timeout(RuntimeError):
    """A wait in the benchmark ran out of time."""


class Server:
    """`streamlit run app.py` on a free loopback port, in its own process group; killed at exit whatever happens."""

    def __init__(self, timeout: float, root: Path = ROOT) -> None:
        with socket.create_server(("127.0.0.1", 0)) as s:
            port = s.getsockname()[1]
        command = [sys.executable, "-m", "streamlit", "run", str(root / "app.py"), "--server.headless", "true"]
        command += ["--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
        self.started = time.time()
        self.proc = subprocess.Popen(
            command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        atexit.register(self.kill)
        self.port, self.url = port, f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), urllib.request.urlopen(self.url + "/_stcore/health", timeout=2):
                self.ready = time.time()
                return  # answered 200 (any other status raises an OSError)
            time.sleep(0.1)
        self.kill()
        raise Timeout("streamlit did not start")

    def rss_mb(self) -> float:
        """Resident memory of the server and its children (its process group), in MB."""
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[2]) == self.proc.pid:  # state, ppid, pgrp
                    total += int((stat.parent / "statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        return total / 2**20

    def kill(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


class Session:
    """One page with the probe installed; counts websocket bytes and spots `script_finished`."""

    def __init__(self, browser, timeout_s: float, tap: WireTap | None = None) -> None:
        self.tap = tap  # counts the bytes on the wire (compressed), when the page is served through it
        self.context = browser.new_context(viewport={"width": 1400, "height": 1800})
        self.context.add_init_script(PROBE)
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(timeout_s * 1000)
        self.timeout = timeout_s
        self.finished = 0  # script_finished messages seen
        self.finished_at = 0.0  # when the last one came off the wire (epoch seconds: not held up by the page)
        self.kinds: Counter = Counter()  # websocket payload bytes received, by what they carry (``kind``)
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        data = payload if isinstance(payload, bytes) else payload.encode()
        msg, name = ForwardMsg(), "?"
        with contextlib.suppress(Exception):  # a frame that is not a ForwardMsg is counted as "?", not decoded
            msg.ParseFromString(data)
            name = kind(msg)
            if (
                msg.WhichOneof("type") == "script_finished"
                and msg.ScriptFinishedStatus.Name(msg.script_finished) in DONE
            ):
                self.finished, self.finished_at = self.finished + 1, time.time()
        self.kinds[name] += len(data)

    def now(self) -> float:
        return self.page.evaluate("performance.now()")

    def wait(self, probe, what: str, poll_ms: int = 10, timeout: float | None = None):
        """Poll `probe` until it gives a true value (returned), for at most the timeout."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while not (value := probe()):
            if time.monotonic() > deadline:
                raise Timeout(f"timed out waiting for {what}")
            self.page.wait_for_timeout(poll_ms)
        return value

    def idle_after(self, finished: int, since: float, what: str) -> float:
        """Wait for a rerun after `finished`, then the page idle: the painted time in the page clock (ms)."""
        self.wait(lambda: self.finished > finished, f"the rerun of {what}")
        return self.wait(lambda: self.page.evaluate(IDLE_CHECK, since), f"the page idle after {what}", 20)

    def act(self, action, what: str) -> dict:
        """Run a user action: seconds from its input event to idle, and where they went (``PHASES``), KB received."""
        self.page.evaluate("window.__bench.input = 0")
        finished, kinds, wire = self.finished, Counter(self.kinds), self.tap.sent if self.tap else 0
        action()
        start = self.wait(lambda: self.page.evaluate("window.__bench.input"), f"the input event of {what}")
        painted = self.idle_after(finished, start, what)
        if self.page.locator("[data-testid=stException]").count():
            error = self.page.locator("[data-testid=stException]").first.inner_text().splitlines()[0]
            raise Timeout(f"the page shows an exception after {what}: {error[:160]}")
        sent, origin = self.page.evaluate(
            "(s) => [window.__bench.sent.find(t => t > s) ?? s, performance.timeOrigin]", start
        )
        sent = min(max(sent, start), painted)
        done = min(max(self.finished_at * 1e3 - origin, sent), painted)  # the script_finished frame, in page time
        phases = {"ask": (sent - start) / 1e3, "server": (done - sent) / 1e3, "paint": (painted - done) / 1e3}
        sizes = {k: n / 1e3 for k, n in (self.kinds - kinds).items()}
        out = {"s": (painted - start) / 1000, "kb": sum(sizes.values()), "kinds": sizes} | phases
        return out | ({"wire_kb": (self.tap.sent - wire) / 1e3} if self.tap else {})

    def settle(self, what: str) -> None:
        """Wait until the page is idle (no measurement)."""
        self.idle_after(max(self.finished - 1, 0), self.now(), what)  # the first page: its first run


def sample_log(lines: int) -> Path:
    """The generated sample log, gzipped, cached between runs."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"sample-{lines}.log.gz"
    if not path.exists():
        tmp = path.with_suffix(".tmp.gz")
        cmd = [sys.executable, "-m", "dashboard", "sample", "--lines", str(lines), "--out", str(tmp)]
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, timeout=3600)
        tmp.replace(path)
    return path


def metric(page: Page, label: str) -> str:
    value = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    return value.locator("[data-testid=stMetricValue]").inner_text()


def cold_start(browser, timeout_s: float, root: Path = ROOT, later: float = 0.0) -> dict:
    """Seconds from a new server process to the first vega chart painted in a new page (embedded sample), and
    where they went (``COLD_PHASES``). With ``later``: the page opens that many seconds after the server answered
    (its warm-up done, as for most first visits to a running server), and the seconds count from the navigation."""
    with contextlib.ExitStack() as stack:
        server = Server(timeout=timeout_s, root=root)
        stack.callback(server.kill)
        page = Session(browser, timeout_s).page
        stack.callback(page.context.close)
        time.sleep(later)
        navigated = time.time()
        page.goto(server.url)
        page.wait_for_function(
            "document.querySelector('[data-testid=stVegaLiteChart] :is(svg path, canvas)')", polling="raf"
        )
        painted, last = page.evaluate(
            "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() =>"
            " r([performance.timeOrigin + performance.now(), performance.timeOrigin + window.__bench.msg]))))"
        )
        painted = painted / 1000
        last = min(max(last / 1000, server.ready), painted)
        if later:
            return {"s": painted - navigated, "up": 0.0, "script": last - navigated, "paint": painted - last}
        up = server.ready - server.started
        return {"s": painted - server.started, "up": up, "script": last - server.ready, "paint": painted - last}


FLOOR_APP = """import streamlit as st
st.vega_lite_chart({"data": {"values": [{"a": "x", "b": 1}, {"a": "y", "b": 2}]}, "mark": "bar",
                   "encoding": {"x": {"field": "a", "type": "nominal"}, "y": {"field": "b", "type": "quantitative"}}})
"""


def floor_root(root: Path = ROOT) -> Path:
    """A Streamlit app of one bar chart, with ``root``'s settings: the cold start no Streamlit page beats here."""
    floor = Path(tempfile.mkdtemp(prefix="databloom-floor-"))
    shutil.copytree(root / ".streamlit", floor / ".streamlit")
    (floor / "app.py").write_text(FLOOR_APP)
    return floor


def select(page: Page, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label` (the option click is the timed input)."""
    for _ in range(3):  # a rerun drawing meanwhile may close the list: open it again
        page.locator("[data-testid=stSelectbox]").filter(has_text=label).first.click()
        try:
            return page.get_by_role("option", name=option, exact=True).click(timeout=10_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    raise Timeout(f"could not choose {option} in {label}")


def measured(out: dict, name: str, session: Session, action, repeats: int) -> None:
    """`action(i)` timed `repeats` times: seconds to idle under `name`, KB received beside it; a failure noted."""
    runs, note = [], None
    try:
        runs += [session.act(partial(action, i), name) for i in range(repeats)]
    except (Timeout, PlaywrightTimeout) as exc:
        note = f"stopped after {len(runs)} runs: {str(exc).splitlines()[0]}"
    out[name + "_s"], out[name + "_kb"] = summary(runs), summary(runs, "kb") | {"kinds": kinds(runs)}
    if runs and "wire_kb" in runs[0]:
        out[name + "_wire_kb"] = summary(runs, "wire_kb")
    out[name + "_s"] |= {"note": note} if note else {}


def upload(session: Session, log: Path) -> dict:
    """Upload the log through the sidebar; seconds until its figures are on screen and the page idle."""
    page = session.page
    sample_requests = metric(page, "Requests")
    page.get_by_test_id("stSidebarUserContent").get_by_text("Upload", exact=True).click()
    session.settle("the upload widget")
    finished, start = session.finished, session.now()
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(log))
    session.wait(lambda: metric(page, "Requests") != sample_requests, "the uploaded log's figures")
    painted = session.idle_after(finished, start, "the upload")
    return {"median": (painted - start) / 1000, "p90": None, "requests": metric(page, "Requests")}


def traffic_actions(session: Session, repeats: int, out: dict) -> None:
    """Slider steps, bucket, bot filter and anonymise changes, then Play steps, on the Traffic page."""
    page = session.page
    thumb = page.locator("[data-testid=stSlider] input[aria-label='Time window — start']").first
    measured(out, "slider_step", session, lambda i: thumb.press("ArrowRight"), repeats)
    anonymise = page.get_by_test_id("stSidebarUserContent").get_by_text("Anonymise IPs")
    bots = page.locator("[data-testid=stRadio]").filter(has_text="Bots").first
    actions = {
        "bucket_change": lambda i: select(page, "Bucket", ("1h", "4h")[i % 2]),
        "bot_filter": lambda i: bots.get_by_text(("exclude", "include")[i % 2], exact=True).click(),
        "anonymise_toggle": lambda i: anonymise.click(),
    }
    for name, action in actions.items():
        measured(out, name, session, action, repeats)
    if repeats % 2 and out["anonymise_toggle_s"]["runs"]:  # leave anonymise off
        session.act(anonymise.click, "the anonymise toggle")
    out.update(play_steps(session, repeats))  # last: pressing Play reruns the whole page


def play_steps(session: Session, repeats: int) -> dict:
    """Press Play; each automatic step from the browser's rerun request to the page idle, or to the next request
    when that leaves first (a lower bound on what the user waits, noted)."""
    page, out, steps, overlapped = session.page, {}, [], 0
    play = page.get_by_role("button", name=re.compile(r"Play$"))  # a Material icon, then the word
    if play.count() == 0:
        return {"play_step_s": {"median": None, "p90": None, "note": "no Play control on the page"}}
    thumb = page.locator("[data-testid=stSlider] input[aria-label='Time window — start']").first
    thumb.press("Home")  # the whole range again: Play then steps one bucket at a time from the start
    session.settle("the whole range")
    finished = session.finished
    play.click()  # its own rerun (the whole page) starts the playback; the steps follow on a timer
    session.wait(lambda: session.finished > finished, "pressing Play")
    marker = session.now()
    with contextlib.suppress(Timeout):  # playback ended early, or a step never came: the steps so far count
        for _ in range(repeats):  # the whole range at 4 h buckets holds 41 steps
            finished = session.finished
            session.wait(lambda n=finished: session.finished > n, "a Play step", timeout=60)
            # The step's request; when it left before the previous step was painted, the last one sent.
            sent = page.evaluate("(m) => window.__bench.sent.find(t => t > m) ?? window.__bench.sent.at(-1)", marker)
            idle = session.wait(lambda s=sent: page.evaluate(STEP_CHECK, s), "a Play step painted", 20)
            overlapped += idle < 0
            steps.append({"s": (abs(idle) - sent) / 1000})
            marker = abs(idle) - 1
    with contextlib.suppress(PlaywrightTimeout):
        page.get_by_role("button", name=re.compile(r"Pause$")).click(timeout=5000)  # an icon, then the word
    session.settle("pausing")
    out["play_step_s"] = summary(steps)
    if not steps:
        shown = page.locator("[data-testid=stException]")
        error = f": the page shows {shown.first.inner_text().splitlines()[0][:160]}" if shown.count() else ""
        out["play_step_s"]["note"] = "no step could be timed" + error
    if overlapped:
        out["play_step_s"]["note"] = f"{overlapped} of {len(steps)} steps overlapped the next: request-to-request"
    return out


def explore_actions(session: Session, repeats: int, out: dict) -> None:
    """A filter click on the Browsers chart (then removing it by its chip), and a date-range change."""
    page = session.page
    page.locator("[data-testid=stSidebarNav] a").filter(has_text="Explore").click()
    with contextlib.suppress(Timeout):
        session.wait(lambda: page.get_by_role("heading", name="Browsers").count() > 0, "the Explore page", timeout=90)
    if page.get_by_role("heading", name="Browsers").count() == 0:
        shown = page.locator("[data-testid=stMain]").inner_text()[:300].replace("\n", " | ")
        note = f"the Explore page did not show its charts; it shows: {shown}"
        out["explore_filter_s"] = {"median": None, "p90": None, "note": note}
        return
    session.settle("the Explore page")
    browsers = page.locator("[data-testid=stVerticalBlock]").filter(has=page.get_by_role("heading", name="Browsers"))
    bar = browsers.last.locator("[data-testid=stVegaLiteChart] path[role=graphics-symbol]").first
    chip = page.locator("[data-testid=stMultiSelect] button[aria-label^='Remove ']").first

    def bar_or_chip(i: int) -> None:
        bar.click(force=True) if i % 2 == 0 else chip.click()

    measured(out, "explore_filter", session, bar_or_chip, repeats)
    measured(out, "explore_range", session, lambda i: select(page, "Date range", ("week", "day")[i % 2]), repeats)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="lines of the uploaded sample log")
    parser.add_argument("--repeats", type=int, default=10, help="runs of each interaction (median and p90)")
    parser.add_argument("--cold", type=int, default=3, help="new server processes for the cold start")
    parser.add_argument("--timeout", type=float, default=300, help="seconds any single wait may take")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument("--only", choices=STEPS, action="append", help="run only these steps (repeatable)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose app.py is served (compare two)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit("chromium is not installed (apt-get install chromium)")
    log = sample_log(args.lines)
    result = {"lines": args.lines, "repeats": args.repeats, "load_average_start": os.getloadavg()}
    figures = result["figures"] = {}
    try:
        with sync_playwright() as p, contextlib.ExitStack() as stack:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            stack.callback(browser.close)
            steps = args.only or STEPS
            if "cold" in steps:
                colds = [cold_start(browser, args.timeout, args.root) for _ in range(args.cold)]
                figures["cold_start_s"] = summary(colds)
                floor = floor_root(args.root)
                stack.callback(shutil.rmtree, floor, True)
                figures["cold_start_floor_s"] = summary([cold_start(browser, args.timeout, floor) for _ in colds])
                later = [cold_start(browser, args.timeout, args.root, LATER_S) for _ in colds]
                figures["first_visit_later_s"] = summary(later)
            if steps == ["cold"]:
                return 0
            server = Server(timeout=args.timeout, root=args.root)  # one server, one page: upload, then each step
            stack.callback(server.kill)
            tap = WireTap(server.port)  # the page goes through it: the bytes each step costs on the network
            stack.callback(tap.close)
            session = Session(browser, args.timeout, tap)
            session.page.goto(tap.url)
            session.settle("the first page")
            figures["upload_s"] = upload(session, log)
            figures["rss_after_upload_mb"] = {"median": server.rss_mb(), "p90": None}
            if "traffic" in steps:
                traffic_actions(session, args.repeats, figures)
            if "explore" in steps:
                explore_actions(session, args.repeats, figures)
            figures["rss_at_end_mb"] = {"median": server.rss_mb(), "p90": None}
    finally:  # what was measured is reported even when a step failed
        result["load_average_end"] = os.getloadavg()
        print(f"{args.lines:,} lines, {args.repeats} repeats, load average {result['load_average_start']} (start)")
        print(table(figures))
        if args.out:
            args.out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
