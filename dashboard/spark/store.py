"""``ingest --engine spark``: logs → a store on Spark, in the layout the embedded ingest writes.

- **read**: ``spark.read.text`` (local paths, globs, ``hdfs://``, ``s3a://``; ``.gz``/``.bz2``), each line as
  its bytes (a line that is not UTF-8 is handed over as written, as the embedded reader sees it).
- **parse** and **enrich**: per Arrow batch on the executors, with the very functions of the embedded ingest
  (``parse_chunk``, ``to_pandas``, ``enrich``, ``rollup_cells``): the rows are the same, row for row.
- **write**: the rows of each UTC day as one file sorted by time, the rollups and the rejects, into a staging
  folder of the store; the driver moves them into place and publishes one batch in the manifest.

The store itself is a local directory (its manifest is replaced atomically, under a file lock). A distributed
read does not know line numbers: the rows of a Spark batch have no ``line`` (null), its rejects line 0.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from dashboard.enrich import enrich
from dashboard.enrich.geo import open_geo_database, resolve_geoip_path
from dashboard.ingest.formats import LogFormat
from dashboard.ingest.parse import parse_chunk, to_pandas
from dashboard.ingest.sources import Chunk
from dashboard.schema import LINE
from dashboard.spark.cube import _ship_geo, detect_format, read_lines
from dashboard.spark.job import _geo_file
from dashboard.spark.session import DEFAULT_MASTER, SparkEngineError, active_session, is_local_master, ship_package
from dashboard.spark.session import spark_session as start_session
from dashboard.store.adopt import adopt_rejects, adopt_rollups, adopt_rows
from dashboard.store.layout import Manifest, SourceRecord, check_dir, locked, publish, read_manifest, remove_unpublished
from dashboard.store.parts import rollup_cells
from dashboard.store.report import IngestReport

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

KEEP_ALL = 1 << 62
STAGING = ".spark-staging"
INTEGER_TYPES = {1: "tinyint", 2: "smallint", 4: "int"}
HELPERS = {  # per row: its day and rollup keys; per reject: its reason, source and first bytes
    "_day": "string",
    "_bucket": "timestamp",
    "_status_class": "string",
    "_visitor": "bigint",
    "_reason": "string",
    "_source": "string",
    "_raw": "string",
}


def _spark_type(dtype) -> str:
    """The Spark SQL type a column of the enriched frame is written as."""
    types = pd.api.types
    if types.is_datetime64_any_dtype(dtype):
        return "timestamp"
    if types.is_bool_dtype(dtype):
        return "boolean"
    if types.is_integer_dtype(dtype):
        return INTEGER_TYPES.get(np.dtype(dtype).itemsize, "bigint")
    if types.is_float_dtype(dtype):
        return "float" if np.dtype(dtype).itemsize == 4 else "double"
    return "string"


def _parse(lines: pd.DataFrame, fmt: LogFormat, name: str, geo) -> tuple[pd.DataFrame, list]:
    """One file's lines of a batch → enriched rows and rejects (the embedded ingest's functions)."""
    data = b"".join(bytes(v) + b"\n" for v in lines["value"])
    result = parse_chunk(Chunk(data, 0, size=len(data)), fmt, name, keep=KEEP_ALL)
    rows = enrich(to_pandas([result.frame], fmt), geo) if result.frame.height else None
    return rows, result.rejects


def _template(sample: list[bytes], fmt: LogFormat, geo) -> pd.DataFrame:
    """The enriched columns and dtypes of this format (the output schema), from the first lines."""
    rows, _ = _parse(pd.DataFrame({"value": sample}), fmt, "", geo)
    return rows.head(0) if rows is not None else enrich(to_pandas([], fmt), geo)


def _plain(column: pd.Series) -> np.ndarray | pd.Series:
    """Text columns as NumPy objects (None for missing): Spark's Arrow writer takes no dictionary or chunked arrays."""
    dtype = column.dtype
    types = pd.api.types
    if isinstance(dtype, pd.CategoricalDtype) or not (
        types.is_numeric_dtype(dtype) or types.is_bool_dtype(dtype) or types.is_datetime64_any_dtype(dtype)
    ):
        return pd.Series(column.to_numpy(dtype=object, na_value=None), dtype=object)
    return column.reset_index(drop=True)


def _output(rows: pd.DataFrame | None, rejects: list, columns: list[str]) -> Iterator[pd.DataFrame]:
    """Rows (with their day, rollup keys and visitor hash), then rejects, as frames of the output schema."""
    if rows is not None and len(rows):
        cells = rollup_cells(rows)
        none = pd.Series([None] * len(rows), dtype=object)
        out = {c: _plain(rows[c]) for c in columns}
        if LINE in out:  # numbered within this batch only: a distributed read does not know line numbers
            out[LINE] = none
        out["_day"] = _plain(rows["time"].dt.strftime("%Y-%m-%d"))
        out["_bucket"] = cells["bucket"].reset_index(drop=True)
        out["_status_class"] = _plain(cells["status_class"])
        out["_visitor"] = pd.Series(cells["visitor"].to_numpy().view(np.int64))
        yield pd.DataFrame({**out, "_reason": none, "_source": none, "_raw": none})
    if rejects:
        none = pd.Series([None] * len(rejects), dtype=object)
        out = {c: none for c in [*columns, *HELPERS]}
        out["_reason"] = pd.Series([r.reason for r in rejects], dtype=object)
        out["_source"] = pd.Series([r.source for r in rejects], dtype=object)
        out["_raw"] = pd.Series([r.raw for r in rejects], dtype=object)
        yield pd.DataFrame(out)


