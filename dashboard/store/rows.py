"""The rows of a store for a time range and a filter set, read by DuckDB: memory follows the result, not the history.

The time range and the filters that have an exact SQL form (equality on a column, a status code or class, the
bot mode) are pushed down to DuckDB, which skips the days and row groups outside the range; the page, report and
alerts then apply the full filter set to what comes back (``analysis.filters``: referrer domains, networks and
regexes have one definition, there), so pushing down only ever narrows what is read, never what is counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from dashboard.analysis.filters import FIELDS, Filter
from dashboard.analysis.pages import PAGE_STATUSES, PAGEVIEW
from dashboard.analysis.ranges import RESOLUTION, DateRange
from dashboard.analysis.rows import DIMENSIONS
from dashboard.errors import DataBloomError
from dashboard.ingest.formats import LogFormat, UnknownFormatError, get_format
from dashboard.ingest.parse import MAX_REJECTS_KEPT, ParseResult, Reject
from dashboard.ingest.sources import open_binary
from dashboard.pipeline import LoadedLog
from dashboard.schema import BASE_COLUMNS, BASE_DTYPES, LINE, SOURCE_ID, STATUS_CLASSES, TIME_DTYPE, empty_frame
from dashboard.store.layout import REJECTS, ROWS, FileRecord, SourceRecord
from dashboard.store.parts import quote
from dashboard.store.query import Store
from dashboard.store.sources import read_head, sha

NUMERIC = {"status": "int16", "bytes": "int64", "lat": "float64", "lon": "float64", "response_time_s": "float64"}
# What Explore reads of a row (``analysis.rows.prepare`` and the filter fields): not ident, user, query, protocol,
# browser version, country name or coordinates, a third of the text a row holds.
EXPLORE_COLUMNS = ("time", "status", "bytes", "is_bot", "user_agent", "response_time_s", *DIMENSIONS)
# What the detectors read (per client and path, status, bots; a rule may sum bytes or response times), besides
# the dimensions a surge is looked for in.
CHUNK_ROWS = 250_000  # rows read at once (their text is materialised before it becomes categories)
ALERT_COLUMNS = ("time", "ip", "path", "status", "is_bot", "bytes", "response_time_s")
PLAIN_FIELDS = ("country", "browser", "os", "device", "crawler", "method", "vhost")
# What the filters test: their columns, and what ``kind`` (page views) reads besides the path.
FILTER_COLUMNS = tuple(dict.fromkeys((*(f.column for f in FIELDS.values()), "method", "status", "content_type")))
# What the Audience page and ``summary`` read (``analysis.audience``: page kinds, visits, referrers, UTM, timing).
AUDIENCE_COLUMNS = (
    "time", "ip", "user_agent", "method", "path", "query", "status", "bytes", "referrer", "is_bot",
    "vhost", "content_type", "response_time_s",
)  # fmt: skip
# What the Clients page reads (networks, versions, methods per URL) besides the columns its filters test.
CLIENTS_COLUMNS = ("time", "bytes", "browser_version", "os_version", "protocol", *FILTER_COLUMNS)
# What the Lines page reads: the filters' columns, the line number, and what a line is rebuilt from.
LINE_COLUMNS = tuple(dict.fromkeys((*BASE_COLUMNS, "vhost", "port", "response_time_s", LINE, *FILTER_COLUMNS)))


def _ts(value: pd.Timestamp) -> str:
    """A UTC instant as a DuckDB TIMESTAMPTZ literal (microseconds kept)."""
    return f"{quote(pd.Timestamp(value).tz_convert('UTC').isoformat())}::TIMESTAMPTZ"


def _filter_sql(f: Filter, columns: set[str]) -> str | None:
    """The SQL condition a filter implies (None when it has none here: it is applied in memory only)."""
    column = FIELDS[f.field].column if f.field in FIELDS else None
    if f.field == "bots":
        return {"exclude": "NOT is_bot", "only": "is_bot"}.get(f.value)
    if f.field == "kind" and f.op == "is" and f.value == PAGEVIEW and {"method", "status"} <= columns:
        statuses = ", ".join(str(code) for code in PAGE_STATUSES)  # the answered GETs; paths are classified after
        return f"method = 'GET' AND ((status >= 200 AND status < 300) OR status IN ({statuses}))"
    if f.field == "status" and f.op == "is":
        text = f.value.strip().lower()
        if len(text) == 3 and text[1:] == "xx" and text[0] in "12345" and text[0] + "xx" in STATUS_CLASSES:
            low = int(text[0]) * 100
            return f"status >= {low} AND status < {low + 100}"
        return f"status = {int(text)}" if text.isdigit() else None
    if f.field in PLAIN_FIELDS and column in columns and f.value:
        value = quote(f.value)
        return f'"{column}" = {value}' if f.op == "is" else f'("{column}" IS NULL OR "{column}" <> {value})'
    return None


def _source(files: Sequence[Path]) -> str:
    """A FROM clause over row parts, with each row's file and position (the day is in the rows, not the path)."""
    options = "union_by_name = true, hive_partitioning = false, filename = true, file_row_number = true"
    return "read_parquet([" + ", ".join(quote(p) for p in files) + f"], {options})"


