"""Lines → typed columns + rejects, one vectorized regex pass per chunk (polars, Rust regex).

Every input line ends up either in the frame or counted as a reject with its line number and a reason:
``parsed + rejected == lines`` always. Times honour each line's own UTC offset and are stored in UTC.
Bytes that are not UTF-8 are kept visible as ``\\xNN`` escapes (the way nginx writes them) rather than
dropped or replaced.
"""

from __future__ import annotations

import io
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa

from .formats import CLF_TIME, EPOCH_MS_TIME, EPOCH_TIME, ISO_TIME, LogFormat, resolve_format
from .sources import (
    MAX_LINE_BYTES,
    REJECT_RAW_BYTES,
    Chunk,
    SourceError,
    iter_chunks,
    open_binary,
    position,
    source_name,
)

MAX_REJECTS_KEPT = 1000
WORKERS = 2
NEWLINE = 10
HIGH_BYTE = 0x80
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# surrogateescape + translate gives backslashreplace's ``\xNN`` at a third of its cost (no per-byte callback).
ESCAPES = {0xDC00 + b: f"\\x{b:02x}" for b in range(HIGH_BYTE, 0x100)}
STRING_COLUMNS = (
    "ip",
    "ident",
    "user",
    "method",
    "path",
    "query",
    "protocol",
    "referrer",
    "user_agent",
    "vhost",
)
DASH_IS_EMPTY = ("ident", "user", "referrer", "user_agent", "vhost", "query")
TEXT_FIELDS = ("ip", "ident", "user", "referrer", "user_agent", "vhost", "query")
METHOD_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]*$"
PROTOCOL_PATTERN = r" (HTTP/\d+(?:\.\d+)?)$"

# Reject reasons, short and stable (tests and the UI group by them).
NOT_THIS_FORMAT = "not this format"
UNTERMINATED_QUOTE = "unterminated quote"
BAD_TIMESTAMP = "bad timestamp"
LINE_TOO_LONG = "line too long"
BINARY = "binary"
EMPTY_LINE = "empty line"
TRUNCATED_LINE = "truncated last line"


@dataclass(frozen=True)
class Reject:
    """One line that did not parse: where it was, why, and its first bytes as text."""

    source: str
    line: int
    reason: str
    raw: str


@dataclass
class ChunkResult:
    """What one chunk gave: typed rows, how many lines, and the rejects."""

    frame: pl.DataFrame
    lines: int
    rejected: int
    reasons: Counter
    rejects: list[Reject]


@dataclass
class ParseResult:
    """A parsed log: the frame (not yet enriched) and the accounting of every line."""

    frame: pd.DataFrame
    format: LogFormat
    lines: int = 0
    rejected: int = 0
    reasons: Counter = field(default_factory=Counter)
    rejects: list[Reject] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @property
    def parsed(self) -> int:
        return len(self.frame)


# --- splitting a chunk into lines -----------------------------------------------------------------------


def _lines_array(data: bytes, last_unterminated: bool) -> pa.LargeStringArray:
    """Zero-copy view of ``data`` as one string per line (each still carrying its newline)."""
    nl = np.flatnonzero(np.frombuffer(data, np.uint8) == NEWLINE)
    count = len(nl) + (1 if last_unterminated else 0)
    offsets = np.empty(count + 1, np.int64)
    offsets[0] = 0
    offsets[1 : len(nl) + 1] = nl + 1
    if last_unterminated:
        offsets[-1] = len(data)
    return pa.LargeStringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(data))


def _as_text(data: bytes, last_unterminated: bool) -> pa.LargeStringArray:
    """The chunk's lines as valid UTF-8; undecodable bytes become ``\\xNN`` escapes.

    Only lines holding bytes >= 0x80 can be invalid, and they are rare: those alone are re-decoded.
    """
    arr = _lines_array(data, last_unterminated)
    try:
        arr.validate(full=True)
        return arr
    except pa.ArrowInvalid:
        pass
    offsets = np.frombuffer(arr.buffers()[1], np.int64, count=len(arr) + 1)
    high = np.flatnonzero(np.frombuffer(data, np.uint8) >= HIGH_BYTE)
    pieces, pos = [], 0
    for i in np.unique(np.searchsorted(offsets, high, side="right") - 1).tolist():
        start, end = int(offsets[i]), int(offsets[i + 1])
        text = data[start:end].decode("utf-8", "surrogateescape").translate(ESCAPES)
        pieces += [data[pos:start], text.encode("utf-8")]
        pos = end
    pieces.append(data[pos:])
    return _lines_array(b"".join(pieces), last_unterminated)


