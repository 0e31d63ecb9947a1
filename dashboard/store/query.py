"""Reading a store with DuckDB over exactly the files its manifest names (never a directory listing).

The summary of a store is the summary of its logs: the same document ``summary LOG --json`` gives, computed
from the rollups (counts, bytes, visitor hashes) with the analysis layer's own bucket and visitor functions,
and from the rows for the first and last request and for the page views, visits and response times (the
columns ``analysis.summary.audience`` reads, given to it).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.analysis.buckets import DEFAULT_BUCKET, DEFAULT_TZ, check_bucket, check_tz, span_buckets
from dashboard.analysis.figures import count_countries, headline
from dashboard.analysis.summary import audience, clients
from dashboard.analysis.visitors import unique_visitors
from dashboard.ingest import scanner
from dashboard.ingest.formats import UnknownFormatError, get_format
from dashboard.ingest.parse import MAX_REJECTS_KEPT
from dashboard.schema import STATUS_LABELS, is_country
from dashboard.store.layout import (
    MANIFEST,
    REJECTS,
    ROLLUPS,
    ROWS,
    SCHEMA_VERSION,
    Manifest,
    StoreError,
    check_dir,
    damaged_files,
    read_manifest,
)
from dashboard.store.parts import ROLLUP_BUCKET, connect, fetch, quote


def _sql_list(paths: list[Path]) -> str:
    """A DuckDB list literal of file paths."""
    return "[" + ", ".join(quote(p) for p in paths) + "]"


@dataclass
class Store:
    """An opened store: its manifest and a DuckDB connection that reads the files it names."""

    path: Path
    manifest: Manifest
    problems: list[str]
    connection: duckdb.DuckDBPyConnection
    lock: threading.Lock = field(default_factory=threading.Lock)

    def files(self, kind: str) -> list[Path]:
        """Absolute paths of the published files of one kind."""
        return [self.path / f.path for f in self.manifest.of_kind(kind)]

    def relation(self, kind: str, filename: bool = False) -> str | None:
        """A FROM clause over the files of one kind (None when there are none); ``filename`` adds that column."""
        paths = self.files(kind)
        options = ", filename = true" if filename else ""
        return f"read_parquet({_sql_list(paths)}, union_by_name = true{options})" if paths else None

    def sql(self, query: str) -> pd.DataFrame:
        """Run a query; a file DuckDB cannot read becomes a StoreError naming it."""
        return self.sql_with({}, query)

    def sql_with(self, tables: dict[str, pd.DataFrame], query: str) -> pd.DataFrame:
        """Run a query that also reads small pandas ``tables`` by name; one query at a time per store.

        The pages share an opened store between sessions (threads): a DuckDB connection is not thread-safe.
        """
        with self.lock:
            try:
                for name, table in tables.items():
                    self.connection.register(name, table)
                return fetch(self.connection, query)
            except duckdb.Error as exc:
                raise StoreError(f"{self.path}: cannot read the store: {exc}") from exc
            finally:
                for name in tables:
                    self.connection.unregister(name)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(path: str | Path, strict: bool = True) -> Store:
    """Open a store for reading; StoreError when it is not one, or (``strict``) a published file is damaged."""
    path = check_dir(Path(path))
    manifest = read_manifest(path)
    if manifest is None:
        raise StoreError(f"{path}: no {MANIFEST}: not a Data Bloom store (run `databloom ingest` into it)")
    problems = damaged_files(path, manifest.files)
    if strict and problems:
        raise StoreError("; ".join(problems) + " (`databloom store info` shows the rest of the store)")
    connection = connect()
    return Store(path, manifest, problems, connection)


def _counts(table: pd.DataFrame, column: str) -> dict[str, int]:
    """{value: requests}, largest first, zeros left out (as the in-memory summary)."""
    grouped = table.groupby(column, sort=False)["requests"].sum().sort_values(ascending=False, kind="stable")
    return {str(k): int(v) for k, v in grouped.items() if v}


def _time_range(store: Store) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """First and last request (UTC), from the rows' Parquet statistics."""
    source = store.relation(ROWS)
    if source is None:
        return None, None
    first, last = store.sql(f"SELECT epoch_us(min(time)) AS a, epoch_us(max(time)) AS b FROM {source}").iloc[0]
    if pd.isna(first):
        return None, None
    return pd.Timestamp(int(first), unit="us", tz="UTC"), pd.Timestamp(int(last), unit="us", tz="UTC")


def count_visitors(store: Store, cells: str, tz: str) -> int:
    """Distinct (ip, user agent, local day) of some rollup cells (a FROM … WHERE clause), from their hashes."""
    pairs = store.sql(f"SELECT DISTINCT epoch_us(bucket) AS bucket, unnest(visitors) AS visitor FROM {cells}")
    if pairs.empty:
        return 0
    frame = pd.DataFrame(
        {
            "time": pd.to_datetime(pairs["bucket"], unit="us", utc=True),
            "ip": pairs["visitor"].to_numpy(),
            "user_agent": "",
        }
    )
    return unique_visitors(frame, tz)


