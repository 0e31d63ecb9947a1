"""Logs → a store, incrementally: only what is new in each log is read (see ``store.sources``).

Known logs are recognised from their first bytes without the data stack; ``store.append`` (polars, pandas,
DuckDB, ua-parser) is imported only when some log has new lines, so re-ingesting known logs stays light.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from dashboard.ingest.sources import CHUNK_BYTES, SourceError
from dashboard.store.layout import Manifest, StoreError, check_dir, locked, publish, read_manifest, remove_unpublished
from dashboard.store.report import IngestReport
from dashboard.store.sources import BATCH_LINES, expand, plan


def ingest(
    patterns: Sequence[str | Path],
    store: str | Path,
    fmt: str | None = None,
    *,
    geoip: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    batch_lines: int = BATCH_LINES,
    chunk_bytes: int = CHUNK_BYTES,
) -> IngestReport:
    """Add what is new in the logs to the store; ``progress`` receives the lines read so far.

    A batch is published every ``batch_lines`` lines, at the end of a chunk of ``chunk_bytes``.
    """
    started = time.perf_counter()
    paths = expand(patterns)
    for path in paths:
        if path.is_dir():
            raise SourceError(f"{path}: is a directory, not a log file")
        if not path.exists():
            raise SourceError(f"{path}: no such file")
    store = check_dir(Path(store), create=True)
    report = IngestReport()
    with locked(store):
        manifest = read_manifest(store) or Manifest()
        report.removed = remove_unpublished(store, manifest)
        appender = None
        try:
            for path in paths:
                step = plan(path, manifest)
                if step.skip:
                    report.skipped += 1
                    if step.record and path.name not in step.record.names:
                        record = replace(step.record, names=[*step.record.names, path.name])
                        manifest = publish(store, manifest, record, [])
                    continue
                if appender is None:
                    from dashboard.store.append import Appender  # the data stack, only now that it is needed

                    appender = Appender(store, manifest, report, geoip, (batch_lines, chunk_bytes))
                appender.manifest = manifest
                manifest = appender.append(step, fmt, progress)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise StoreError(
                    f"{store}: disk full ({exc.filename or 'writing a part'}); the batches published before stay "
                    "readable: free some space and run the ingest again"
                ) from exc
            raise
        finally:
            if appender is not None:
                appender.close()
    report.seconds = time.perf_counter() - started
    return report
