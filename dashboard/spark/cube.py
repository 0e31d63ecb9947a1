"""The cube (bucket × browser × country × status class × bot → requests, bytes) computed on Apache Spark.

The same stage as ``pipeline.load_log`` + ``analysis.cube.build_cube``, for logs one machine cannot hold:

- **read**: ``spark.read.text`` on local paths, globs or any Hadoop URI (``hdfs://``, ``s3a://``); ``.gz`` and
  ``.bz2`` are decompressed by Hadoop's codecs. A gzip file is not splittable, so it is one partition.
- **parse** and **enrich**: ``job`` (the format compiled by ``dialect``), on the executors.
- **aggregate**: one grouping-sets pass gives the cube cells, the reject counts and sample, and an approximate
  count of distinct (ip, user agent) per bucket (HyperLogLog, ``approx_count_distinct``).

The session (and what the engine needs on the machine) is ``session``'s.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from dashboard.analysis.buckets import DEFAULT_BUCKET, DEFAULT_TZ, check_bucket, check_tz
from dashboard.analysis.cube import CUBE_DIMENSIONS, visitors_path
from dashboard.enrich.geo import open_geo_database, resolve_geoip_path
from dashboard.ingest.formats import DETECT_SAMPLE_LINES, LogFormat
from dashboard.ingest.formats import resolve_format as resolve_format_spec
from dashboard.ingest.parse import MAX_REJECTS_KEPT
from dashboard.spark.job import ENRICHED_SCHEMA, enrich_partitions, parse_lines
from dashboard.spark.session import (
    DEFAULT_MASTER,
    SparkEngineError,
    active_session,
    is_local_master,
    ship_package,
    spark_errors,
    spark_session,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["DEFAULT_MASTER", "SparkEngineError", "build_cube_spark", "empty_cube", "spark_errors"]

VISITOR_COLUMN = "visitors_approx"


# --- the whole job --------------------------------------------------------------------------------------


def read_lines(spark: SparkSession, paths: Sequence[str]) -> DataFrame:
    """Lines of every input as one ``value`` column; only \\n ends a line (a lone \\r stays inside, as in pandas)."""
    return spark.read.option("lineSep", "\n").text(list(paths))


def detect_format(lines: DataFrame, fmt: str | LogFormat | None) -> LogFormat:
    """The format given, or the one detected on the first lines (``formats.resolve_format``)."""
    if isinstance(fmt, LogFormat):
        return fmt
    if fmt and fmt != "auto":
        return resolve_format_spec(fmt, [])
    first = [row.value.rstrip("\r") for row in lines.take(DETECT_SAMPLE_LINES)]
    return resolve_format_spec(fmt, first) if first else resolve_format_spec("combined", [])


def _ship_geo(spark: SparkSession, path: Path) -> str:
    """Send the .mmdb to every executor; the name SparkFiles knows it by ("" → executors read ``path``)."""
    try:
        spark.sparkContext.addFile(str(path))
    except Exception as exc:  # same name added before with another path
        if not is_local_master(spark.sparkContext.master):
            raise SparkEngineError(f"cannot ship GeoIP database {path} to the executors: {exc}") from exc
        return ""
    return path.name


def _is_remote(path: str) -> bool:
    return "://" in path and not path.startswith("file:")


def empty_cube(tz: str) -> pd.DataFrame:
    """A cube with no cells, with build_cube's dtypes."""
    return pd.DataFrame(
        {
            "bucket": pd.Series([], dtype=f"datetime64[us, {tz}]"),
            "browser": pd.Series([], dtype=str),
            "country": pd.Series([], dtype=str),
            "status_class": pd.Series([], dtype=str),
            "is_bot": pd.Series([], dtype=bool),
            "requests": pd.Series([], dtype=np.int64),
            "bytes": pd.Series([], dtype=np.int64),
        }
    )


def _to_buckets(micros: pd.Series, tz: str) -> pd.Series:
    """UTC microseconds → tz-aware bucket starts in ``tz`` (datetime64[us])."""
    return pd.Series(micros.to_numpy(dtype=np.int64).astype("datetime64[us]")).dt.tz_localize("UTC").dt.tz_convert(tz)


