"""The Spark engine: its cube equals the pandas cube, and it accounts for every line like the pandas parser.

Tests that need a session are skipped, with the reason, when PySpark or Java 17+ is missing
(``pip install -r requirements-spark.txt``); the others run anywhere. One local[2] session serves the whole
module: starting the JVM costs ~5 s.
"""

from __future__ import annotations

import gzip
import importlib.util
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from dashboard.analysis.cube import build_cube, visitors_path
from dashboard.ingest.formats import FORMATS, QUOTED, UnknownFormatError, get_format
from dashboard.pipeline import load_log
from dashboard.sample import write_sample
from dashboard.spark import session as spark_env
from dashboard.spark.cube import build_cube_spark
from dashboard.spark.dialect import JAVA_QUOTED, java_regex
from dashboard.spark.session import (
    MIN_JAVA,
    SparkEngineError,
    java_missing,
    package_archive,
    requirement_missing,
    spark_session,
)
from support.loglines import UA_CHROME, UA_FIREFOX, UA_GOOGLEBOT, combined
from support.requirements import require_spark

# PySpark 4.3 warns that it does not fully support pandas 3; the equality tests below are what counts.
pytestmark = [
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]
HAS_PYSPARK = importlib.util.find_spec("pyspark") is not None

BIG_LINES = 200_000
SMALL_LINES = 20_000
T = "01/Jun/2026:10:00:00 +0000"


@pytest.fixture(scope="module")
def spark():
    require_spark()
    session = spark_session("local[2]")
    yield session
    session.stop()


def pandas_engine(paths, bucket: str, tz: str):
    """The reference: the pandas pipeline and build_cube."""
    loaded = load_log([str(p) for p in paths])
    return build_cube(loaded.frame, bucket, tz), loaded.parse


def assert_same_cube(spark_cube: pd.DataFrame, pandas_cube: pd.DataFrame) -> None:
    """Row for row, with dtypes; on failure, show the cells that differ."""
    try:
        pd.testing.assert_frame_equal(spark_cube, pandas_cube)
    except AssertionError:
        keys = ["bucket", "browser", "country", "status_class", "is_bot"]
        merged = pandas_cube.merge(spark_cube, on=keys, how="outer", suffixes=("_pandas", "_spark"), indicator=True)
        diff = merged[(merged["_merge"] != "both") | (merged["requests_pandas"] != merged["requests_spark"])]
        raise AssertionError(f"cubes differ in {len(diff)} cells:\n{diff.head(20)}") from None


# --- without a session ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n, f in FORMATS.items() if f.kind == "regex"])
def test_java_regex_keeps_group_numbers(name):
    fmt = FORMATS[name]
    pattern, groups = java_regex(fmt)
    assert "(?P<" not in pattern
    assert groups == dict(re.compile(fmt.pattern).groupindex)
    # The stack-safe quoted loop accepts exactly what QUOTED accepts (checked here with Python's re).
    for text in ["plain", 'a \\"b\\" c', "tail\\", "x\\\\", '\\"', ""]:
        assert bool(re.fullmatch(QUOTED, text)) == bool(re.fullmatch(JAVA_QUOTED, text)), text


def test_json_formats_are_refused():
    with pytest.raises(UnknownFormatError, match="JSON"):
        java_regex(FORMATS["nginx_json"])


def test_visitors_path():
    assert visitors_path("out/cube.parquet") == "out/cube.visitors.parquet"
    assert visitors_path("s3a://bucket/cube") == "s3a://bucket/cube.visitors.parquet"


def test_shipped_package_imports_as_dashboard(tmp_path):
    """Executors of a cluster master import the zip: its paths must start at the ``dashboard`` package."""
    import zipfile

    names = zipfile.ZipFile(package_archive(tmp_path / "dashboard.zip")).namelist()
    assert {"dashboard/__init__.py", "dashboard/spark/cube.py", "dashboard/ingest/parse.py"} <= set(names)


