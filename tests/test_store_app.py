"""A store in the app and the CLI: opening it, following an ingest, and one clear message for each bad store."""

from __future__ import annotations

import json

import pytest

from dashboard.cli import main
from dashboard.store.ingest import ingest
from dashboard.store.layout import MANIFEST, ROLLUPS, ROWS
from dashboard.views.config import PathNotAllowedError, allowed_store, parse_app_args
from support.loglines import UA_CHROME, UA_GOOGLEBOT, combined
from support.storeapp import APP, EXPLORE_APP, run
from support.storelogs import sample_lines, write


@pytest.fixture
def store(tmp_path):
    """A small store (three days of generated traffic and one rejected line)."""
    log = write(tmp_path / "access.log", [*sample_lines(3_000, 3.0, 5), b"garbage"])
    ingest([log], tmp_path / "store", batch_lines=1_000)
    return tmp_path / "store"


def _newer(store):
    doc = json.loads((store / MANIFEST).read_text())
    doc["schema_version"] = 99
    (store / MANIFEST).write_text(json.dumps(doc))
    return store


def _damaged(store):
    part = next((store / ROLLUPS).glob("*.parquet"))
    part.write_bytes(part.read_bytes()[:100])
    return store


def _not_a_store(store):
    (store / MANIFEST).unlink()
    return store


def _a_file(store):
    return next((store / ROWS).rglob("*.parquet"))


BAD = {
    "a file": (_a_file, "is a file, not a store directory"),
    "not a store": (_not_a_store, "not a Data Bloom store"),
    "newer": (_newer, "written by a newer Data Bloom"),
    "damaged": (_damaged, "corrupt"),
}


def test_the_app_opens_a_store_given_on_the_command_line(store, monkeypatch):
    at = run(APP, f"--store {store}", monkeypatch)
    assert not at.exception and not at.error
    assert at.radio(key="source").value == "Store"
    assert next(m.value for m in at.metric if m.label == "Requests") == "3,000"
    assert next(m.value for m in at.metric if m.label == "Rejected lines") == "1"


def test_the_page_follows_an_ingest_into_the_store(store, monkeypatch, tmp_path):
    at = run(APP, f"--store {store}", monkeypatch)
    more = write(tmp_path / "more.log", sample_lines(500, 1.0, 9))
    ingest([more], store)
    at.run()
    assert not at.exception
    assert next(m.value for m in at.metric if m.label == "Requests") == "3,500"


@pytest.mark.parametrize("case", list(BAD))
@pytest.mark.parametrize("app", [APP, EXPLORE_APP], ids=["traffic", "explore"])
def test_a_bad_store_is_one_message_in_the_main_area(store, monkeypatch, case, app):
    damage, message = BAD[case]
    at = run(app, f"--store {damage(store)}", monkeypatch)
    assert not at.exception
    errors = [e.value for e in at.main.error]
    assert len(errors) == 1 and message in errors[0] and "Traceback" not in errors[0], errors
    assert not at.sidebar.error


@pytest.mark.parametrize("case", list(BAD))
@pytest.mark.parametrize("command", [["report", "-o", "out.html"], ["alerts", "--json"], ["summary"]])
def test_a_bad_store_is_one_line_and_exit_2_in_the_cli(store, capsys, case, command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    damage, message = BAD[case]
    assert main([*command, "--store", str(damage(store))]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], err


@pytest.mark.parametrize("command", ["report", "alerts"])
def test_logs_and_a_store_together_are_refused(store, capsys, command):
    assert main([command, str(store / MANIFEST), "--store", str(store)]) == 2
    assert "one of the two" in capsys.readouterr().err


def test_a_store_typed_in_the_sidebar_must_be_inside_an_allowed_directory(store, monkeypatch, tmp_path):
    at = run(APP, f"--allow-dir {tmp_path}", monkeypatch, {"source": "Store"})
    assert not at.exception
    at.text_input(key="sidebar_store_path").set_value(str(store)).run()
    assert not at.exception and not at.error
    assert next(m.value for m in at.metric if m.label == "Requests") == "3,000"
    at.text_input(key="sidebar_store_path").set_value("/etc").run()
    errors = [e.value for e in at.main.error]
    assert len(errors) == 1 and "not a store this server was configured to open" in errors[0]


def test_allowed_store_paths(tmp_path):
    config = parse_app_args(["--store", str(tmp_path / "s"), "--allow-dir", str(tmp_path / "d")], environ={})
    assert allowed_store(config, str(tmp_path / "s")) == (tmp_path / "s").resolve()
    assert allowed_store(config, "x") == (tmp_path / "d" / "x").resolve()
    for bad in ("", "/etc", str(tmp_path / "d" / ".." / "s2"), "../outside"):
        with pytest.raises(PathNotAllowedError):
            allowed_store(config, bad)


def test_city_points_of_a_store_are_those_of_its_log(tmp_path, monkeypatch):
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    from support.storeapp import snapshot

    writer = MMDBWriter(ip_version=6, database_type="GeoLite2-City", ipv4_compatible=True)
    for network, code, lat, lon in (("81.2.69.0/24", "GB", 51.51, -0.09), ("8.8.8.0/24", "US", 37.75, -97.82)):
        writer.insert_network(
            IPSet([network]), {"country": {"iso_code": code}, "location": {"latitude": lat, "longitude": lon}}
        )
    mmdb = tmp_path / "city.mmdb"
    writer.to_db_file(str(mmdb))
    lines = [
        combined(ip, f"01/Jun/2026:{10 + i % 5:02d}:{i % 60:02d}:00 +0000", "GET / HTTP/1.1", 200, 10, agent=agent)
        for i, (ip, agent) in enumerate(
            [("81.2.69.160", UA_CHROME), ("8.8.8.8", UA_GOOGLEBOT), ("8.8.4.4", UA_CHROME)] * 7
        )
    ]
    log = write(tmp_path / "access.log", [line.encode() for line in lines])
    ingest([log], tmp_path / "store", geoip=mmdb)
    for query in ({}, {"bots": "exclude"}):
        from_log = snapshot(run(APP, f"--log {log} --geoip {mmdb}", monkeypatch, query))
        from_store = snapshot(run(APP, f"--store {tmp_path / 'store'}", monkeypatch, query))
        assert from_store == from_log
        assert len(from_log["maps"][0]) > 1  # the countries and the cities layers