def _cube_frame(cells: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Collected cube cells → build_cube's columns, dtypes and row order."""
    if cells.empty:
        return empty_cube(tz)
    cube = pd.DataFrame(
        {
            "bucket": _to_buckets(cells["bucket"], tz),
            "browser": cells["browser"].astype(str).to_numpy(),
            "country": cells["country"].astype(str).to_numpy(),
            "status_class": cells["status_class"].astype(str).to_numpy(),
            "is_bot": cells["is_bot"].astype(bool).to_numpy(),
            "requests": cells["requests"].to_numpy(dtype=np.int64),
            "bytes": cells["bytes"].to_numpy(dtype=np.int64),
        }
    )
    for col in ("browser", "country", "status_class"):
        cube[col] = cube[col].astype(str)
    return cube.sort_values(list(CUBE_DIMENSIONS), kind="stable", ignore_index=True)


def _write(spark: SparkSession, cube: pd.DataFrame, visitors: pd.DataFrame, out: str) -> None:
    """Parquet: a single file per table locally (as save_cube writes), a Spark directory on Hadoop URIs."""
    if not _is_remote(out):
        local = out.removeprefix("file://").removeprefix("file:")
        cube.to_parquet(local, index=False)
        visitors.to_parquet(visitors_path(local), index=False)
        return
    for frame, target in ((cube, out), (visitors, visitors_path(out))):
        utc = frame.assign(bucket=frame["bucket"].dt.tz_convert("UTC"))
        spark.createDataFrame(utc).coalesce(1).write.mode("overwrite").parquet(target)


def build_cube_spark(
    paths: Sequence[str],
    out: str | None = None,
    *,
    fmt: str | LogFormat | None = None,
    bucket: str = DEFAULT_BUCKET,
    tz: str = DEFAULT_TZ,
    geoip: str | Path | None = None,
    master: str = DEFAULT_MASTER,
    spark: SparkSession | None = None,
    keep: int = MAX_REJECTS_KEPT,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Parse, enrich and aggregate logs on Spark; the cube equals ``build_cube(load_log(paths).frame)``.

    Returns the cube (build_cube's columns and dtypes) and a report: lines, parsed, rejected, reasons, a
    sample of rejects (source file, reason, raw text; line numbers are not known in a distributed read),
    the format, and the approximate visitors per bucket. ``out`` (a path or Hadoop URI) receives the cube as
    Parquet and the visitors next to it (``visitors_path``). A session passed in, or already active, is reused
    and left running; otherwise one is started on ``master`` and stopped.
    """
    from pyspark.sql import functions as F

    check_bucket(bucket)
    check_tz(tz)
    if not paths:
        raise SparkEngineError("no input paths")
    geo_path = resolve_geoip_path(geoip)
    open_geo_database(geo_path).close()  # fail on the driver, with GeoDatabaseError, before any task runs
    session = spark or active_session()
    own = session is None
    session = session or spark_session(master)
    try:
        if not is_local_master(session.sparkContext.master):
            ship_package(session)
        lines = read_lines(session, paths)
        log_format = detect_format(lines, fmt)
        partitions = max(lines.rdd.getNumPartitions(), 1)
        run = enrich_partitions(
            _ship_geo(session, geo_path), str(geo_path), bucket, tz, max(1, math.ceil(keep / partitions))
        )
        enriched = parse_lines(lines, log_format).mapInPandas(run, ENRICHED_SCHEMA)
        cell_keys = [*CUBE_DIMENSIONS, "reason"]
        sample = F.when(
            F.col("sample_raw").isNotNull(),
            F.struct(F.col("sample_source").alias("source"), F.col("sample_raw").alias("raw")),
        )
        result = (
            enriched.groupingSets([cell_keys, ["bucket"]], *cell_keys)
            .agg(
                F.grouping_id().alias("gid"),
                F.count(F.lit(1)).alias("requests"),
                F.sum("bytes").alias("bytes"),
                F.approx_count_distinct("visitor").alias(VISITOR_COLUMN),
                F.collect_list(sample).alias("samples"),
            )
            .toPandas()
        )
        cube, report = _assemble(result, tz, keep)
        report["format"] = log_format.name
        if out:
            _write(session, cube, report["visitors"], str(out))
    finally:
        if own:
            session.stop()
    return cube, report


def _assemble(result: pd.DataFrame, tz: str, keep: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The collected grouping sets → the cube, and the report (accounting, reject sample, visitors)."""
    cells = result[result["gid"] == 0]
    good = cells[cells["reason"].isna()]
    bad = cells[cells["reason"].notna()]
    per_bucket = result[(result["gid"] != 0) & result["bucket"].notna()].sort_values("bucket")
    cube = _cube_frame(good, tz)
    visitors = pd.DataFrame(
        {
            "bucket": _to_buckets(per_bucket["bucket"], tz),
            VISITOR_COLUMN: per_bucket[VISITOR_COLUMN].to_numpy(dtype=np.int64),
        }
    )
    counts = bad.groupby("reason")["requests"].sum().sort_values(ascending=False, kind="stable")
    reasons = {str(r): int(n) for r, n in counts.items()}
    samples = [
        {"source": s["source"], "line": None, "reason": reason, "raw": s["raw"]}
        for reason, kept in zip(bad["reason"], bad["samples"], strict=True)
        for s in kept
    ]
    samples.sort(key=lambda d: (str(d["source"]), d["reason"], d["raw"]))
    parsed = int(good["requests"].sum()) if len(good) else 0
    rejected = sum(reasons.values())
    report = {
        "lines": parsed + rejected,
        "parsed": parsed,
        "rejected": rejected,
        "reasons": reasons,
        "rejects": samples[:keep],
        "cells": len(cube),
        "visitors": visitors,
    }
    return cube, report
