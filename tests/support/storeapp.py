"""Helpers for the one-truth tests: a 20k-line log with bots, 5xx, incidents and rejects, its store, page snapshots."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pyarrow as pa
from streamlit.testing.v1 import AppTest

from dashboard.sample import generate_sample
from dashboard.store.ingest import ingest
from support.storelogs import write

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
EXPLORE_APP = Path(__file__).resolve().parent / "explore_app.py"
TIMEOUT = 180
GARBAGE = (b"not a request at all", b'1.2.3.4 - - [bad time] "GET / HTTP/1.1" 200 1', b"\x00\x01 binary")
SMALL_BATCH = 4_000  # several batches: cells of one bucket in several parts, days split between parts


def history(directory: Path, lines: int = 20_000, days: float = 4.0, seed: int = 11) -> tuple[Path, Path]:
    """A generated log (bots, 4xx/5xx incidents, scanners) with rejected lines in it, and a store of it."""
    generated = list(generate_sample(lines, days, seed).iter_lines())
    for i, junk in enumerate(GARBAGE):
        generated.insert((i + 1) * len(generated) // (len(GARBAGE) + 1), junk)
    log = write(directory / "access.log", generated)
    ingest([log], directory / "store", batch_lines=SMALL_BATCH, chunk_bytes=256 << 10)
    return log, directory / "store"


def cli_json(argv: list[str]) -> object:
    """Run the CLI and parse its JSON output (status 0 asserted)."""
    from dashboard.cli import main

    out = io.StringIO()
    with redirect_stdout(out):
        assert main(argv) == 0
    return json.loads(out.getvalue())


def run(app: Path, args: str, monkeypatch, query: dict | None = None) -> AppTest:
    """Run a page with ``DATABLOOM_ARGS`` and URL query parameters, on fresh caches."""
    from dashboard.views import cache

    monkeypatch.setenv("DATABLOOM_ARGS", args)
    cache.clear_all()
    at = AppTest.from_file(str(app), default_timeout=TIMEOUT)
    at.query_params.update(query or {})
    return at.run()


def _datasets(element) -> list[list[dict]]:
    """The rows of every dataset of a vega-lite chart."""
    return [pa.ipc.open_stream(d.data.data).read_all().to_pylist() for d in element.proto.datasets]


def snapshot(at: AppTest) -> dict:
    """What a page shows as data: metrics (value, delta), tables, chart datasets, map layers, errors."""
    assert not at.exception, at.exception
    decks = [json.loads(d.proto.json) for d in at.get("deck_gl_json_chart")]
    return {
        "metrics": [(m.label, m.value, m.delta) for m in at.main.metric],
        "tables": [d.value.astype(str).to_dict("split") for d in at.main.dataframe],
        "charts": [_datasets(c) for c in at.get("vega_lite_chart")],
        "maps": [[layer.get("data") for layer in deck["layers"]] for deck in decks],
        "errors": [e.value for e in at.error],
        "subheaders": [s.value for s in at.subheader],
    }
