"""Lines → typed polars columns for one format: one lazy query extracts the fields, then types them.

(Polars' streaming engine ran one chunk ~1.5x faster alone, but not the whole pipeline, where the chunk
threads already keep both cores busy; its idle spinning only added CPU time. It is not used.)
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dashboard.ingest.formats import (
    ANY_TIME,
    CLF_TIME,
    EPOCH_MS_TIME,
    EPOCH_TIME,
    EPOCH_US_TIME,
    ISO_TIME,
    RESPONSE_TIME_SCALES,
    LogFormat,
)
from dashboard.schema import BASE_COLUMNS, BASE_DTYPES

# The frame's text columns (categoricals): the schema's base columns without a numeric or time dtype, and vhost.
STRING_COLUMNS = (*(c for c in BASE_COLUMNS if c not in BASE_DTYPES), "vhost")
METHOD_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]*$"
PROTOCOL_PATTERN = r" (HTTP/\d+(?:\.\d+)?)$"
MATCHED = "__matched"
ROW_COLUMNS = ("time", "ip", "ident", "user", "referrer", "user_agent", "vhost")
UTC = pl.Datetime("us", "UTC")
EPOCH_SCALES = {EPOCH_TIME: 1_000_000, EPOCH_MS_TIME: 1_000, EPOCH_US_TIME: 1}
# Epoch values in JSON are told apart by size: past 1e14 microseconds, past 1e11 milliseconds (year 5138 in s).
EPOCH_US_FROM, EPOCH_MS_FROM = 1e14, 1e11


def _iso_time(col: pl.Expr) -> pl.Expr:
    """ISO 8601 with ``T`` or a space, with an offset (``Z``, ``+02:00``, ``+0200``) or without (taken as UTC)."""
    text = col.str.replace(r"^(\d{4}-\d{2}-\d{2}) ", "${1}T")
    aware = text.str.strptime(UTC, "%Y-%m-%dT%H:%M:%S%.f%#z", strict=False)
    naive = text.str.strptime(pl.Datetime("us"), "%Y-%m-%dT%H:%M:%S%.f", strict=False).dt.replace_time_zone("UTC")
    return pl.coalesce(aware, naive)


def _any_epoch(col: pl.Expr) -> pl.Expr:
    """Epoch seconds, milliseconds or microseconds, told apart by size."""
    value = col.cast(pl.Float64, strict=False)
    size = value.abs()
    micros = (
        pl.when(size >= EPOCH_US_FROM)
        .then(value)
        .when(size >= EPOCH_MS_FROM)
        .then(value * 1_000)
        .otherwise(value * 1_000_000)
    )
    return micros.round().cast(pl.Int64, strict=False).cast(UTC)


def parse_time(col: pl.Expr, time_format: str) -> pl.Expr:
    """A UTC datetime expression for timestamps written as ``time_format``."""
    if time_format == CLF_TIME:
        return col.str.strptime(UTC, CLF_TIME, strict=False)
    if time_format == ISO_TIME:
        return _iso_time(col)
    if time_format in EPOCH_SCALES:
        scale = EPOCH_SCALES[time_format]
        return (col.cast(pl.Float64, strict=False) * scale).round().cast(pl.Int64, strict=False).cast(UTC)
    if time_format == ANY_TIME:
        clf = col.str.strip_chars("[] ").str.strptime(UTC, CLF_TIME, strict=False)
        return pl.coalesce(_any_epoch(col), _iso_time(col), clf)
    if "%z" in time_format:
        return col.str.strptime(UTC, time_format, strict=False)
    # No offset in the log: the timestamps are taken as UTC.
    return col.str.strptime(pl.Datetime("us"), time_format, strict=False).dt.replace_time_zone("UTC")


def _raw_fields(fmt: LogFormat) -> list[pl.Expr]:
    """Raw string fields per line from column "line" (null where the line does not fit the format)."""
    line = pl.col("line")
    if fmt.kind == "json":
        is_object = line.str.starts_with("{")
        return [
            pl.when(is_object).then(line.str.json_path_match(paths[0])).alias(name) for name, paths in fmt.json_paths
        ]
    return [line.str.extract_groups(fmt.pattern).alias("__groups")]


def _split_request(query: pl.LazyFrame) -> pl.LazyFrame:
    """Adds method, target, protocol from "request"; a line without a method is all target ("-" → "").

    In stages, so that each intermediate (first word, rest, protocol) is computed once. Escapes are decoded
    later, once per distinct path and query (frame.clean_text): they never hold a space.
    """
    request, first, rest, protocol = pl.col("request"), pl.col("__first"), pl.col("__rest"), pl.col("__protocol")
    has_method = first.str.contains(METHOD_PATTERN) & rest.is_not_null()
    return (
        query.with_columns(request.str.splitn(" ", 2).struct.rename_fields(["__first", "__rest"]).alias("__split"))
        .unnest("__split")
        .with_columns(rest.str.extract(PROTOCOL_PATTERN, 1).alias("__protocol"))
        .with_columns(
            method=pl.when(has_method).then(first).otherwise(pl.lit("")),
            target=pl.when(has_method)
            .then(
                pl.when(protocol.is_not_null())
                .then(rest.str.head(-(protocol.str.len_bytes().cast(pl.Int64) + 1)))
                .otherwise(rest)
            )
            .when(request == "-")
            .then(pl.lit(""))
            .otherwise(request),
            protocol=pl.when(has_method).then(protocol.fill_null("")).otherwise(pl.lit("")),
        )
    )


def _typed_exprs(names: Sequence[str], fmt: LogFormat) -> list[pl.Expr]:
    """Typed columns from raw string fields ``names``, plus the MATCHED flag."""
    names = set(names)
    col, empty = pl.col, pl.lit("", dtype=pl.String)
    columns: dict[str, pl.Expr] = {}
    if "time" in names:
        columns["time"] = parse_time(col("time"), fmt.time_format)
    for name in ROW_COLUMNS[1:]:
        if name in names:
            # Unescaping and "-" → "" happen once per distinct value, in to_pandas (see frame.clean_text).
            columns[name] = col(name)
        elif name != "vhost":
            columns[name] = empty
    if "status" in names:
        columns["status"] = col("status").cast(pl.Int16, strict=False)
    columns["bytes"] = (
        col("bytes").cast(pl.Int64, strict=False).fill_null(0) if "bytes" in names else pl.lit(0, pl.Int64)
    )
    if "port" in names:
        columns["port"] = col("port").cast(pl.Int32, strict=False)
    for name, scale in RESPONSE_TIME_SCALES.items():
        if name in names:
            columns["response_time_s"] = col(name).cast(pl.Float64, strict=False) * scale

    # method / path / query / protocol, from the request line or from separate fields.
    if "request" in names:  # split by _split_request
        method, target, protocol = col("method"), col("target"), col("protocol")
    else:
        method = col("method").fill_null("") if "method" in names else empty
        target = col("target") if "target" in names else None
        protocol = col("protocol").fill_null("") if "protocol" in names else empty
    separate_query = col("query").fill_null("").str.strip_prefix("?") if "query" in names else empty
    if target is not None:
        split = target.fill_null("").str.splitn("?", 2)
        path = split.struct.field("field_0").fill_null("")
        query = split.struct.field("field_1").fill_null("")
        if "query" in names:  # nginx $uri + $args: the query is in its own field
            query = pl.when(query == "").then(separate_query).otherwise(query)
    else:
        path = col("path").fill_null("") if "path" in names else empty
        query = separate_query
    columns.update(method=method, path=path, query=query, protocol=protocol)
    fields = fmt.fields
    first = "time" if "time" in names else (fields[0] if fields else None)
    columns[MATCHED] = col(first).is_not_null() if first else pl.lit(False)
    out = [expr.alias(name) for name, expr in columns.items()]
    return [e.cast(pl.Categorical) if e.meta.output_name() in STRING_COLUMNS else e for e in out]


def parse_lines(lines: pl.Series, fmt: LogFormat) -> pl.DataFrame:
    """Typed rows for ``lines`` (every line, matched or not) and the MATCHED flag."""
    query = pl.LazyFrame([lines.alias("line")]).select(_raw_fields(fmt))
    if fmt.kind != "json":
        query = query.unnest("__groups")
    if "request" in fmt.fields:
        query = _split_request(query)
    return query.select(_typed_exprs(fmt.fields, fmt)).collect()