# --- time -----------------------------------------------------------------------------------------------


def _parse_time(col: pl.Expr, time_format: str) -> pl.Expr:
    """A UTC datetime expression for timestamps written as ``time_format``."""
    dtype = pl.Datetime("us", "UTC")
    if time_format == CLF_TIME:
        return col.str.strptime(dtype, CLF_TIME, strict=False)
    if time_format == ISO_TIME:
        return col.str.to_datetime(time_zone="UTC", time_unit="us", strict=False)
    if time_format in (EPOCH_TIME, EPOCH_MS_TIME):
        scale = 1_000_000 if time_format == EPOCH_TIME else 1_000
        return (col.cast(pl.Float64, strict=False) * scale).round().cast(pl.Int64, strict=False).cast(dtype)
    if time_format == "json":
        return pl.coalesce(_parse_time(col, EPOCH_TIME), _parse_time(col, ISO_TIME), _parse_time(col, CLF_TIME))
    if "%z" in time_format:
        return col.str.strptime(dtype, time_format, strict=False)
    # No offset in the log: the timestamps are taken as UTC.
    return col.str.strptime(pl.Datetime("us"), time_format, strict=False).dt.replace_time_zone("UTC")


# --- extracting fields ----------------------------------------------------------------------------------


def _extract(lines: pl.Series, fmt: LogFormat) -> pl.DataFrame:
    """Raw string fields per line (null where the line does not fit the format)."""
    if fmt.kind == "json":
        line = pl.col("line")
        is_object = line.str.starts_with("{")
        return pl.DataFrame({"line": lines}).select(
            [pl.when(is_object).then(line.str.json_path_match(paths[0])).alias(name) for name, paths in fmt.json_paths]
        )
    return lines.str.extract_groups(fmt.pattern).struct.unnest()


def _unescape(col: pl.Series) -> pl.Series:
    """``\\"`` → ``"`` in a quoted field; only the (rare) values holding a backslash are rewritten."""
    has_backslash = col.str.contains("\\", literal=True).fill_null(False)
    if not has_backslash.any():
        return col
    rows = has_backslash.arg_true()
    return col.scatter(rows, col.gather(rows).str.replace_all('\\"', '"', literal=True))


def _split_request(request: pl.Series) -> tuple[pl.Series, pl.Series, pl.Series]:
    """method, target, protocol of request lines; a line without a method is all target ("-" → "")."""
    first_rest = request.str.splitn(" ", 2).struct.unnest()
    first, rest = first_rest.get_column(first_rest.columns[0]), first_rest.get_column(first_rest.columns[1])
    out = (
        pl.DataFrame({"request": request, "first": first, "rest": rest})
        .select(
            has_method=pl.col("first").str.contains(METHOD_PATTERN) & pl.col("rest").is_not_null(),
            rest=pl.col("rest"),
            first=pl.col("first"),
            request=pl.col("request"),
        )
        .select(
            method=pl.when(pl.col("has_method")).then(pl.col("first")).otherwise(pl.lit("")),
            target=pl.when(pl.col("has_method"))
            .then(pl.col("rest").str.replace(PROTOCOL_PATTERN, ""))
            .when(pl.col("request") == "-")
            .then(pl.lit(""))
            .otherwise(pl.col("request")),
            protocol=pl.when(pl.col("has_method"))
            .then(pl.col("rest").str.extract(PROTOCOL_PATTERN, 1).fill_null(""))
            .otherwise(pl.lit("")),
        )
    )
    return out.get_column("method"), out.get_column("target"), out.get_column("protocol")