def _columns(store: Store, files: Sequence[Path]) -> set[str]:
    """The columns of the rows (the union over parts: formats differ in their optional columns)."""
    described = store.sql(f"DESCRIBE SELECT * FROM {_source(files)}")
    return set(described["column_name"]) - {"filename", "file_row_number"}


def row_columns(store: Store) -> set[str]:
    """The columns of the store's rows (lat/lon only when the GeoIP database gave locations)."""
    files = store.files(ROWS)
    return _columns(store, files) if files else set()


def _records(store: Store, start: pd.Timestamp | None, end: pd.Timestamp | None) -> list[FileRecord]:
    """The row parts whose time span meets [start, end): the manifest's first and last time of each."""
    kept = []
    for record in store.manifest.of_kind(ROWS):
        if end is not None and record.start and pd.Timestamp(record.start) >= end:
            continue
        if start is not None and record.end and pd.Timestamp(record.end) < start:
            continue
        kept.append(record)
    return kept


def _spans(records: list[FileRecord], chunk_rows: int) -> list[str]:
    """SQL conditions on time that cut the rows into groups of about ``chunk_rows`` (counted from the parts' rows in
    the manifest), in time order: each group is read on its own, so the text of one group at most is in memory at
    once. A row belongs to the group of its time whatever its part, so the order is the one query's."""
    if any(not r.start for r in records):
        return ["true"]  # a part without its times: one query
    cuts, rows = [], 0
    for start, size in sorted((pd.Timestamp(r.start), r.rows) for r in records):
        if rows >= chunk_rows and (not cuts or start > cuts[-1]):
            cuts.append(start)
            rows = 0
        rows += size
    ends = [*(f"time < {_ts(t)}" for t in cuts), None]
    begins = [None, *(f"time >= {_ts(t)}" for t in cuts)]
    return [" AND ".join(c for c in pair if c) or "true" for pair in zip(begins, ends, strict=True)]


def _joined(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Conformed groups of rows as one frame: each categorical column over the union of the groups' categories."""
    if len(parts) == 1:
        return parts[0]
    columns = {}
    for name in parts[0].columns:
        column = [p[name] for p in parts]
        if isinstance(column[0].dtype, pd.CategoricalDtype):
            dtype = next(
                (c.cat.categories.dtype for c in column if len(c.cat.categories)), column[0].cat.categories.dtype
            )
            union = pd.Index(sorted(set().union(*(c.cat.categories for c in column))), dtype=dtype)
            column = [c.cat.set_categories(union) for c in column]
        columns[name] = pd.concat(column, ignore_index=True)
    return pd.DataFrame(columns, index=pd.RangeIndex(sum(len(p) for p in parts)))


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """DuckDB's result in the frame contract: UTC µs times, int16 status, categorical text, bool is_bot."""
    columns = {}
    for name in frame.columns:
        column = frame[name]
        if name == "time":
            columns[name] = column.astype(TIME_DTYPE)
        elif name == "is_bot":
            columns[name] = column.fillna(False).astype(bool)
        elif name in NUMERIC or name in BASE_DTYPES:
            columns[name] = column.astype(NUMERIC.get(name, BASE_DTYPES.get(name)))
        elif pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            columns[name] = column  # numbers Parquet kept as they were (line numbers, versions of later schemas)
        else:
            columns[name] = column.astype("category")
    return pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))


def _owners(store: Store, files: Sequence[Path]) -> pd.DataFrame:
    """Each row part with the index of its source in the manifest (its batch's source; past the end: unknown)."""
    sources = store.manifest.sources
    by_batch = {batch: i for i, source in enumerate(sources) for batch in source.batches}
    batches = {store.path / r.path: r.batch for r in store.manifest.of_kind(ROWS)}
    ids = [by_batch.get(batches.get(f, -1), len(sources)) for f in files]
    return pd.DataFrame({"filename": [str(f) for f in files], SOURCE_ID: pd.array(ids, dtype="uint16")})


