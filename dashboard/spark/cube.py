"""The cube (bucket × browser × country × status class × bot → requests, bytes) computed on Apache Spark.

The same stage as ``pipeline.load_log`` + ``aggregate.build_cube``, for logs one machine cannot hold:

- **read**: ``spark.read.text`` on local paths, globs or any Hadoop URI (``hdfs://``, ``s3a://``); ``.gz`` and
  ``.bz2`` are decompressed by Hadoop's codecs. A gzip file is not splittable, so it is one partition.
- **parse**: the registry regex of ``formats.py`` compiled for Java (group indices instead of
  ``(?P<name>``, Unicode classes and Unix lines like the Rust engine, a stack-safe quoted-field loop), applied
  once per line with ``regexp_replace`` into a NUL-separated record that ``split`` cuts into fields. Lines
  that do not match, or whose time or status does not parse, are rejected with the pandas engine's reasons.
- **enrich**: ``mapInPandas`` per partition: ``agents.classify_agents`` and ``geo.GeoDatabase.lookup_many``
  once per distinct value (caches live for the partition), the ``.mmdb`` shipped with ``SparkContext.addFile``;
  buckets come from ``aggregate.bucket_starts`` itself, so zones and DST behave exactly as in pandas.
- **aggregate**: one grouping-sets pass gives the cube cells, the reject counts and sample, and an approximate
  count of distinct (ip, user agent) per bucket (HyperLogLog, ``approx_count_distinct``).
"""

from __future__ import annotations

import math
import os
import re
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from dashboard.analysis.aggregate import (
    CUBE_DIMENSIONS,
    DEFAULT_BUCKET,
    DEFAULT_TZ,
    bucket_starts,
    check_bucket,
    check_tz,
    status_class,
)
from dashboard.enrich.agents import classify_agents
from dashboard.enrich.geo import GeoDatabase, open_geo_database, resolve_geoip_path
from dashboard.errors import DataBloomError
from dashboard.ingest.formats import (
    CLF_TIME,
    EPOCH_MS_TIME,
    EPOCH_TIME,
    ISO_TIME,
    QUOTED,
    LogFormat,
    UnknownFormatError,
)
from dashboard.ingest.formats import resolve_format as resolve_format_spec
from dashboard.ingest.parse import (
    BAD_TIMESTAMP,
    BINARY,
    DASH_IS_EMPTY,
    EMPTY_LINE,
    LINE_TOO_LONG,
    MAX_REJECTS_KEPT,
    NOT_THIS_FORMAT,
    UNTERMINATED_QUOTE,
)
from dashboard.ingest.sources import MAX_LINE_BYTES, REJECT_RAW_BYTES

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

