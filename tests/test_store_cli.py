"""``databloom ingest``, ``store info|prune`` and ``summary --store`` from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from dashboard.cli import main
from dashboard.store.layout import locked, read_manifest
from support.storelogs import COMPARED, sample_lines, write

ROOT = Path(__file__).resolve().parents[1]


def test_ingest_twice_then_summary_of_the_store_is_the_summary_of_the_log(tmp_path, capsys):
    log = write(tmp_path / "access.log", [*sample_lines()[:3_000], b"not a log line"])
    store = tmp_path / "store"
    assert main(["ingest", str(log), "--store", str(store)]) == 0
    first = capsys.readouterr().out
    assert first.startswith("ingested: 3,001 lines, 3,000 parsed, 1 rejected, 3,000 new rows, 0 sources skipped")
    assert main(["ingest", str(tmp_path / "*.log"), "--store", str(store)]) == 0
    assert "0 new rows, 1 sources skipped" in capsys.readouterr().out
    assert main(["summary", "--store", str(store), "--json"]) == 0
    from_store = json.loads(capsys.readouterr().out)
    assert main(["summary", str(log), "--json"]) == 0
    from_log = json.loads(capsys.readouterr().out)
    assert {k: from_store[k] for k in COMPARED} == {k: from_log[k] for k in COMPARED}


def test_store_info_and_prune(tmp_path, capsys):
    log = write(tmp_path / "access.log", sample_lines())
    store = tmp_path / "store"
    assert main(["ingest", str(log), "--store", str(store), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == len(sample_lines())
    assert main(["store", "info", str(store), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["rows"], info["days"], info["schema_version"]) == (len(sample_lines()), 3, 1)
    assert main(["store", "prune", str(store), "--older-than", "90d", "--json"]) == 0  # June 2026 is long gone
    assert json.loads(capsys.readouterr().out)["rows"] == len(sample_lines())
    assert main(["store", "info", str(store)]) == 0
    assert "Rows:      0" in capsys.readouterr().out


def test_info_names_a_damaged_part_shows_the_rest_and_exits_2(tmp_path, capsys):
    log = write(tmp_path / "access.log", sample_lines())
    store = tmp_path / "store"
    assert main(["ingest", str(log), "--store", str(store)]) == 0
    victim = store / read_manifest(store).of_kind("rows")[0].path
    victim.unlink()
    capsys.readouterr()
    assert main(["store", "info", str(store)]) == 2
    out, err = capsys.readouterr()
    assert "Rows:" in out
    assert err.startswith("error: 1 damaged") and str(victim) in err and len(err.splitlines()) == 1
    assert main(["summary", "--store", str(store)]) == 2
    assert str(victim) in capsys.readouterr().err


def test_a_second_ingest_into_a_busy_store_stops_with_exit_2(tmp_path):
    log = write(tmp_path / "access.log", sample_lines()[:100])
    store = tmp_path / "store"
    store.mkdir()
    with locked(store):
        proc = subprocess.run(
            [sys.executable, "-m", "dashboard", "ingest", str(log), "--store", str(store)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "another ingest or prune" in proc.stderr
    assert len(proc.stderr.splitlines()) == 1


def test_re_ingesting_known_logs_does_not_load_the_data_stack(tmp_path):
    log = write(tmp_path / "access.log", sample_lines()[:500])
    store = tmp_path / "store"
    assert main(["ingest", str(log), "--store", str(store)]) == 0
    check = (
        "import sys; from dashboard.cli import main; "
        f"code = main(['ingest', {str(log)!r}, '--store', {str(store)!r}]); "
        "heavy = [m for m in ('pandas', 'polars', 'pyarrow', 'duckdb', 'ua_parser') if m in sys.modules]; "
        "print(code, heavy)"
    )
    proc = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, cwd=ROOT, check=True)
    assert proc.stdout.splitlines()[-1] == "0 []"


def test_tail_into_a_store_then_summary_of_the_store(tmp_path, capsys):
    log = write(tmp_path / "access.log", [*sample_lines()[:2_000], b"not a log line"])
    store = tmp_path / "store"
    assert main(["tail", str(log), "--store", str(store), "--seconds", "0", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["lines"] == 2_001
    assert main(["tail", str(log), "--batch-seconds", "1"]) == 2
    assert "--batch-seconds goes with --store" in capsys.readouterr().err
    assert main(["summary", "--store", str(store), "--json"]) == 0
    from_store = json.loads(capsys.readouterr().out)
    assert main(["summary", str(log), "--json"]) == 0
    from_log = json.loads(capsys.readouterr().out)
    assert {k: from_store[k] for k in COMPARED} == {k: from_log[k] for k in COMPARED}