def read_rows(
    store: Store,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    filters: Sequence[Filter] = (),
    columns: Sequence[str] | None = None,
    sources: bool = False,
    chunk_rows: int = CHUNK_ROWS,
) -> pd.DataFrame:
    """Rows with ``start <= time < end`` that may match ``filters`` (their exact SQL part), sorted by time.

    Read in groups of about ``chunk_rows`` rows, so memory follows the result, not DuckDB's text.

    ``sources`` adds each row's source (``schema.SOURCE_ID``: its index in the manifest's sources), which a
    store's rows do not hold: their batch tells it.
    """
    records = _records(store, start, end)
    if not records:
        return empty_frame()
    files = [store.path / r.path for r in records]
    known = _columns(store, files)  # over every part: each group has them all
    where = [f"time >= {_ts(start)}" if start is not None else None, f"time < {_ts(end)}" if end is not None else None]
    where += [_filter_sql(f, known) for f in filters]
    clause = " AND ".join(w for w in where if w) or "true"
    wanted = ", ".join(f'"{c}"' for c in columns if c in known) if columns else "*"
    extra = f', owners."{SOURCE_ID}"' if sources and columns else ""
    source = _source(files)
    tables = {"owners": _owners(store, files)} if sources else {}
    joined = f"{source} JOIN owners USING (filename)" if sources else source
    parts = []
    for span in _spans(records, chunk_rows):  # the parts of other days are skipped by their time statistics
        # Ties in time keep the order of ingest (batch, then line), as the in-memory frame's stable sort does.
        frame = store.sql_with(
            tables,
            f"SELECT {wanted}{extra} FROM {joined} WHERE {clause} AND {span} ORDER BY time, filename, file_row_number",
        )
        parts.append(conform(frame.drop(columns=["filename", "file_row_number"], errors="ignore")))
        del frame
    return _joined(parts)


def source_file(record: SourceRecord) -> Path | None:
    """The file a source was read from, while it still holds the lines ingested (same first bytes, not shorter)."""
    named = record.path or (record.follow or {}).get("path")
    if not named or not record.head_bytes:
        return None
    path = Path(named)
    try:
        if not record.compressed and path.stat().st_size < record.offset:
            return None
        stream = open_binary(path)
        try:
            head = read_head(stream, record.head_bytes)
        finally:
            stream.close()
    except (OSError, DataBloomError):
        return None
    return path if sha(head) == record.head_sha256 else None


def time_bounds(store: Store) -> pd.Series:
    """The first and last request (UTC) as a two-row series: what the date-range presets count back from.

    From the manifest (each row part's first and last time), so a page rerun does not scan the store.
    """
    parts = [f for f in store.manifest.of_kind(ROWS) if f.start and f.end]
    if not parts:
        return pd.Series([], dtype=TIME_DTYPE)
    first, last = min(pd.Timestamp(f.start) for f in parts), max(pd.Timestamp(f.end) for f in parts)
    return pd.Series([first, last]).dt.tz_convert("UTC").astype(TIME_DTYPE)


def whole_range(store: Store) -> DateRange | None:
    """From the first request to just after the last, as ``analysis.ranges.data_range`` of the rows."""
    bounds = time_bounds(store)
    return DateRange(bounds.iloc[0], bounds.iloc[-1] + RESOLUTION) if len(bounds) else None


def _format(name: str) -> LogFormat:
    """The format a store's first source was read with (a custom format string stands for itself)."""
    try:
        return get_format(name)
    except UnknownFormatError:
        return LogFormat(name=name, kind="regex", description="the format the store was ingested with")


def store_parse(store: Store, frame: pd.DataFrame | None = None) -> ParseResult:
    """The accounting of every line ingested (lines, rejects, reasons, the first rejects), with ``frame`` as rows."""
    manifest = store.manifest
    source = store.relation(REJECTS, filename=True)
    reasons: Counter = Counter()
    rejects: list[Reject] = []
    if source is not None:
        counted = store.sql(f"SELECT reason, count(*) AS n FROM {source} GROUP BY reason")
        reasons = Counter({str(r): int(n) for r, n in zip(counted["reason"], counted["n"], strict=True)})
        first = store.sql(
            f"SELECT source, line, reason, raw FROM {source} ORDER BY filename, line LIMIT {MAX_REJECTS_KEPT}"
        )
        rejects = [Reject(str(r.source), int(r.line), str(r.reason), str(r.raw)) for r in first.itertuples()]
    rejected = sum(s.rejected for s in manifest.sources)
    fmt = _format(manifest.sources[0].format if manifest.sources else "combined")
    return ParseResult(
        frame=empty_frame() if frame is None else frame,
        format=fmt,
        lines=manifest.rows + rejected,
        rejected=rejected,
        reasons=reasons,
        rejects=rejects,
        sources=[s.names[-1] for s in manifest.sources],
        formats=[s.format for s in manifest.sources],
    )


def stamp(store: Store) -> tuple:
    """What a store's content is known by in caches: its path and the published manifest's batches and files."""
    manifest = store.manifest
    return ("store", str(store.path), tuple(manifest.batches), len(manifest.files), manifest.pruned_rows)


def store_log(store: Store, period: DateRange | None = None, filters: Sequence[Filter] = ()) -> LoadedLog:
    """The rows of a period (all when None) as a loaded log, with the store's line accounting."""
    start, end = (period.start, period.end) if period is not None else (None, None)
    frame = read_rows(store, start, end, filters)
    parse = store_parse(store, frame)
    key = (*stamp(store), None if period is None else (period.start, period.end), tuple(f.to_param() for f in filters))
    return LoadedLog(parse=parse, frame=frame, fingerprint=key)
