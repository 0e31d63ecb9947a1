"""CPU seconds of each stage of a store ingest, run one after the other on one thread of work.

    python bench/store_stages.py LOG [--batch-lines 250000]

The ingest overlaps its stages on several threads, where one stage's cost cannot be told from another's; here
each stage runs alone and is measured with ``time.process_time`` (all threads of the process: polars' and
DuckDB's own included). The sum is below the ingest's own CPU time by what running them side by side costs
(contention, page faults). Only the CLF formats' path is measured (the format is detected from the log).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CPU: dict[str, float] = defaultdict(float)


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Add the CPU seconds of the block to ``name``."""
    began = time.process_time()
    try:
        yield
    finally:
        CPU[name] += time.process_time() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path)
    parser.add_argument("--batch-lines", type=int, default=250_000)
    args = parser.parse_args()
    with stage("import the data stack"):
        from dashboard.enrich import enrich_agents, enrich_geo
        from dashboard.enrich.agents import _engines
        from dashboard.enrich.geo import open_geo_database
        from dashboard.ingest.parse import parse_chunk, to_pandas
        from dashboard.ingest.sources import iter_chunks, open_binary
        from dashboard.store.append import _detect
        from dashboard.store.layout import ROLLUPS, part_name
        from dashboard.store.parts import ROLLUP_SQL, _write_rows, connect, copy_part, rollup_cells
    with stage("user-agent engines, GeoIP open"):
        _engines()
        geo = open_geo_database(None)
    with open_binary(args.log) as head:
        fmt = _detect(head.read(1 << 20), None)
    store = Path(tempfile.mkdtemp(prefix="store-stages-"))
    lines, batch_id = 0, 0
    stream = open_binary(args.log)
    chunks = iter_chunks(stream)
    try:
        while True:
            frames, batch = [], 0
            while batch < args.batch_lines:
                with stage("read, split into chunks"):
                    chunk = next(chunks, None)
                if chunk is None:
                    break
                with stage("parse (scanner, regex for the rest)"):
                    part = parse_chunk(chunk, fmt)
                frames.append(part.frame)
                batch += part.lines
            if not frames:
                break
            lines, batch_id = lines + batch, batch_id + 1
            with stage("polars → pandas, clean text"):
                rows = to_pandas(frames, fmt)
            with stage("user agents"):
                rows = enrich_agents(rows)
            with stage("GeoIP"):
                rows = enrich_geo(rows, geo)
            with stage("rows: sort, Parquet by day"):
                connection = connect()  # one a batch, as store.parts.write_batch does
                list(_write_rows(connection, store, batch_id, rows))
            with stage("rollup: cells, visitor hashes"):
                cells = rollup_cells(rows)
            with stage("rollup: aggregate, Parquet"):
                connection.register("cells", cells)
                copy_part(connection, ROLLUP_SQL, store, f"{ROLLUPS}/{part_name(batch_id)}")
                connection.close()
    finally:
        stream.close()
        shutil.rmtree(store, ignore_errors=True)
    total = sum(CPU.values())
    print(f"{lines:,} lines in {batch_id} batches; CPU seconds per stage (per million lines):")
    for name, seconds in CPU.items():
        print(f"  {name:<40} {seconds:>6.2f} {seconds * 1e6 / max(lines, 1):>6.2f}")
    print(f"  {'total':<40} {total:>6.2f} {total * 1e6 / max(lines, 1):>6.2f}")


if __name__ == "__main__":
    main()