def _rejects(store: Store) -> tuple[dict[str, int], list[dict]]:
    """Reject reasons (most frequent first) and the first rejects, in ingest order."""
    source = store.relation(REJECTS, filename=True)
    if source is None:
        return {}, []
    reasons = store.sql(f"SELECT reason, count(*) AS n FROM {source} GROUP BY reason ORDER BY n DESC, reason")
    first = store.sql(
        f"SELECT source, line, reason, raw FROM {source} ORDER BY filename, line LIMIT {MAX_REJECTS_KEPT}"
    )
    records = [
        {"source": str(r.source), "line": int(r.line), "reason": str(r.reason), "raw": str(r.raw)}
        for r in first.itertuples(index=False)
    ]
    return {str(r): int(n) for r, n in zip(reasons["reason"], reasons["n"], strict=True)}, records


def _scanned(name: str) -> bool:
    """Whether the compiled scanner parses the format of that name (as ``summary LOG`` reports it)."""
    try:
        return scanner.layout_for(get_format(name)) is not None
    except UnknownFormatError:
        return False


def check_store_bucket(bucket: str) -> None:
    """A store answers for buckets made of whole rollup buckets (5 minutes) only."""
    span, unit = check_bucket(bucket), check_bucket(ROLLUP_BUCKET)
    if span % unit:
        raise StoreError(f"bucket {bucket!r}: a store's buckets are whole multiples of {ROLLUP_BUCKET}")


def summarize_store(store: Store, bucket: str = DEFAULT_BUCKET, tz: str = DEFAULT_TZ) -> dict:
    """The ``summary --json`` document of everything in the store (keys as ``analysis.summary.summarize``)."""
    check_store_bucket(bucket)
    check_tz(tz)
    manifest = store.manifest
    rollups = store.relation(ROLLUPS)
    cells = (
        store.sql(
            "SELECT browser, country, status_class, is_bot, sum(requests) AS requests, sum(bytes) AS bytes "
            f"FROM {rollups} GROUP BY ALL"
        )
        if rollups
        else pd.DataFrame(columns=["browser", "country", "status_class", "is_bot", "requests", "bytes"])
    )
    first, last = _time_range(store)
    countries = _counts(cells, "country")
    reasons, rejects = _rejects(store)
    parsed = manifest.rows
    rejected = sum(s.rejected for s in manifest.sources)
    fmt = manifest.sources[0].format if manifest.sources else "combined"
    statuses = _counts(cells, "status_class")
    visitors = count_visitors(store, rollups, tz) if rollups else 0
    bots = int(cells.loc[cells["is_bot"].astype(bool), "requests"].sum())
    per_class = [statuses.get(label, 0) for label in STATUS_LABELS]
    figures = headline(parsed, visitors, int(cells["bytes"].sum()), count_countries(countries), per_class, bots)
    from dashboard.store.rows import AUDIENCE_COLUMNS, read_rows  # rows.py reads through this module's Store

    rows = read_rows(store, columns=AUDIENCE_COLUMNS)  # ip and is_bot among them: the network tables too
    visits = {**audience(rows), **clients(rows)}
    del rows
    return {
        "format": fmt,
        "scanner": _scanned(fmt),
        "sources": [s.names[-1] for s in manifest.sources],
        "lines": parsed + rejected,
        "parsed": parsed,
        "rejected": rejected,
        "start": first.tz_convert(tz).isoformat() if first is not None else None,
        "end": last.tz_convert(tz).isoformat() if last is not None else None,
        "browsers": _counts(cells, "browser"),
        "countries": {k: v for k, v in countries.items() if is_country(k)},
        "non_country": {k: v for k, v in countries.items() if not is_country(k)},
        "statuses": statuses,
        "bots": bots,
        "visitors": visitors,
        "bytes": int(cells["bytes"].sum()),
        "buckets": span_buckets(first, last, bucket, tz),
        "bucket": bucket,
        "tz": tz,
        "pages_only": False,
        "figures": figures,
        **visits,
        "reject_reasons": reasons,
        "rejects": rejects,
    }


def store_info(path: str | Path) -> dict:
    """Rows, days, bytes on disk, sources, schema version, and the damaged files (the rest still counts)."""
    store = open_store(path, strict=False)
    with store:
        manifest = store.manifest
        days = sorted({f.day for f in manifest.of_kind(ROWS) if f.day})
        return {
            "store": str(store.path),
            "schema_version": manifest.schema_version,
            "reads_up_to": SCHEMA_VERSION,
            "rows": manifest.rows,
            "rejected": sum(f.rows for f in manifest.of_kind(REJECTS)),
            "days": len(days),
            "first_day": days[0] if days else None,
            "last_day": days[-1] if days else None,
            "bytes": sum(f.bytes for f in manifest.files) + (store.path / MANIFEST).stat().st_size,
            "files": len(manifest.files),
            "batches": len(manifest.batches),
            "pruned_rows": manifest.pruned_rows,
            "pruned_before": manifest.pruned_before,
            "sources": [
                {"names": s.names, "format": s.format, "lines": s.lines, "bytes": s.offset, "complete": s.complete}
                for s in manifest.sources
            ],
            "problems": store.problems,
        }