def _typed(raw: pl.DataFrame, fmt: LogFormat) -> pl.DataFrame:
    """Typed columns from raw string fields."""
    names = set(raw.columns)
    height = raw.height
    empty = pl.repeat("", height, eager=True, dtype=pl.String)
    columns: dict[str, pl.Series] = {}

    time_format = "json" if fmt.kind == "json" else fmt.time_format
    if "time" in names:
        columns["time"] = raw.select(_parse_time(pl.col("time"), time_format)).to_series()
    for name in ("ip", "ident", "user", "referrer", "user_agent", "vhost"):
        if name in names:
            # Unescaping and "-" → "" happen once per distinct value, in to_pandas (see _clean_text).
            columns[name] = raw.get_column(name)
        elif name != "vhost":
            columns[name] = empty
    if "status" in names:
        columns["status"] = raw.get_column("status").cast(pl.Int16, strict=False)
    columns["bytes"] = (
        raw.get_column("bytes").cast(pl.Int64, strict=False).fill_null(0)
        if "bytes" in names
        else pl.repeat(0, height, eager=True, dtype=pl.Int64)
    )
    if "port" in names:
        columns["port"] = raw.get_column("port").cast(pl.Int32, strict=False)
    for name, scale in (("response_time_s", 1.0), ("response_time_ms", 1e-3), ("response_time_us", 1e-6)):
        if name in names:
            columns["response_time_s"] = raw.get_column(name).cast(pl.Float64, strict=False) * scale

    # method / path / query / protocol, from the request line or from separate fields.
    if "request" in names:
        method, target, protocol = _split_request(_unescape(raw.get_column("request")))
    else:
        method = raw.get_column("method").fill_null("") if "method" in names else empty
        target = raw.get_column("target") if "target" in names else None
        protocol = raw.get_column("protocol").fill_null("") if "protocol" in names else empty
    if target is not None:
        split = target.fill_null("").str.splitn("?", 2).struct.unnest()
        path = split.get_column(split.columns[0]).fill_null("")
        query = split.get_column(split.columns[1]).fill_null("")
    else:
        path = raw.get_column("path").fill_null("") if "path" in names else empty
        query = raw.get_column("query").fill_null("").str.strip_prefix("?") if "query" in names else empty
    columns.update(method=method, path=path, query=query, protocol=protocol)
    return pl.DataFrame([s.alias(name) for name, s in columns.items()])


# --- one chunk ------------------------------------------------------------------------------------------


def _reject_reason(line: str, fmt: LogFormat) -> str:
    """Why a line that did not match the format failed, as a short reason."""
    if "\x00" in line:
        return BINARY
    if not line.strip():
        return EMPTY_LINE
    if fmt.kind == "regex" and (line.count('"') - line.count('\\"')) % 2:
        return UNTERMINATED_QUOTE
    return NOT_THIS_FORMAT


def parse_chunk(chunk: Chunk, fmt: LogFormat, source: str = "", keep: int = MAX_REJECTS_KEPT) -> ChunkResult:
    """Parse one chunk of whole lines into typed rows and rejects."""
    arr = _as_text(chunk.data, chunk.last_unterminated)
    n = len(arr)
    if n == 0:
        return ChunkResult(pl.DataFrame(), 0, 0, Counter(), [])
    lines = pl.Series("line", arr, dtype=pl.String).str.strip_chars_end("\r\n")
    lengths = np.diff(np.frombuffer(arr.buffers()[1], np.int64, count=n + 1))
    pre_reason: dict[int, str] = {i: LINE_TOO_LONG for i in chunk.long_lines}
    for i in np.flatnonzero(lengths > MAX_LINE_BYTES + 2).tolist():
        pre_reason[i] = LINE_TOO_LONG
    if b"\x00" in chunk.data:
        for i in np.flatnonzero(lines.str.contains("\x00", literal=True).to_numpy()).tolist():
            pre_reason.setdefault(i, BINARY)
    if pre_reason:
        blank = np.zeros(n, bool)
        blank[list(pre_reason)] = True
        lines = pl.select(pl.when(pl.Series(blank)).then(pl.lit("")).otherwise(lines)).to_series()

    raw = _extract(lines, fmt)
    first = "time" if "time" in raw.columns else raw.columns[0]
    matched = raw.get_column(first).is_not_null()
    typed = _typed(raw, fmt)
    good = matched & typed.get_column("time").is_not_null() if "time" in typed.columns else matched
    if "status" in typed.columns:
        good = good & typed.get_column("status").is_not_null()

    good_np = good.to_numpy()
    bad_idx = np.flatnonzero(~good_np)
    reasons: Counter = Counter()
    rejects: list[Reject] = []
    if len(bad_idx):
        matched_np = matched.to_numpy()
        bad_lines = lines.gather(bad_idx).to_list() if not pre_reason else None
        for k, i in enumerate(bad_idx.tolist()):
            if i in pre_reason:
                reason = pre_reason[i]
                raw_text = _raw_prefix(chunk, arr, i)
            else:
                text = bad_lines[k] if bad_lines is not None else lines[i]
                if matched_np[i]:
                    reason = BAD_TIMESTAMP
                elif chunk.last_unterminated and i == n - 1 and text.strip():
                    reason = TRUNCATED_LINE
                else:
                    reason = _reject_reason(text, fmt)
                raw_text = text[:REJECT_RAW_BYTES]
            reasons[reason] += 1
            if len(rejects) < keep:
                rejects.append(Reject(source, chunk.first_line + i, reason, raw_text))
    frame = typed.filter(good) if len(bad_idx) else typed
    frame = frame.with_columns([pl.col(c).cast(pl.Categorical) for c in STRING_COLUMNS if c in frame.columns])
    return ChunkResult(frame, n, len(bad_idx), reasons, rejects)