def fake_java(folder, banner: str):
    """An executable ``java`` in ``folder`` whose ``-version`` prints ``banner`` (on stderr, as Java does)."""
    folder.mkdir(exist_ok=True)
    java = folder / "java"
    java.write_text(f"#!/bin/sh\necho '{banner}' >&2\n")
    java.chmod(0o755)
    return java


@pytest.mark.parametrize(
    ("banner", "problem"),
    [
        ('openjdk version "17.0.15" 2025-04-15', None),
        ('openjdk version "21" 2023-09-19', None),
        ('java version "1.8.0_381"', "is Java 8"),
        ('openjdk version "11.0.2" 2019-01-15', "is Java 11"),
        ("Error: could not find libjava.so", "does not say which Java"),
    ],
)
def test_java_version_is_checked(tmp_path, monkeypatch, banner, problem):
    java = fake_java(tmp_path / "bin", banner)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(java.parent))
    found = java_missing()
    assert found is None if problem is None else problem in found and f"Java {MIN_JAVA}" in found
    monkeypatch.setenv("PATH", "/usr/bin/nonexistent")
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))  # JAVA_HOME wins over PATH, as in Spark's launcher
    assert java_missing() == found


def test_no_java_is_a_reason_not_a_crash(tmp_path, monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "/usr/bin/nonexistent")
    assert java_missing() == f"the Spark engine needs Java {MIN_JAVA} or newer: java is not on PATH"
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))
    assert "has no bin/java" in java_missing()
    if HAS_PYSPARK:
        assert requirement_missing() == java_missing()
        # The JVM's own failure names neither Java nor what to install: the session says both, as a core error.
        with pytest.raises(SparkEngineError, match=f"needs Java {MIN_JAVA}"):
            spark_session("local[1]")


def test_without_pyspark_the_reason_says_what_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        spark_env.importlib.util, "find_spec", lambda name, *a: None if name == "pyspark" else real(name, *a)
    )
    assert "pip install -r requirements-spark.txt" in requirement_missing()
    with pytest.raises(SparkEngineError, match="needs PySpark"):
        spark_session("local[1]")


# --- equality with the pandas engine --------------------------------------------------------------------


@pytest.mark.slow
def test_200k_line_cube_equals_pandas(spark, tmp_path):
    path = tmp_path / "big.log"
    write_sample(path, BIG_LINES, days=7, seed=11)
    expected, parse = pandas_engine([path], "1h", "UTC")
    cube, report = build_cube_spark([str(path)], str(tmp_path / "cube.parquet"), bucket="1h", tz="UTC", spark=spark)
    assert_same_cube(cube, expected)
    assert (report["lines"], report["parsed"], report["rejected"]) == (parse.lines, parse.parsed, parse.rejected)
    assert report["format"] == "combined"
    # The Parquet file reads back as the same frame; visitors per bucket sit next to it.
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "cube.parquet"), expected)
    visitors = pd.read_parquet(tmp_path / "cube.visitors.parquet")
    assert list(visitors["bucket"]) == sorted(expected["bucket"].unique())
    requests = expected.groupby("bucket")["requests"].sum().to_numpy()
    assert (visitors["visitors_approx"].to_numpy() >= 1).all()
    assert (visitors["visitors_approx"].to_numpy() <= requests * 1.1).all()


