"""The CLF formats' fast path: a compiled one-pass scanner in front of the polars regex.

``_scanner.c`` beside this file (built by the package's install when a C compiler is there) reads each line
of a chunk once and says either "this line has the exact shape of the format's regex, and here are its fields"
or "not sure".
The lines it is not sure about (escaped quotes in the request, non-ASCII in the first fields or the request,
an odd timestamp, anything malformed) go through the regex path as before, which accepts or rejects them. So
the result is the regex path's result, field for field (the tests compare both on every parse case, generated
samples and hypothesis-mutated lines of each format), at a fraction of the cost: the regex's capture groups
were ~60% of the parse time (1M-line benchmark).

It knows the registry's ``combined``, ``vhost_combined``, ``combined_time_us`` (%D), ``combined_time`` (%T),
``common``, and combined without a tail (what ``--format`` with Apache's combined string compiles to). Other
formats, and JSON lines, take the regex path.

String fields come back as Arrow string views into the chunk's own buffer: nothing is copied until polars
builds the categoricals. Without a C compiler at install time the module is missing, ``scan`` is never
called and every line takes the regex path.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
import polars as pl
import pyarrow as pa

from dashboard.ingest.formats import CLF_TIME, COMBINED, FORMATS, LogFormat, compile_apache

# DATABLOOM_NO_SCANNER=1 turns the scanner off (the regex parses every line): a way out, and a way to measure.
DISABLE_ENV = "DATABLOOM_NO_SCANNER"

try:
    from dashboard.ingest import _scanner as native
except ImportError:  # built without a compiler: the regex path parses everything
    native = None
if os.environ.get(DISABLE_ENV, "") not in ("", "0"):
    native = None

# The views the scanner writes, in its order (splitter.c's enum).
VIEW_FIELDS = ("ip", "ident", "user", "method", "path", "query", "protocol", "referrer", "user_agent", "vhost")
VIEW_BYTES = 16
MAX_BUFFER_BYTES = (1 << 31) - 1  # views hold 32-bit offsets
UTC_MICROS = pl.Datetime("us", "UTC")
# What follows the user agent (splitter.c's TAIL_*): anything after a space, nothing, %D, %T.
TAIL_ANY, TAIL_END, TAIL_MICROS, TAIL_SECONDS = range(4)


class Layout(NamedTuple):
    """The shape of a CLF-family line, as the scanner takes it."""

    vhost: bool  # "%v:%p " first
    agent: bool  # "referrer" "user agent" after the bytes
    tail: int  # TAIL_*

    @property
    def columns(self) -> tuple[str, ...]:
        """The regex path's typed columns for such a format, in its order (parse._typed_exprs)."""
        names = ["time", "ip", "ident", "user", "referrer", "user_agent"]
        names += ["vhost"] if self.vhost else []
        names += ["status", "bytes"]
        names += ["port"] if self.vhost else []
        names += ["response_time_s"] if self.tail in (TAIL_MICROS, TAIL_SECONDS) else []
        return (*names, "method", "path", "query", "protocol")


LAYOUTS: dict[str, Layout] = {
    FORMATS["combined"].pattern: Layout(vhost=False, agent=True, tail=TAIL_ANY),
    compile_apache(COMBINED).pattern: Layout(vhost=False, agent=True, tail=TAIL_END),
    FORMATS["vhost_combined"].pattern: Layout(vhost=True, agent=True, tail=TAIL_END),
    FORMATS["combined_time_us"].pattern: Layout(vhost=False, agent=True, tail=TAIL_MICROS),
    FORMATS["combined_time"].pattern: Layout(vhost=False, agent=True, tail=TAIL_SECONDS),
    FORMATS["common"].pattern: Layout(vhost=False, agent=False, tail=TAIL_END),
}


def available() -> bool:
    """Whether the compiled scanner is installed."""
    return native is not None


def split_lines(data: bytes, last_unterminated: bool) -> tuple[np.ndarray, np.ndarray] | None:
    """Line offsets (Arrow large-string offsets over ``data``) and the indexes of the lines holding a byte
    >= 0x80, in one compiled pass; None without the compiled scanner."""
    if native is None:
        return None
    offsets, high = native.split_lines(data, last_unterminated)
    return np.frombuffer(offsets, np.int64), np.frombuffer(high, np.int64)


def layout_for(fmt: LogFormat) -> Layout | None:
    """The scanner's layout for ``fmt``, or None when the regex path parses it alone."""
    if not available() or fmt.kind != "regex" or fmt.time_format != CLF_TIME:
        return None
    return LAYOUTS.get(fmt.pattern)


def scan(arr: pa.LargeStringArray, layout: Layout, skip: Iterable[int] = ()) -> tuple[pl.DataFrame, np.ndarray] | None:
    """Typed rows for every line of ``arr`` and the mask of lines the scanner accepted.

    Rows the scanner did not accept hold placeholders: take them from the regex path. ``skip`` lists lines
    that must not be accepted (already rejected as binary or too long). None when the chunk is too big for
    32-bit view offsets.
    """
    offsets_buf, data_buf = arr.buffers()[1], arr.buffers()[2]
    n = len(arr)
    if data_buf is None or data_buf.size > MAX_BUFFER_BYTES or arr.offset:
        return None
    offsets = np.frombuffer(offsets_buf, np.int64, count=n + 1)
    ok, times, status, nbytes = np.zeros(n, bool), np.zeros(n, np.int64), np.zeros(n, np.int16), np.zeros(n, np.int64)
    port, has_port, seconds, has_seconds = np.zeros(n, np.int32), np.zeros(n, bool), np.zeros(n), np.zeros(n, bool)
    views = np.empty(len(VIEW_FIELDS) * n * VIEW_BYTES, np.uint8)
    native.scan_lines(data_buf, offsets, layout, ok, times, status, nbytes, port, has_port, seconds, has_seconds, views)
    skip = list(skip)
    if skip:
        ok[skip] = False
    block = n * VIEW_BYTES
    columns = {}
    for i, name in enumerate(VIEW_FIELDS):
        field_views = pa.py_buffer(views[i * block : (i + 1) * block])
        strings = pa.Array.from_buffers(pa.string_view(), n, [None, field_views, data_buf])
        columns[name] = pl.Series(name, strings)
    columns["time"] = pl.Series("time", times).cast(UTC_MICROS)
    columns["status"] = pl.Series("status", status)
    columns["bytes"] = pl.Series("bytes", nbytes)
    columns["port"] = pl.Series("port", pa.array(port, mask=~has_port))
    columns["response_time_s"] = pl.Series("response_time_s", pa.array(seconds, mask=~has_seconds))
    frame = pl.DataFrame([columns[name] for name in layout.columns])
    strings = [name for name in frame.columns if name in VIEW_FIELDS]
    return frame.with_columns(pl.col(strings).cast(pl.Categorical)), ok