def _raw_prefix(chunk: Chunk, arr: pa.LargeStringArray, i: int) -> str:
    """First bytes of a pre-rejected line, as text."""
    if i in chunk.long_lines:
        data = chunk.long_lines[i]
    else:
        data = arr[i].as_py().encode("utf-8", "backslashreplace")[:REJECT_RAW_BYTES]
    return data.decode("utf-8", "backslashreplace").rstrip("\r\n")


# --- whole sources --------------------------------------------------------------------------------------


def _first_lines(chunk: Chunk, count: int = 200) -> list[str]:
    """The first lines as text for format detection; an over-long line is represented by its first bytes."""
    if chunk.data[:2] in UTF16_BOMS:
        raise SourceError("the file is UTF-16 text: save it as UTF-8 (access logs are written in UTF-8 or ASCII)")
    text = chunk.data[: 1 << 20].decode("utf-8", "backslashreplace")
    lines = [line.rstrip("\r") for line in text.split("\n")[:count]]
    for index, prefix in chunk.long_lines.items():
        if index < len(lines):
            lines[index] = prefix.decode("utf-8", "backslashreplace")
        elif index == len(lines) and len(lines) < count:
            lines.append(prefix.decode("utf-8", "backslashreplace"))
    return lines


def _ordered_map(func: Callable[[Chunk], ChunkResult], chunks: Iterable[Chunk], workers: int) -> Iterator[ChunkResult]:
    """Apply ``func`` to chunks on a thread pool, in order, with bounded look-ahead (bounded memory)."""
    if workers <= 1:
        yield from map(func, chunks)
        return
    with ThreadPoolExecutor(workers) as pool:
        pending: deque[Future] = deque()
        for chunk in chunks:
            pending.append(pool.submit(func, chunk))
            if len(pending) >= workers * 2:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


Source = str | os.PathLike | BinaryIO


def parse_source(
    source: Source,
    fmt: str | LogFormat | None = None,
    *,
    workers: int = WORKERS,
    progress: Callable[[int], None] | None = None,
    name: str | None = None,
    max_decompressed: int | None = None,
) -> ParseResult:
    """Parse one path or file object completely; ``fmt`` None or "auto" detects the format."""
    name = name or source_name(source)
    stream = open_binary(source, max_decompressed)
    try:
        chunks = iter_chunks(stream)
        first = next(chunks, None)
        if first is None:
            fmt_obj = fmt if isinstance(fmt, LogFormat) else resolve_format(fmt or "combined", [])
            return ParseResult(frame=empty_frame(), format=fmt_obj, sources=[name])
        fmt_obj = fmt if isinstance(fmt, LogFormat) else resolve_format(fmt, _first_lines(first))

        def work(chunk: Chunk) -> ChunkResult:
            return parse_chunk(chunk, fmt_obj, name)

        def all_chunks() -> Iterator[Chunk]:
            yield first
            yield from chunks

        frames, result = [], ParseResult(frame=empty_frame(), format=fmt_obj, sources=[name])
        for part in _ordered_map(work, all_chunks(), workers):
            if part.frame.height:
                frames.append(part.frame)
            _account(result, part.lines, part.rejected, part.reasons, part.rejects)
            if progress:
                progress(position(stream))
    finally:
        stream.close() if not isinstance(source, io.IOBase) else None
    result.frame = to_pandas(frames, fmt_obj)
    return result