def _exact_visitors(path, tz: str, bucket: str) -> pd.Series:
    from dashboard.analysis.buckets import bucket_starts

    frame = load_log(str(path)).frame
    keys = frame["ip"].astype(str) + "\x00" + frame["user_agent"].astype(str)
    return keys.groupby(bucket_starts(frame["time"], bucket, tz).to_numpy()).nunique()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("log_tz", "start", "tz", "bucket"),
    [
        # Clocks go back in Berlin on 25 Oct 2026: the repeated hour is two buckets in both engines.
        ("Europe/Berlin", datetime(2026, 10, 24), "Europe/Berlin", "1h"),
        ("Europe/Berlin", datetime(2026, 10, 24), "Europe/Berlin", "1D"),
        # Clocks go forward in New York on 8 Mar 2026; a UTC log shown in that zone.
        ("UTC", datetime(2026, 3, 7), "America/New_York", "4h"),
        # Half-hour offsets: +0530 in the log, buckets in India's and Nepal's (+0545) wall time.
        ("Asia/Kolkata", datetime(2026, 6, 1), "Asia/Kolkata", "1h"),
        ("Asia/Kolkata", datetime(2026, 6, 1), "Asia/Kathmandu", "15min"),
        ("Asia/Kolkata", datetime(2026, 6, 1), "Etc/GMT+3", "1D"),
    ],
)
def test_zones_equal_pandas(spark, tmp_path, log_tz, start, tz, bucket):
    path = tmp_path / "zone.log"
    write_sample(path, SMALL_LINES, days=2, seed=5, tz=log_tz, start=start.replace(tzinfo=ZoneInfo(log_tz)))
    expected, _ = pandas_engine([path], bucket, tz)
    cube, report = build_cube_spark([str(path)], bucket=bucket, tz=tz, spark=spark)
    assert_same_cube(cube, expected)
    # HyperLogLog: within a few percent of the exact distinct (ip, agent) count of each bucket.
    exact = _exact_visitors(path, tz, bucket)
    approx = report["visitors"].set_index(report["visitors"]["bucket"].dt.tz_convert("UTC").to_numpy())
    approx = approx["visitors_approx"]
    assert len(approx) == len(exact)
    relative = (approx.to_numpy() - exact.reindex(approx.index).to_numpy()) / exact.reindex(approx.index).to_numpy()
    assert abs(relative).max() < 0.15


# --- line accounting ------------------------------------------------------------------------------------

LONG_AGENT = "Mozilla/5.0 " + "(compatible; x" + "a" * 20_000 + ")"
TRICKY_LINES: list[str | bytes] = [
    combined("203.0.113.9", T, "GET /index.html HTTP/1.1", 200, 5123, agent=UA_CHROME),
    combined("203.0.113.9", T, 'GET /q?x=\\"a\\" HTTP/1.1', 200, 12, agent='Bot \\"quoted\\" 1.0'),
    combined("81.2.69.160", T, "GET /a b c.html HTTP/1.1", 404, "-", agent=UA_FIREFOX),
    combined("81.2.69.160", "01/Jun/2026:15:30:00 +0530", "GET /h2 HTTP/2.0", 200, 1, agent=UA_FIREFOX),
    combined("8.8.8.8", "01/Jun/2026:10:00:00 -0330", "-", 400, 0, agent="-"),
    combined("8.8.8.8", "01/jun/2026:10:00:00 +0000", "GET / HTTP/1.1", 301, 0, agent=UA_GOOGLEBOT),
    combined("8.8.8.8", "1/Jun/2026:10:00:00 +0000", "GET / HTTP/1.1", 200, 3, agent=UA_GOOGLEBOT),
    combined("8.8.8.8", "01/Jun/2026:10:00:00 +05:30", "GET / HTTP/1.1", 200, 3, agent=UA_GOOGLEBOT),
    combined("10.0.0.1", T, "GET / HTTP/1.1", 200, 1, agent=LONG_AGENT),
    combined("2001:4860:4860::8888", T, "POST /api HTTP/1.1", 503, 99, agent=UA_CHROME) + " extra=1 rt=0.2",
    combined("::ffff:8.8.8.8", T, "GET / HTTP/1.1", 200, 99999999999999999999, agent=UA_CHROME),
    combined("not-an-ip", T, "GET /\r/x HTTP/1.1", 200, 7, agent="curl/8.5.0"),
    combined("8.8.8.8", T, "GET / HTTP/1.1", 200, 5, agent=UA_CHROME) + "\r",
    b"8.8.8.8 - - [" + T.encode() + b'] "GET /caf\xe9 HTTP/1.1" 200 5 "-" "' + UA_CHROME.encode() + b'"',
    # Rejects, one per reason.
    combined("8.8.8.8", "32/Jun/2026:10:00:00 +0000", "GET / HTTP/1.1", 200, 5),
    combined("8.8.8.8", "01/Jun/2026:10:00:00", "GET / HTTP/1.1", 200, 5),
    '8.8.8.8 - - [01/Jun/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl',  # unterminated
    "",
    "   \t",
    "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
    "junk that is no log line",
    combined("8.8.8.8", T, "GET /" + "x" * 70_000 + " HTTP/1.1", 200, 5),
]


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
def test_line_accounting_equals_pandas(spark, tmp_path, compressed):
    lines = [line.encode() if isinstance(line, str) else line for line in TRICKY_LINES] * 3
    data = b"\n".join(lines) + b"\n"
    path = tmp_path / ("tricky.log.gz" if compressed else "tricky.log")
    path.write_bytes(gzip.compress(data) if compressed else data)
    expected, parse = pandas_engine([path], "1h", "UTC")
    cube, report = build_cube_spark([str(path)], fmt="combined", bucket="1h", tz="UTC", spark=spark)
    assert (report["lines"], report["parsed"], report["rejected"]) == (parse.lines, parse.parsed, parse.rejected)
    assert report["reasons"] == dict(parse.reasons)
    assert set(parse.reasons) == {
        "bad timestamp",
        "unterminated quote",
        "empty line",
        "binary",
        "not this format",
        "line too long",
    }
    assert_same_cube(cube, expected)
    assert {r["reason"] for r in report["rejects"]} == set(parse.reasons)
    assert all(r["source"] == path.name for r in report["rejects"])


