"""What a test needs from the machine: skipped with the reason where it is optional, a failure where CI needs it."""

from __future__ import annotations

import os

import pytest


def require_scanner() -> None:
    """Skip without the compiled scanner (no C compiler at install), but fail when CI requires it
    (``DATABLOOM_REQUIRE_SCANNER=1``): a broken build must not pass as a skip."""
    from dashboard.ingest import scanner

    if os.environ.get("DATABLOOM_REQUIRE_SCANNER") == "1":
        assert scanner.available(), "dashboard.ingest._scanner is missing: the install needs a C compiler"
    elif not scanner.available():
        pytest.skip("the compiled scanner is not built (no C compiler at install): the regex parses every line")


def require_spark() -> None:
    """Skip, with the reason, where the Spark engine cannot run (PySpark or Java 17+ missing)."""
    from dashboard.spark.session import requirement_missing

    if (missing := requirement_missing()) is not None:
        pytest.skip(missing)
