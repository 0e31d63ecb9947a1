"""The cube job's per-line work: parse text lines with Spark SQL, then enrich each partition with ``mapInPandas``.

- **parse**: the format's Java regex (``dialect``) applied once per line with ``regexp_replace`` into a
  NUL-separated record that ``split`` cuts into fields. Lines that do not match, or whose time or status does
  not parse, are rejected with the pandas engine's reasons.
- **enrich**: per partition, ``agents.classify_agents`` and ``geo.GeoDatabase.lookup_many`` once per distinct
  value (caches live for the partition), the ``.mmdb`` shipped with ``SparkContext.addFile``; buckets come from
  ``analysis.buckets.bucket_starts`` itself, so zones and DST behave exactly as in pandas.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from dashboard.analysis.buckets import bucket_starts
from dashboard.enrich.agents import classify_agents
from dashboard.enrich.geo import GeoDatabase, open_geo_database
from dashboard.ingest.formats import LogFormat, UnknownFormatError
from dashboard.ingest.parse import (
    BAD_TIMESTAMP,
    BINARY,
    DASH_IS_EMPTY,
    EMPTY_LINE,
    LINE_TOO_LONG,
    NOT_THIS_FORMAT,
    UNTERMINATED_QUOTE,
)
from dashboard.ingest.sources import MAX_LINE_BYTES, REJECT_RAW_BYTES
from dashboard.schema import status_class
from dashboard.spark.dialect import java_regex, time_column

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

FIELD_SEPARATOR = "\x00"  # lines holding NUL are rejected as binary before parsing, so it cannot clash
MATCH_MARK = "\x00"  # a parsed record starts with it: only lines the regex matched are rewritten
NEEDED_FIELDS = ("time", "status", "bytes", "ip", "user_agent")
EMPTY_PATTERN = r"(?U)^[\s\x1c-\x1f]*$"  # what Python's str.strip() removes (Unicode spaces + \x1c-\x1f)
ENRICHED_SCHEMA = (
    "bucket long, browser string, country string, status_class string, is_bot boolean, bytes long, "
    "visitor long, reason string, sample_source string, sample_raw string"
)


def _count(column: Column, text: str) -> Column:
    """Non-overlapping occurrences of ``text`` in a string column."""
    from pyspark.sql import functions as F

    return F.floor((F.length(column) - F.length(F.replace(column, F.lit(text), F.lit("")))) / len(text))


def parse_lines(lines: DataFrame, fmt: LogFormat) -> DataFrame:
    """Raw text lines (column ``value``) → time, status, bytes, ip, user_agent, visitor and the reject reason."""
    from pyspark.sql import functions as F

    pattern, groups = java_regex(fmt)
    for name in ("time", "status"):
        if name not in groups:
            raise UnknownFormatError(f"format {fmt.name!r} has no {name} field: the cube needs one")
    present = [name for name in NEEDED_FIELDS if name in groups]
    replacement = MATCH_MARK + FIELD_SEPARATOR.join(f"${groups[name]}" for name in present)

    value = F.col("value")
    line = F.when(F.endswith(value, F.lit("\r")), F.regexp_replace(value, r"(?d)\r+$", "")).otherwise(value)
    frame = lines.select(
        line.alias("line"),
        F.octet_length("value").alias("octets"),
        F.col("_metadata.file_name").alias("file_name"),
    )
    frame = frame.withColumn("binary", F.instr(F.col("line"), "\x00") > 0)
    binary = F.col("binary")
    record = F.regexp_replace(F.col("line"), pattern, replacement)
    frame = frame.withColumn("record", F.when(binary, F.lit("")).otherwise(record))
    # The fields array is its own column: split once per line, not once per field.
    matched = F.startswith(F.col("record"), F.lit(MATCH_MARK))
    fields = F.split(F.substring(F.col("record"), len(MATCH_MARK) + 1, 1 << 30), FIELD_SEPARATOR, -1)
    frame = frame.select(
        "line", "octets", "file_name", "binary", matched.alias("matched"), F.when(matched, fields).alias("fields")
    )
    matched = F.col("matched")

    def field(name: str) -> Column:
        return F.col("fields").getItem(present.index(name)) if name in present else F.lit("")

    def text(name: str) -> Column:
        value = field(name)
        if name in fmt.quoted:
            value = F.replace(value, F.lit('\\"'), F.lit('"'))
        if name in DASH_IS_EMPTY:
            value = F.when(value == "-", F.lit("")).otherwise(value)
        return F.coalesce(value, F.lit(""))

    frame = frame.select(
        "line",
        "octets",
        "file_name",
        "binary",
        "matched",
        time_column(field("time"), fmt.time_format).alias("time"),
        field("status").try_cast("int").alias("status"),
        F.coalesce(field("bytes").try_cast("long"), F.lit(0)).alias("bytes"),
        text("ip").alias("ip"),
        text("user_agent").alias("user_agent"),
    )
    quotes = _count(F.col("line"), '"') - _count(F.col("line"), '\\"')
    reason = (
        F.when(F.col("octets") > MAX_LINE_BYTES, F.lit(LINE_TOO_LONG))
        .when(F.col("binary"), F.lit(BINARY))
        .when(F.col("matched") & (F.col("time").isNull() | F.col("status").isNull()), F.lit(BAD_TIMESTAMP))
        .when(F.col("matched"), F.lit(None).cast("string"))
        .when(F.col("line").rlike(EMPTY_PATTERN), F.lit(EMPTY_LINE))
        .when(quotes % 2 == 1, F.lit(UNTERMINATED_QUOTE))
        .otherwise(F.lit(NOT_THIS_FORMAT))
    )
    rejected = reason.isNotNull()
    return frame.select(
        "time",
        "status",
        "bytes",
        "ip",
        "user_agent",
        F.xxhash64("ip", "user_agent").alias("visitor"),
        reason.alias("reason"),
        F.when(rejected, F.col("file_name")).alias("source"),
        F.when(rejected, F.substring("line", 1, REJECT_RAW_BYTES)).alias("raw"),
    )


# --- enrichment, per partition --------------------------------------------------------------------------


def _geo_file(name: str, fallback: str) -> str:
    """The .mmdb shipped with addFile when the executor has it, else the driver's path (local masters)."""
    if not name:
        return fallback
    try:
        from pyspark import SparkFiles

        shipped = SparkFiles.get(name)
        if Path(shipped).is_file():
            return shipped
    except Exception:  # no SparkFiles outside a task: use the path as given
        pass
    return fallback


