"""Figures of the live panel for a followed log: requests per minute, active visitors, latest requests.

"Now" is the newest time in the log, not the wall clock, so a replayed or delayed log shows the same panel
as a live one and tests are deterministic.
"""

from __future__ import annotations

import logging
import threading
import weakref
from dataclasses import dataclass

import pandas as pd

from dashboard.analysis.buckets import window
from dashboard.analysis.visitors import unique_visitors

RATE_SPAN = pd.Timedelta(hours=1)
ACTIVE_SPAN = pd.Timedelta(minutes=5)
LATEST_ROWS = 50
LOG = logging.getLogger(__name__)
LATEST_COLUMNS = ("time", "ip", "country", "method", "path", "status", "bytes", "browser", "user_agent")


@dataclass(frozen=True)
class LiveFigures:
    """The live panel's data."""

    now: pd.Timestamp | None
    per_minute: pd.DataFrame  # minute, requests — the last hour, empty minutes as 0
    active_visitors: int
    latest: pd.DataFrame  # the last requests, newest first


def live_figures(frame: pd.DataFrame, tz: str = "UTC") -> LiveFigures:
    """Requests per minute over the last hour, visitors active in the last 5 minutes, the last 50 requests."""
    if frame.empty:
        empty = pd.DataFrame({"minute": pd.Series([], dtype=f"datetime64[us, {tz}]"), "requests": []})
        return LiveFigures(None, empty, 0, frame.head(0).loc[:, [c for c in LATEST_COLUMNS if c in frame]])
    now = frame["time"].iloc[-1]
    last_hour = window(frame, now - RATE_SPAN, None)
    minutes = last_hour["time"].dt.floor("min")
    counts = minutes.value_counts().sort_index()
    full = pd.date_range((now - RATE_SPAN).floor("min"), now.floor("min"), freq="min")
    per_minute = counts.reindex(full, fill_value=0).rename_axis("minute").rename("requests").reset_index()
    per_minute["minute"] = per_minute["minute"].dt.tz_convert(tz)
    active = unique_visitors(window(frame, now - ACTIVE_SPAN, None), tz)
    latest = frame.iloc[-LATEST_ROWS:][[c for c in LATEST_COLUMNS if c in frame.columns]].iloc[::-1].copy()
    latest["time"] = latest["time"].dt.tz_convert(tz)
    for col in latest.columns:
        if isinstance(latest[col].dtype, pd.CategoricalDtype):
            latest[col] = latest[col].astype(str)
    return LiveFigures(now.tz_convert(tz), per_minute, active, latest.reset_index(drop=True))


READ_SECONDS = 0.5  # how often the shared follower reads the file, whatever the pages' refresh


class SharedLive:
    """One followed log shared by every session of the server: polls are serialised by a lock.

    A background thread reads the file every ``interval`` seconds, so a line is in the frame within about
    that long of being written, and a page's rerun (every 2 s by default) finds little left to read. The
    thread holds only a weak reference: when the cache drops this object, the thread ends at its next tick.
    ``on_poll`` (tests, benchmarks) receives each background poll's result.
    """

    def __init__(self, live, interval: float | None = READ_SECONDS, on_poll=None) -> None:
        self.live = live
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = None
        if interval:
            self.thread = threading.Thread(
                target=_keep_reading,
                args=(weakref.ref(self), self.stopped, interval, on_poll),
                name="live-reader",
                daemon=True,
            )
            self.thread.start()

    def poll(self):
        """Read what arrived since the last poll (by any session) and return the LoadedLog of all retained rows."""
        with self.lock:
            self.live.poll()
            return self.live.loaded()

    def current(self):
        """The LoadedLog of what has been read so far, without reading."""
        with self.lock:
            return self.live.loaded()

    def stop(self) -> None:
        """Stop the background reads (the log stays readable with ``poll``)."""
        self.stopped.set()


def _keep_reading(ref: weakref.ReferenceType, stopped: threading.Event, interval: float, on_poll) -> None:
    """The background reader: a poll every ``interval`` seconds until stopped or the SharedLive is gone."""
    last_error = None
    while not stopped.wait(interval):
        shared = ref()
        if shared is None:
            return
        try:
            with shared.lock:
                result = shared.live.poll()
            last_error = None
            if on_poll is not None:
                on_poll(result)
        except Exception as exc:  # a bad read must not end live updates; the pages' own polls report it
            if repr(exc) != last_error:  # once per distinct error, not every half second
                LOG.exception("background read of %s failed", getattr(shared.live, "name", "the followed log"))
            last_error = repr(exc)
        del shared