@pytest.mark.slow
def test_many_partitions_and_files(spark, tmp_path):
    """Small splits (lines cut at split edges), a gzip and a plain file read together through a glob."""
    write_sample(tmp_path / "a.log", SMALL_LINES, days=1, seed=7)
    write_sample(tmp_path / "b.log.gz", SMALL_LINES, days=1, seed=8)
    expected, parse = pandas_engine([tmp_path / "a.log", tmp_path / "b.log.gz"], "4h", "UTC")
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(512 << 10))
    try:
        cube, report = build_cube_spark(
            [str(tmp_path / "*.log"), str(tmp_path / "*.gz")], bucket="4h", tz="UTC", spark=spark, keep=5
        )
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    assert (report["lines"], report["parsed"], report["rejected"]) == (parse.lines, parse.parsed, parse.rejected)
    assert_same_cube(cube, expected)


def test_custom_format_and_detection(spark, write_log):
    """A compiled Apache format string, and detection of vhost_combined from the first lines."""
    vhost = [
        f"www.example.com:443 {combined('8.8.8.8', T, 'GET / HTTP/1.1', 200, i, agent=UA_CHROME)}" for i in range(5)
    ]
    path = write_log(vhost, name="vhost.log")
    cube, report = build_cube_spark([str(path)], bucket="1D", tz="UTC", spark=spark)
    assert report["format"] == "vhost_combined"
    assert cube["requests"].sum() == 5 and cube["bytes"].sum() == 10
    fmt = get_format('%h %{%Y-%m-%dT%H:%M:%S%z}t "%r" %>s %b')
    custom = ['8.8.8.8 2026-06-01T10:00:00+0200 "GET / HTTP/1.1" 200 7', "8.8.8.8 garbage"]
    path = write_log(custom, name="custom.log")
    cube, report = build_cube_spark([str(path)], fmt=fmt, bucket="1h", tz="UTC", spark=spark)
    assert (report["parsed"], report["rejected"]) == (1, 1)
    assert cube["bucket"].iloc[0] == pd.Timestamp("2026-06-01 08:00", tz="UTC")


