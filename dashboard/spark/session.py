"""The Spark session: what the engine needs on this machine (PySpark, Java 17+), a quiet local or cluster session.

Imports no pandas and no PySpark at module level, so front ends can read DEFAULT_MASTER and check the
requirements cheaply.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from dashboard.errors import DataBloomError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

APP_NAME = "databloom-cube"
DEFAULT_MASTER = "local[*]"
PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # the ``dashboard`` package
PROJECT_ROOT = PACKAGE_ROOT.parent  # what must be on the workers' Python path to import it
MIN_JAVA = 17  # PySpark 4 runs on Java 17 or 21
JAVA_VERSION_TIMEOUT_S = 30.0
JAVA_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?')
PYSPARK_MISSING = "the Spark engine needs PySpark: pip install -r requirements-spark.txt"
ARROW_BATCH_ROWS = 50_000
LOCAL_SHUFFLE_PARTITIONS = 4
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


class SparkEngineError(DataBloomError):
    """PySpark is missing, or the log cannot be processed by the Spark engine."""


def spark_errors() -> tuple[type[BaseException], ...]:
    """The errors a Spark job raises on bad input or cluster trouble; SparkEngineError when PySpark is missing."""
    try:
        from pyspark.errors import PySparkException
    except ImportError as exc:
        raise SparkEngineError(PYSPARK_MISSING) from exc
    return (SparkEngineError, PySparkException)


# --- what the engine needs ------------------------------------------------------------------------------


def java_binary() -> str | None:
    """The ``java`` Spark's launcher runs: ``$JAVA_HOME/bin/java`` when JAVA_HOME is set, else the PATH's."""
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / "java"
        return str(candidate) if os.access(candidate, os.X_OK) else None
    return shutil.which("java")


@functools.lru_cache(maxsize=8)
def java_version(java: str) -> int | None:
    """The major version ``java -version`` reports (8 for ``1.8.0_x``), None when it cannot be told."""
    try:
        done = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=JAVA_VERSION_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found = JAVA_VERSION.search(done.stderr + done.stdout)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


def java_missing() -> str | None:
    """Why the JVM Spark needs cannot start here (no java, or one older than MIN_JAVA), or None."""
    java = java_binary()
    if java is None:
        where = f"JAVA_HOME={os.environ['JAVA_HOME']} has no bin/java" if os.environ.get("JAVA_HOME") else "not on PATH"
        return f"the Spark engine needs Java {MIN_JAVA} or newer: java is {where}"
    version = java_version(java)
    if version is None:
        return f"the Spark engine needs Java {MIN_JAVA} or newer: `{java} -version` does not say which Java it is"
    if version < MIN_JAVA:
        return f"the Spark engine needs Java {MIN_JAVA} or newer: {java} is Java {version}"
    return None


def requirement_missing() -> str | None:
    """Why the Spark engine cannot run on this machine (PySpark or Java missing), or None when it can."""
    if importlib.util.find_spec("pyspark") is None:
        return PYSPARK_MISSING
    return java_missing()


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
    """A quiet session (no UI, WARN logs); local masters bind to 127.0.0.1 and use this venv's Python.

    Raises SparkEngineError, saying what to install, when PySpark or Java 17+ is missing: the JVM's own
    failure is a gateway error that names neither.
    """
    if (missing := requirement_missing()) is not None:
        raise SparkEngineError(missing)
    from pyspark.sql import SparkSession

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


def active_session() -> SparkSession | None:
    """The session already running in this process (reused, and left running), if any."""
    from pyspark.sql import SparkSession

    return SparkSession.getActiveSession()


def package_archive(target: Path) -> Path:
    """Zip the ``dashboard`` package into ``target`` with paths that import as ``dashboard.…``."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(PACKAGE_ROOT.rglob("*.py")):
            archive.write(path, path.relative_to(PROJECT_ROOT).as_posix())
    return target


def ship_package(spark: SparkSession) -> str:
    """Zip the ``dashboard`` package and add it to the executors' Python path (for cluster masters)."""
    target = package_archive(Path(tempfile.mkdtemp(prefix="databloom-")) / "dashboard.zip")
    spark.sparkContext.addPyFile(str(target))
    return str(target)