def _lookup(values: pd.Series, cache: dict[str, tuple], compute) -> tuple[np.ndarray, list[tuple]]:
    """Codes of ``values`` and one cached result per distinct value (``compute`` runs on unseen ones)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    uniques = [str(u) if isinstance(u, str) else "" for u in uniques]
    missing = [u for u in dict.fromkeys(uniques) if u not in cache]
    if missing:
        cache.update(zip(missing, compute(missing), strict=True))
    return codes, [cache[u] for u in uniques]


def _agent_rows(agents: list[str]) -> list[tuple[str, bool]]:
    table = classify_agents(agents)
    return list(zip(table["browser"].astype(str), table["is_bot"].astype(bool), strict=True))


def enrich_batch(
    batch: pd.DataFrame,
    geo: GeoDatabase,
    agent_cache: dict[str, tuple],
    country_cache: dict[str, tuple],
    bucket: str,
    tz: str,
) -> pd.DataFrame:
    """One Arrow batch of parsed rows → bucket (UTC µs), browser, country, status_class, is_bot (+ pass-through)."""
    good = batch["reason"].isna().to_numpy()
    rows = batch[good]
    times = pd.to_datetime(rows["time"]).reset_index(drop=True)
    if times.dt.tz is None:
        times = times.dt.tz_localize("UTC")
    starts = bucket_starts(times, bucket, tz).dt.tz_convert("UTC")
    micros = (starts - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(microseconds=1)
    agent_codes, agent_rows = _lookup(rows["user_agent"], agent_cache, _agent_rows)
    ip_codes, ip_rows = _lookup(
        rows["ip"], country_cache, lambda ips: [(c,) for c in geo.lookup_many(ips)["country"].astype(str)]
    )
    browsers = np.array([r[0] for r in agent_rows], dtype=object)
    bots = np.array([r[1] for r in agent_rows], dtype=bool)
    countries = np.array([r[0] for r in ip_rows], dtype=object)
    enriched = pd.DataFrame(
        {
            "bucket": micros.to_numpy(dtype=np.int64),
            "browser": browsers[agent_codes] if len(rows) else np.array([], dtype=object),
            "country": countries[ip_codes] if len(rows) else np.array([], dtype=object),
            "status_class": np.asarray(status_class(rows["status"]), dtype=object),
            "is_bot": bots[agent_codes] if len(rows) else np.array([], dtype=bool),
            "bytes": rows["bytes"].to_numpy(dtype=np.int64),
            "visitor": rows["visitor"].to_numpy(dtype=np.int64),
            "reason": pd.Series([None] * len(rows), dtype=object),
            "sample_source": pd.Series([None] * len(rows), dtype=object),
            "sample_raw": pd.Series([None] * len(rows), dtype=object),
        }
    )
    if good.all():
        return enriched
    bad = batch[~good]
    rejects = pd.DataFrame(
        {
            "bucket": pd.array([None] * len(bad), dtype="Int64"),
            "browser": None,
            "country": None,
            "status_class": None,
            "is_bot": pd.array([None] * len(bad), dtype="boolean"),
            "bytes": pd.array([None] * len(bad), dtype="Int64"),
            "visitor": pd.array([None] * len(bad), dtype="Int64"),
            "reason": bad["reason"].to_numpy(dtype=object),
            "sample_source": bad["source"].to_numpy(dtype=object),
            "sample_raw": bad["raw"].to_numpy(dtype=object),
        }
    )
    return pd.concat([enriched.astype({"bucket": "Int64", "bytes": "Int64", "visitor": "Int64"}), rejects])


def enrich_partitions(geo_name: str, geo_path: str, bucket: str, tz: str, keep: int):
    """The ``mapInPandas`` function: opens the GeoIP database once per partition, keeps ``keep`` reject texts."""

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        geo = open_geo_database(_geo_file(geo_name, geo_path))
        agent_cache: dict[str, tuple] = {}
        country_cache: dict[str, tuple] = {}
        kept = 0
        try:
            for batch in batches:
                out = enrich_batch(batch, geo, agent_cache, country_cache, bucket, tz)
                samples = out["sample_raw"].notna().to_numpy()
                if samples.any():
                    drop = np.flatnonzero(samples)[max(keep - kept, 0) :]
                    kept += int(samples.sum()) - len(drop)
                    if len(drop):
                        out.iloc[drop, out.columns.get_loc("sample_raw")] = None
                        out.iloc[drop, out.columns.get_loc("sample_source")] = None
                yield out
        finally:
            geo.close()

    return run
