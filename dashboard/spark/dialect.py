"""The log format in Spark's dialect: the registry's Python regex as a Java regex, strftime as Java time patterns.

Group indices replace ``(?P<name>``; Unicode classes and Unix lines make Java read a line like the Rust engine;
a quoted field becomes a stack-safe possessive loop.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dashboard.ingest.formats import (
    CLF_TIME,
    EPOCH_MS_TIME,
    EPOCH_TIME,
    EPOCH_US_TIME,
    ISO_TIME,
    QUOTED,
    LogFormat,
    UnknownFormatError,
)

if TYPE_CHECKING:
    from pyspark.sql import Column

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


def java_regex(fmt: LogFormat) -> tuple[str, dict[str, int]]:
    """The format's regex in Java syntax, and the group number of each field."""
    if fmt.kind != "regex":
        raise UnknownFormatError(
            f"format {fmt.name!r} is JSON lines: the Spark engine reads regex formats only (use --engine pandas)"
        )
    groups = dict(re.compile(fmt.pattern).groupindex)
    pattern = NAMED_GROUP.sub("(", fmt.pattern).replace(QUOTED, JAVA_QUOTED)
    return JAVA_FLAGS + pattern, groups


def strftime_to_java(fmt: str) -> str:
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
    if time_format in (EPOCH_TIME, EPOCH_MS_TIME, EPOCH_US_TIME):
        scale = {EPOCH_TIME: 1_000_000, EPOCH_MS_TIME: 1_000, EPOCH_US_TIME: 1}[time_format]
        micros = F.round(raw.try_cast("double") * F.lit(scale)).try_cast("long")
        return F.timestamp_micros(micros)
    return F.try_to_timestamp(raw, F.lit(strftime_to_java(time_format)))