APP_NAME = "databloom-cube"
DEFAULT_MASTER = "local[*]"
PACKAGE_ROOT = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_ROOT.parent
DETECT_LINES = 200
FIELD_SEPARATOR = "\x00"  # lines holding NUL are rejected as binary before parsing, so it cannot clash
MATCH_MARK = "\x00"  # a parsed record starts with it: only lines the regex matched are rewritten
# A quoted field as an unrolled, possessive loop: the same strings as QUOTED, without the recursion of
# ``(?:a|b)*`` that overflows the JVM stack on long user agents.
JAVA_QUOTED = r'[^"\\]*+(?:\\.[^"\\]*+)*+'
# Java regex flags that make it read a line like the Rust engine: Unix lines (only \n ends a line, "." takes
# \r) and Unicode \d \s \w.
JAVA_FLAGS = "(?dU)"
NAMED_GROUP = re.compile(r"(?<!\\)\(\?P<(\w+)>")
# The common shape first (fast); then what polars' strptime also accepts: one-digit fields, "+05:30" offsets.
CLF_JAVA_PATTERNS = ("dd/MMM/yyyy:HH:mm:ss Z", "d/MMM/yyyy:H:m:s Z", "d/MMM/yyyy:H:m:s xxx")
STRFTIME_TO_JAVA = {
    "d": "dd",
    "e": "d",
    "m": "MM",
    "y": "yy",
    "Y": "yyyy",
    "H": "HH",
    "M": "mm",
    "S": "ss",
    "b": "MMM",
    "h": "MMM",
    "a": "EEE",
    "z": "Z",
    "T": "HH:mm:ss",
    "F": "yyyy-MM-dd",
    "j": "DDD",
}
NEEDED_FIELDS = ("time", "status", "bytes", "ip", "user_agent")
CUBE_COLUMNS = (*CUBE_DIMENSIONS, "requests", "bytes")
VISITOR_COLUMN = "visitors_approx"
VISITORS_SUFFIX = ".visitors.parquet"
ARROW_BATCH_ROWS = 50_000
LOCAL_SHUFFLE_PARTITIONS = 4
EMPTY_PATTERN = r"(?U)^[\s\x1c-\x1f]*$"  # what Python's str.strip() removes (Unicode spaces + \x1c-\x1f)
PANDAS_WARNING = "PySpark does not yet fully support pandas"
LOG4J_CONFIG = """\
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
logger.native.name = org.apache.hadoop.util.NativeCodeLoader
logger.native.level = error
logger.shutdown.name = org.apache.spark.util.ShutdownHookManager
logger.shutdown.level = error
"""
BASE_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.maxRecordsPerBatch": str(ARROW_BATCH_ROWS),
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.debug.maxToStringFields": "200",
}
LOCAL_CONF = {
    "spark.sql.shuffle.partitions": str(LOCAL_SHUFFLE_PARTITIONS),
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.adaptive.enabled": "false",
}
ENRICHED_SCHEMA = (
    "bucket long, browser string, country string, status_class string, is_bot boolean, bytes long, "
    "visitor long, reason string, sample_source string, sample_raw string"
)


class SparkEngineError(DataBloomError):
    """PySpark is missing, or the log cannot be processed by the Spark engine."""


def spark_errors() -> tuple[type[BaseException], ...]:
    """The errors a Spark job raises on bad input or cluster trouble; SparkEngineError when PySpark is missing."""
    try:
        from pyspark.errors import PySparkException
    except ImportError as exc:
        raise SparkEngineError("the Spark engine needs PySpark: pip install -r requirements-spark.txt") from exc
    return (SparkEngineError, PySparkException)


# --- the session ----------------------------------------------------------------------------------------


def is_local_master(master: str) -> bool:
    """True for ``local``, ``local[N]``, ``local[*]`` and ``local-cluster[...]``."""
    return master.startswith("local")


def _log4j_config() -> str:
    """Path of a log4j2 config that keeps Spark at WARN and drops the native-library notice."""
    path = Path(tempfile.gettempdir()) / "databloom-spark-log4j2.properties"
    if not path.exists() or path.read_text() != LOG4J_CONFIG:
        path.write_text(LOG4J_CONFIG)
    return str(path)


def spark_session(master: str = DEFAULT_MASTER, conf: dict[str, str] | None = None) -> SparkSession:
    """A quiet session (no UI, WARN logs); local masters bind to 127.0.0.1 and use this venv's Python."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SparkEngineError("the Spark engine needs PySpark: pip install -r requirements-spark.txt") from exc
    warnings.filterwarnings("ignore", message=PANDAS_WARNING, category=FutureWarning)
    warnings.filterwarnings("ignore", message="The copy keyword is deprecated", module=r"pyspark\.")
    settings = dict(BASE_CONF)
    if is_local_master(master):
        settings["spark.driver.extraJavaOptions"] = f"-Dlog4j2.configurationFile=file:{_log4j_config()}"
        quiet = f"ignore:{PANDAS_WARNING}:FutureWarning"
        if quiet not in os.environ.get("PYTHONWARNINGS", ""):
            os.environ["PYTHONWARNINGS"] = ",".join(w for w in (os.environ.get("PYTHONWARNINGS"), quiet) if w)
        # Workers are started by the JVM from the environment it inherited: this Python, this package.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        if str(PROJECT_ROOT) not in paths:
            os.environ["PYTHONPATH"] = os.pathsep.join([str(PROJECT_ROOT), *paths])
        settings.update(LOCAL_CONF)
    settings.update(conf or {})
    builder = SparkSession.builder.master(master).appName(APP_NAME)
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def _active_session() -> SparkSession | None:
    """The session already running in this process (reused, and left running), if any."""
    from pyspark.sql import SparkSession

    return SparkSession.getActiveSession()


def ship_package(spark: SparkSession) -> str:
    """Zip the ``dashboard`` package and add it to the executors' Python path (for cluster masters)."""
    target = Path(tempfile.mkdtemp(prefix="databloom-")) / "dashboard.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(PACKAGE_ROOT.rglob("*.py")):
            archive.write(path, path.relative_to(PROJECT_ROOT).as_posix())
    spark.sparkContext.addPyFile(str(target))
    return str(target)