def test_empty_input(spark, write_log):
    cube, report = build_cube_spark([str(write_log([], name="empty.log"))], spark=spark)
    assert cube.empty and list(cube.columns) == [
        "bucket",
        "browser",
        "country",
        "status_class",
        "is_bot",
        "requests",
        "bytes",
    ]
    assert (report["lines"], report["parsed"], report["rejected"]) == (0, 0, 0)


def test_cli_engine_spark(spark, tmp_path, capsys):
    """``databloom cube --engine spark``; the running session is reused, not stopped."""
    import json

    from dashboard.cli import main

    log = tmp_path / "cli.log"
    write_sample(log, 3000, days=1, seed=2)
    out = tmp_path / "cube.parquet"
    assert main(["cube", str(log), "--out", str(out), "--bucket", "1h", "--engine", "spark"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["lines"], doc["parsed"], doc["engine"]) == (3000, 3000, "spark")
    expected, _ = pandas_engine([log], "1h", "UTC")
    pd.testing.assert_frame_equal(pd.read_parquet(out), expected)
    assert not spark.sparkContext._jsc.sc().isStopped()
    assert main(["cube", str(tmp_path / "missing.log"), "--out", str(out), "--engine", "spark"]) == 2
    assert "error:" in capsys.readouterr().err


@pytest.mark.slow
def test_200k_line_store_equals_the_embedded_ingest_row_for_row(spark, tmp_path):
    """``ingest --engine spark`` writes the embedded ingest's layout: the same rows, rollups and rejects."""
    from dashboard.spark.store import ingest_spark
    from dashboard.store.ingest import ingest
    from dashboard.store.layout import ROLLUPS, ROWS, SCHEMA_VERSION, read_manifest
    from dashboard.store.query import open_store
    from support.storelogs import differences, store_summary

    path = tmp_path / "big.log"
    write_sample(path, BIG_LINES, days=7, seed=11)
    with path.open("ab") as handle:
        handle.write(b"not a log line\n")
    report = ingest_spark([str(path)], tmp_path / "spark", spark=spark)
    embedded = ingest([path], tmp_path / "embedded")
    assert (report.lines, report.parsed, report.rejected) == (embedded.lines, embedded.parsed, embedded.rejected)
    a, b = read_manifest(tmp_path / "spark"), read_manifest(tmp_path / "embedded")
    assert a.schema_version == b.schema_version == SCHEMA_VERSION
    assert {f.day for f in a.of_kind(ROWS)} == {f.day for f in b.of_kind(ROWS)}
    assert all(f.path.startswith(f"rows/day={f.day}/") for f in a.of_kind(ROWS))

    def table(store, kind: str) -> pd.DataFrame:
        with open_store(store) as opened:
            frame = opened.sql(f"SELECT * FROM {opened.relation(kind)}")
        frame = frame.astype(
            {c: str for c in frame.columns if frame[c].dtype == object or str(frame[c].dtype) == "category"}
        )
        return frame.sort_values(list(frame.columns), ignore_index=True)

    spark_rows, embedded_rows = table(tmp_path / "spark", ROWS), table(tmp_path / "embedded", ROWS)
    assert len(spark_rows) == BIG_LINES and spark_rows["line"].isna().all()  # a distributed read has no numbers
    unnumbered = embedded_rows.drop(columns="line").sort_values(
        list(spark_rows.columns.drop("line")), ignore_index=True
    )
    pd.testing.assert_frame_equal(spark_rows.drop(columns="line"), unnumbered)
    pd.testing.assert_frame_equal(table(tmp_path / "spark", ROLLUPS), table(tmp_path / "embedded", ROLLUPS))
    assert differences(store_summary(tmp_path / "spark"), store_summary(tmp_path / "embedded")) == {}