def _enrich_partitions(fmt: LogFormat, geo_name: str, geo_path: str, columns: list[str]):
    """The ``mapInPandas`` function: parse and enrich each file's lines of each Arrow batch."""

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        geo = open_geo_database(_geo_file(geo_name, geo_path))
        try:
            for batch in batches:
                for name, lines in batch.groupby("file", sort=False):
                    rows, rejects = _parse(lines, fmt, str(name), geo)
                    yield from _output(rows, rejects, columns)
        finally:
            geo.close()

    return run


def _write_parts(enriched: DataFrame, columns: list[str], staging: Path) -> None:
    """Rows (one file per UTC day, sorted by time), rollups and rejects into the staging folder."""
    from pyspark.sql import functions as F

    good = enriched.where(F.col("_reason").isNull())
    (
        good.repartition("_day")
        .sortWithinPartitions("time")
        .select(*columns, "_day")
        .write.option("compression", "zstd")
        .partitionBy("_day")
        .parquet(str(staging / "rows"))
    )
    (
        good.groupBy(
            F.col("_bucket").alias("bucket"),
            "browser",
            "country",
            F.col("_status_class").alias("status_class"),
            "is_bot",
        )
        .agg(
            F.count(F.lit(1)).alias("requests"),
            F.sum("bytes").alias("bytes"),
            F.collect_set("_visitor").alias("visitors"),
        )
        .write.parquet(str(staging / "rollups"))
    )
    (
        enriched.where(F.col("_reason").isNotNull())
        .select(
            F.col("_source").alias("source"),
            F.lit(0).alias("line"),
            F.col("_reason").alias("reason"),
            F.col("_raw").alias("raw"),
        )
        .write.parquet(str(staging / "rejects"))
    )


def ingest_spark(
    paths: Sequence[str],
    store: str | Path,
    fmt: str | LogFormat | None = None,
    *,
    geoip: str | Path | None = None,
    master: str = DEFAULT_MASTER,
    spark: SparkSession | None = None,
) -> IngestReport:
    """Parse, enrich and write logs into a store on Spark, as one published batch; the ingest's figures.

    A session passed in, or already active, is reused and left running; otherwise one is started on ``master``.
    """
    from pyspark.sql import functions as F

    started = time.perf_counter()
    if not paths:
        raise SparkEngineError("no input paths")
    store = check_dir(Path(store), create=True)
    geo_path = resolve_geoip_path(geoip)
    geo = open_geo_database(geo_path)  # fails on the driver, with GeoDatabaseError, before any task runs
    session = spark or active_session()
    own = session is None
    session = session or start_session(master)
    report = IngestReport()
    try:
        with locked(store):
            manifest = read_manifest(store) or Manifest()
            remove_unpublished(store, manifest)
            staging = store / STAGING
            shutil.rmtree(staging, ignore_errors=True)
            if not is_local_master(session.sparkContext.master):
                ship_package(session)
            lines = read_lines(session, paths)
            log_format = detect_format(lines, fmt)
            if log_format.kind == "json":
                raise SparkEngineError(f"format {log_format.name!r}: the Spark engine reads text formats only")
            raw = lines.select(
                F.col("value").cast("binary").alias("value"),
                F.element_at(F.split(F.col("_metadata.file_name"), "/"), -1).alias("file"),
            )
            sample = [bytes(r.value) for r in raw.take(200)]
            template = _template(sample, log_format, geo)
            columns = list(template.columns)
            types = {**{c: _spark_type(template[c].dtype) for c in columns}, **HELPERS}
            schema = ", ".join(f"`{c}` {t}" for c, t in types.items())
            run = _enrich_partitions(log_format, _ship_geo(session, geo_path), str(geo_path), columns)
            enriched = raw.mapInPandas(run, schema).persist()
            try:
                counts = enriched.groupBy(F.col("_reason").isNull().alias("parsed")).count().collect()
                _write_parts(enriched, columns, staging)
            finally:
                enriched.unpersist()
            parsed = sum(r["count"] for r in counts if r["parsed"])
            rejected = sum(r["count"] for r in counts if not r["parsed"])
            batch = manifest.next_batch
            files = [
                adopt_rows(store, next(folder.glob("*.parquet")), folder.name.split("=", 1)[1], batch)
                for folder in sorted((staging / "rows").glob("_day=*"))
            ]
            files += [
                f
                for f in (
                    adopt_rollups(store, staging / "rollups", batch),
                    adopt_rejects(store, staging / "rejects", batch),
                )
                if f
            ]
            ids = [s.id for s in manifest.sources]
            record = SourceRecord(
                id=max(ids, default=0) + 1,
                names=[Path(p).name for p in paths],
                format=log_format.name,
                head_sha256="spark",  # never taken for a log the embedded ingest knows: its content is not hashed
                head_bytes=0,
                offset=0,
                lines=parsed + rejected,
                parsed=parsed,
                rejected=rejected,
                raw_size=0,
                compressed=False,
                complete=True,
                batches=[batch] if files else [],
            )
            publish(store, manifest, record, files)
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        geo.close()
        if own:
            session.stop()
    report.lines, report.parsed, report.rejected, report.rows = parsed + rejected, parsed, rejected, parsed
    report.sources, report.batches = len(paths), 1 if files else 0
    report.seconds = time.perf_counter() - started
    return report