# --- the format, for Spark ------------------------------------------------------------------------------


def java_regex(fmt: LogFormat) -> tuple[str, dict[str, int]]:
    """The format's regex in Java syntax, and the group number of each field."""
    if fmt.kind != "regex":
        raise UnknownFormatError(
            f"format {fmt.name!r} is JSON lines: the Spark engine reads regex formats only (use --engine pandas)"
        )
    groups = dict(re.compile(fmt.pattern).groupindex)
    pattern = NAMED_GROUP.sub("(", fmt.pattern).replace(QUOTED, JAVA_QUOTED)
    return JAVA_FLAGS + pattern, groups


def _strftime_to_java(fmt: str) -> str:
    """A Java DateTimeFormatter pattern for a strftime format (the subset formats.py accepts)."""
    out, i, literal = [], 0, []

    def flush() -> None:
        if literal:
            text = "".join(literal).replace("'", "''")
            out.append(f"'{text}'")
            literal.clear()

    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            code = fmt[i + 1]
            if code == "%":
                literal.append("%")
            elif code in STRFTIME_TO_JAVA:
                flush()
                out.append(STRFTIME_TO_JAVA[code])
            else:
                raise UnknownFormatError(f"time format {fmt!r}: %{code} is not supported by the Spark engine")
            i += 2
        else:
            literal.append(fmt[i])
            i += 1
    flush()
    return "".join(out)


def time_column(raw: Column, time_format: str) -> Column:
    """A UTC timestamp column from time text written as ``time_format`` (null when it does not parse)."""
    from pyspark.sql import functions as F

    if time_format == CLF_TIME:
        fast, *lenient = CLF_JAVA_PATTERNS
        text = F.ltrim(raw)
        return F.coalesce(F.try_to_timestamp(raw, F.lit(fast)), *[F.try_to_timestamp(text, F.lit(p)) for p in lenient])
    if time_format == ISO_TIME:
        return F.try_to_timestamp(raw)
    if time_format in (EPOCH_TIME, EPOCH_MS_TIME):
        scale = 1_000_000 if time_format == EPOCH_TIME else 1_000
        micros = F.round(raw.try_cast("double") * F.lit(scale)).try_cast("long")
        return F.timestamp_micros(micros)
    return F.try_to_timestamp(raw, F.lit(_strftime_to_java(time_format)))


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


def _enrich_partitions(geo_name: str, geo_path: str, bucket: str, tz: str, keep: int):
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
    first = [row.value.rstrip("\r") for row in lines.take(DETECT_LINES)]
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


def visitors_path(out: str) -> str:
    """Where the approximate visitors per bucket go, next to the cube: ``cube.parquet`` → ``cube.visitors.parquet``."""
    return (out[: -len(".parquet")] if out.endswith(".parquet") else out) + VISITORS_SUFFIX


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
    session = spark or _active_session()
    own = session is None
    session = session or spark_session(master)
    try:
        if not is_local_master(session.sparkContext.master):
            ship_package(session)
        lines = read_lines(session, paths)
        log_format = detect_format(lines, fmt)
        partitions = max(lines.rdd.getNumPartitions(), 1)
        run = _enrich_partitions(
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
