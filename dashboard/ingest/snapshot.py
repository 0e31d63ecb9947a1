"""A parsed log saved as one Parquet file and read back exactly as it was parsed: frame, format and accounting.

The embedded sample ships this way, so a new server reads 100k typed rows instead of generating and parsing
them; the file records what it was made from, and a test checks that it equals parsing the sample again.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Hashable
from dataclasses import asdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dashboard.errors import DataBloomError
from dashboard.ingest.formats import get_format
from dashboard.ingest.parse import ParseResult, Reject

META_KEY = b"databloom.parsed"


class SnapshotError(DataBloomError):
    """A saved parse that cannot be read back (damaged, or written by another version)."""


def save_parsed(result: ParseResult, path: Path, made_from: tuple[Hashable, ...]) -> None:
    """Write ``result`` to ``path``; ``made_from`` (JSON-able) says what it was parsed from."""
    meta = {
        "made_from": list(made_from),
        "format": result.format.name,
        "lines": result.lines,
        "rejected": result.rejected,
        "reasons": dict(result.reasons),
        "rejects": [asdict(r) for r in result.rejects],
        "sources": result.sources,
        "formats": result.formats,
    }
    table = pa.Table.from_pandas(result.frame, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), META_KEY: json.dumps(meta).encode()})
    pq.write_table(table, path, compression="zstd", compression_level=9)


def made_from(path: Path) -> tuple[Hashable, ...] | None:
    """What a saved parse was made from (None: no such file, or not one), without reading its rows."""
    try:
        meta = pq.read_schema(path).metadata or {}
        return _identity(json.loads(meta[META_KEY])["made_from"])
    except (OSError, KeyError, ValueError, pa.ArrowException):
        return None


def load_parsed(path: Path) -> ParseResult:
    """The ParseResult saved at ``path``, its frame with the dtypes it was parsed with."""
    try:
        table = pq.read_table(path)
        meta = json.loads(table.schema.metadata[META_KEY])
        frame = table.to_pandas()
        return ParseResult(
            frame=frame,
            format=get_format(meta["format"]),
            lines=meta["lines"],
            rejected=meta["rejected"],
            reasons=Counter(meta["reasons"]),
            rejects=[Reject(**r) for r in meta["rejects"]],
            sources=meta["sources"],
            formats=meta["formats"],
        )
    except (OSError, KeyError, TypeError, ValueError, pa.ArrowException) as exc:
        raise SnapshotError(f"{path} is not a saved parse this version can read ({exc})") from exc


def _identity(value: object) -> Hashable:
    """JSON lists back to the tuples they were written from."""
    return tuple(_identity(v) for v in value) if isinstance(value, list) else value