def _account(result: ParseResult, lines: int, rejected: int, reasons: Counter, rejects: Sequence[Reject]) -> None:
    result.lines += lines
    result.rejected += rejected
    result.reasons.update(reasons)
    room = MAX_REJECTS_KEPT - len(result.rejects)
    if room > 0:
        result.rejects.extend(rejects[:room])


def parse_sources(
    sources: Sequence[Source],
    fmt: str | LogFormat | None = None,
    *,
    workers: int = WORKERS,
    progress: Callable[[int], None] | None = None,
    name: str | None = None,
    max_decompressed: int | None = None,
) -> ParseResult:
    """Parse several logs (the format is detected per source when not given) and merge them in time order."""
    results = [
        parse_source(s, fmt, workers=workers, progress=progress, name=name, max_decompressed=max_decompressed)
        for s in sources
    ]
    if len(results) == 1:
        return results[0]
    merged = ParseResult(frame=empty_frame(), format=results[0].format)
    for r in results:
        _account(merged, r.lines, r.rejected, r.reasons, r.rejects)
        merged.sources.extend(r.sources)
    frames = [r.frame for r in results if len(r.frame)]
    if frames:
        frame = pd.concat(frames, ignore_index=True)
        for col in frame.columns:
            if all(isinstance(f[col].dtype, pd.CategoricalDtype) for f in frames if col in f):
                frame[col] = frame[col].astype("category")
        merged.frame = frame.sort_values("time", kind="stable", ignore_index=True)
    return merged


def to_pandas(frames: Sequence[pl.DataFrame], fmt: LogFormat) -> pd.DataFrame:
    """Concatenate chunk frames into one pandas frame with categorical strings and cleaned text fields."""
    if not frames:
        return empty_frame()
    out = pl.concat(frames, how="diagonal_relaxed").to_pandas()
    for col in STRING_COLUMNS:
        if col in out.columns and not isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype("category")
    quoted = fmt.quoted if fmt.kind == "regex" else frozenset()
    for col in TEXT_FIELDS:
        if col in out.columns:
            out[col] = _clean_text(out[col], unescape=col in quoted, dash=col in DASH_IS_EMPTY)
    return out


def _clean_text(column: pd.Series, unescape: bool, dash: bool) -> pd.Series:
    """``\\"`` → ``"`` (quoted fields) and ``-`` → "" on the categories, merging values that become equal."""
    categories = column.cat.categories
    values = pd.Index(categories.astype(str))
    if unescape:
        values = values.str.replace('\\"', '"', regex=False)
    if dash:
        values = values.where(values != "-", "")
    if values.equals(pd.Index(categories.astype(str))):
        return column
    codes, uniques = pd.factorize(values)
    old = column.cat.codes.to_numpy()
    new = np.where(old < 0, -1, codes[np.maximum(old, 0)])
    return pd.Series(pd.Categorical.from_codes(new, categories=uniques), index=column.index, name=column.name)


def empty_frame() -> pd.DataFrame:
    """A frame with the base columns and no rows."""
    frame = pd.DataFrame(
        {
            "time": pd.Series([], dtype="datetime64[us, UTC]"),
            **{c: pd.Categorical([]) for c in ("ip", "ident", "user")},
            "method": pd.Categorical([]),
            "path": pd.Categorical([]),
            "query": pd.Categorical([]),
            "protocol": pd.Categorical([]),
            "status": pd.Series([], dtype="int16"),
            "bytes": pd.Series([], dtype="int64"),
            "referrer": pd.Categorical([]),
            "user_agent": pd.Categorical([]),
        }
    )
    return frame
