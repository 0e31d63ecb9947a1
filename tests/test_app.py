"""AppTest: the page as Streamlit runs it, without a browser."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.views import cache
from dashboard.views.config import FOLLOW_ROWS
from support.loglines import UA_CHROME, UA_FIREFOX, UA_GOOGLEBOT, combined
from support.requirements import require_scanner

APP = Path(__file__).resolve().parents[1] / "app.py"
SAMPLE_LINES = 5000
TIMEOUT = 120


pytestmark = pytest.mark.usefixtures("fresh_caches")  # tests/conftest.py


def run_app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    return at.run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def deck_json(at: AppTest) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def country_requests(at: AppTest) -> dict[str, int]:
    # the country shapes are a static file fetched once; the per-country numbers ride on the heat circles
    layer = next(layer for layer in deck_json(at)["layers"] if layer["id"] == "heat")
    return {point["country"]: point["requests"] for point in layer["data"] if point["requests"]}


def chart_values(at: AppTest, column: str) -> list:
    """Every value of ``column`` in the datasets of the page's vega-lite charts."""
    import pyarrow as pa

    values = []
    for dataset in [d for chart in at.get("vega_lite_chart") for d in chart.proto.datasets]:
        table = pa.ipc.open_stream(dataset.data.data).read_all()
        if column in table.column_names:
            values += table.column(column).to_pylist()
    return values


def small_log() -> bytes:
    lines = [
        combined("8.8.8.8", "01/Jun/2026:10:00:00 +0000", "GET / HTTP/1.1", 200, 100, agent=UA_CHROME),
        combined("8.8.4.4", "01/Jun/2026:10:05:00 +0000", "GET /a HTTP/1.1", 404, 50, agent=UA_FIREFOX),
        combined("81.2.69.160", "01/Jun/2026:11:00:00 +0000", "GET /b HTTP/2.0", 500, 0, agent=UA_GOOGLEBOT),
        "not a log line",
    ]
    return ("\n".join(lines) + "\n").encode()


def test_default_page_renders_the_sample():
    at = run_app()
    assert not at.exception
    assert not at.error
    assert metric(at, "Requests") == f"{SAMPLE_LINES:,}"
    assert len(at.get("vega_lite_chart")) >= 2
    assert len(at.get("deck_gl_json_chart")) == 1
    assert any("generated sample log" in info.value for info in at.info)
    assert sum(country_requests(at).values()) > 0


def test_moving_the_slider_changes_the_map_and_figures():
    at = run_app()
    slider = at.select_slider(key="window")
    options = slider.options
    before = country_requests(at)
    slider.set_value((options[3], options[3])).run()
    assert not at.exception
    after = country_requests(at)
    assert after != before
    assert sum(after.values()) < sum(before.values())
    assert int(metric(at, "Requests").replace(",", "")) < SAMPLE_LINES


def test_upload_switches_the_data():
    at = run_app()
    at.radio(key="source").set_value("Upload").run()
    at.file_uploader[0].set_value(("mine.log.gz", gzip.compress(small_log()), "application/gzip")).run()
    assert not at.exception
    assert metric(at, "Requests") == "3"
    assert metric(at, "Rejected lines") == "1"
    assert metric(at, "Bots") == "33.3%"
    assert any("mine.log.gz" in c.value for c in at.caption)
    assert country_requests(at) == {"US": 2, "GB": 1}


@pytest.mark.parametrize("disabled", [False, True])
def test_the_caption_says_which_parser_read_the_log(monkeypatch, disabled):
    from dashboard.ingest import scanner

    if disabled:
        monkeypatch.setattr(scanner, "native", None)
    else:
        require_scanner()
    at = run_app()
    at.radio(key="source").set_value("Upload").run()
    at.file_uploader[0].set_value(("mine.log", small_log(), "text/plain")).run()
    expected = "regex parser (the compiled scanner is not in use)" if disabled else "read by the compiled scanner"
    assert any(expected in c.value for c in at.caption), [c.value for c in at.caption]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("garbage.log", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 50, "binary"),
        ("words.txt", b"hello world\n" * 20, "no known format"),
        ("empty.log", b"", "empty"),
        ("cut.log.gz", gzip.compress(small_log() * 200)[:300], "gzip"),
    ],
)
def test_bad_upload_shows_an_error_instead_of_the_previous_data(name, content, message):
    at = run_app()
    at.radio(key="source").set_value("Upload").run()
    at.file_uploader[0].set_value((name, content, "application/octet-stream")).run()
    assert not at.exception
    assert any(message in e.value for e in at.main.error), [e.value for e in at.error]
    assert not at.metric  # the sample is not left on screen under the error


def test_query_parameters_restore_a_view():
    at = run_app({"bucket": "1h", "tz": "Europe/Berlin", "bots": "exclude"})
    assert not at.exception
    assert at.selectbox(key="bucket").value == "1h"
    assert at.selectbox(key="tz").value == "Europe/Berlin"
    assert at.radio(key="bots").value == "exclude"
    assert "+02:00" not in at.select_slider(key="window").options[0]
    assert float(metric(at, "Bots").rstrip("%")) == 0.0


def test_bots_only_and_bucket_change():
    at = run_app()
    at.radio(key="bots").set_value("only").run()
    assert metric(at, "Bots") == "100.0%"
    at.selectbox(key="bucket").set_value("1D").run()
    assert len(at.select_slider(key="window").options) in (7, 8)


def test_server_log_given_on_the_command_line(tmp_path, monkeypatch):
    path = tmp_path / "access.log"
    path.write_bytes(small_log())
    monkeypatch.setenv("DATABLOOM_ARGS", f"--log {path}")
    at = run_app()
    assert not at.exception
    assert at.radio(key="source").value == "Server log"
    assert metric(at, "Requests") == "3"


def test_annotations_beside_the_server_log_mark_the_browser_timeline(tmp_path, monkeypatch):
    path = tmp_path / "access.log"
    path.write_bytes(small_log())
    (tmp_path / "annotations.jsonl").write_text(
        '{"time": "2026-06-01 10:30", "text": "deploy v2.3"}\n{"time": "2026-06-09T00:00Z", "text": "later"}\n'
    )
    monkeypatch.setenv("DATABLOOM_ARGS", f"--log {path}")
    at = run_app()
    assert not at.exception and not at.warning
    assert chart_values(at, "text") == ["deploy v2.3"]  # on the timeline's range only
    timeline = next(c for c in at.get("vega_lite_chart") if '"layer"' in c.proto.spec)  # not the window's strip
    assert '"strokeDash": [6, 3]' in timeline.proto.spec


def test_play_steps_through_windows():
    at = run_app()
    options = at.select_slider(key="window").options
    at.button(key="overview_play").click().run()
    assert not at.exception
    assert at.session_state["overview_playing"] is True
    assert at.select_slider(key="window").value == (options[0], options[0])
    for step in (1, 2):
        at.session_state["overview_last_step"] = 0.0  # as if the play interval had passed
        at.run()
        assert at.select_slider(key="window").value == (options[step], options[step])
    requests_one_bucket = int(metric(at, "Requests").replace(",", ""))
    assert 0 < requests_one_bucket < SAMPLE_LINES
    at.button(key="overview_play").click().run()
    assert at.session_state["overview_playing"] is False


def test_city_database_adds_points_and_top_n_limits_columns(tmp_path, monkeypatch):
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    writer = MMDBWriter(ip_version=6, database_type="GeoLite2-City", ipv4_compatible=True)
    writer.insert_network(
        IPSet(["81.2.69.0/24"]), {"country": {"iso_code": "GB"}, "location": {"latitude": 51.51, "longitude": -0.09}}
    )
    writer.insert_network(
        IPSet(["8.8.8.0/24"]), {"country": {"iso_code": "US"}, "location": {"latitude": 37.75, "longitude": -97.82}}
    )
    mmdb = tmp_path / "city.mmdb"
    writer.to_db_file(str(mmdb))
    log = tmp_path / "access.log"
    log.write_bytes(small_log())
    monkeypatch.setenv("DATABLOOM_ARGS", f"--log {log} --geoip {mmdb}")
    at = run_app()
    assert not at.exception
    layers = {layer["id"]: layer for layer in deck_json(at)["layers"]}
    assert "cities" in layers
    points = {(round(p["lat"], 2), round(p["lon"], 2)): p["requests"] for p in layers["cities"]["data"]}
    assert points == {(51.51, -0.09): 1, (37.75, -97.82): 1}  # 8.8.4.4 is not in this database
    at.number_input(key="overview_top").set_value(1).run()
    assert not at.exception
    heat = at.dataframe[0].value
    assert [c for c in heat.columns if c != "Total"] == ["Chrome", "Other"]


def test_alerts_panel_marks_the_chart_and_links_to_the_window(monkeypatch):
    monkeypatch.setenv("DATABLOOM_ARGS", "--sample-lines 100000")
    at = run_app()
    assert not at.exception
    header = next(h.value for h in at.subheader if h.value.startswith("Alerts"))
    count = int(header.split("(")[1].rstrip(")"))
    assert count >= 3  # the sample injects a 5xx burst, a scanner, a drop, a spike and a country surge
    assert "scanner" in {label.split(":")[0] for label in chart_values(at, "label")}  # alerts on the timeline
    assert chart_values(at, "lane") == ["window"]  # the window in its strip above it
    before = at.select_slider(key="window").value
    at.button(key="alerts_window_0").click().run()
    after = at.select_slider(key="window").value
    assert after != before
    options = at.select_slider(key="window").options
    assert options.index(after[1]) - options.index(after[0]) <= 2  # an alert spans at most a few 4h buckets


def test_bad_alerts_config_is_one_clear_error(tmp_path, monkeypatch):
    config = tmp_path / "alerts.toml"
    config.write_text("[scanner]\nmin_404 = -3\n")
    monkeypatch.setenv("DATABLOOM_ARGS", f"--sample-lines {SAMPLE_LINES} --alerts-config {config}")
    at = run_app()
    assert not at.exception
    assert any("scanner.min_404" in e.value for e in at.error)
    assert metric(at, "Requests") == f"{SAMPLE_LINES:,}"


def test_followed_log_grows_on_each_rerun(tmp_path, monkeypatch):
    path = tmp_path / "live.log"
    path.write_bytes(small_log())
    monkeypatch.setenv("DATABLOOM_ARGS", f"--follow {path}")
    at = run_app()
    assert not at.exception
    assert at.radio(key="source").value == "Live"
    assert metric(at, "Requests") == "3"
    assert metric(at, "Active visitors (5 min)") == "1"  # only 81.2.69.160 within 5 minutes of the newest line
    more = [
        combined("8.8.8.8", f"01/Jun/2026:11:0{i}:00 +0000", f"GET /n{i} HTTP/1.1", 200, 1, agent=UA_CHROME)
        for i in range(5)
    ]
    with path.open("a") as f:
        f.write("\n".join(more) + "\n" + combined("8.8.8.8", "01/Jun/2026:11:09:00 +0000", "GET /partial", 200, 1))
    at.run()  # what the fragment's 2-second timer does
    assert not at.exception
    assert metric(at, "Requests") == "8"  # the partial last line waits for its newline
    latest = at.dataframe[0].value
    assert latest["path"].iloc[0] == "/n4"
    with path.open("a") as f:
        f.write("\n")
    at.run()
    assert metric(at, "Requests") == "9"


def test_pausing_the_live_view_stops_reading(tmp_path, monkeypatch):
    path = tmp_path / "live.log"
    path.write_bytes(small_log())
    monkeypatch.setenv("DATABLOOM_ARGS", f"--follow {path}")
    at = run_app()
    at.toggle(key="overview_live_paused").set_value(True).run()
    with path.open("a") as f:
        f.write(combined("8.8.8.8", "01/Jun/2026:11:00:00 +0000", "GET / HTTP/1.1", 200, 1) + "\n")
    # The shared background reader goes on reading while the page is paused; wait until it has read the line.
    shared = cache.live_log(str(path), None, None, FOLLOW_ROWS, None)
    deadline = time.monotonic() + 30
    while len(shared.current().frame) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(shared.current().frame) == 4
    at.run()
    assert metric(at, "Requests") == "3"  # the paused page keeps what it showed
    at.toggle(key="overview_live_paused").set_value(False).run()
    assert metric(at, "Requests") == "4"


def test_a_saved_cube_opens_with_every_count_panel(tmp_path, monkeypatch):
    from dashboard.cli import main

    log = tmp_path / "access.log"
    log.write_bytes(small_log())
    cube = tmp_path / "cube.parquet"
    assert main(["cube", str(log), "--out", str(cube), "--bucket", "1h"]) == 0
    monkeypatch.setenv("DATABLOOM_ARGS", f"--cube {cube}")
    at = run_app({"bucket": "4h"})
    assert not at.exception, at.exception
    assert at.radio(key="source").value == "Cube"
    assert metric(at, "Requests") == "3"
    assert metric(at, "Visitors (sum per bucket)") == "3"
    assert metric(at, "Bots") == "33.3%"
    assert country_requests(at) == {"US": 2, "GB": 1}
    assert len(at.get("vega_lite_chart")) >= 2
    at.selectbox(key="bucket").set_value("15min").run()  # finer than the cube: kept in its 1 h buckets
    assert not at.exception
    assert any("finer ones cannot be made" in c.value for c in at.caption)


def test_a_cube_can_be_uploaded(tmp_path):
    from dashboard.cli import main

    log = tmp_path / "access.log"
    log.write_bytes(small_log())
    cube = tmp_path / "cube.parquet"
    assert main(["cube", str(log), "--out", str(cube)]) == 0
    at = run_app()
    at.radio(key="source").set_value("Upload").run()
    at.file_uploader[0].set_value(("cube.parquet", cube.read_bytes(), "application/octet-stream")).run()
    assert not at.exception
    assert metric(at, "Requests") == "3"
    assert metric(at, "Visitors (sum per bucket)") == "—"  # an upload comes without its visitors table


def test_an_allowed_server_path_can_be_followed_from_the_page(tmp_path, monkeypatch):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "access.log").write_bytes(small_log())
    monkeypatch.setenv("DATABLOOM_ARGS", f"--allow-dir {logs}")
    at = run_app()
    at.radio(key="source").set_value("Server log").run()
    at.text_input(key="sidebar_path").set_value("access.log").run()
    assert metric(at, "Requests") == "3"
    at.toggle(key="sidebar_follow").set_value(True).run()
    assert not at.exception
    with (logs / "access.log").open("a") as f:
        f.write(combined("8.8.8.8", "01/Jun/2026:11:00:00 +0000", "GET / HTTP/1.1", 200, 1) + "\n")
    at.run()
    assert metric(at, "Requests") == "4"
    at.text_input(key="sidebar_path").set_value("../../etc/passwd").run()
    assert any("not a log this server was configured to open" in e.value for e in at.main.error)
    assert not at.metric  # the refusal is reported instead of the previous data


def test_anonymisation_reaches_alerts_rejects_and_the_live_table(tmp_path, monkeypatch):
    lines = small_log().decode().splitlines()
    lines[3] = "203.0.113.77 garbage that mentions 198.51.100.23"  # a rejected line holding addresses
    scan = [
        combined("192.0.2.200", f"01/Jun/2026:11:{m:02d}:{s:02d} +0000", f"GET /probe{m}-{s}.php HTTP/1.1", 404, 0)
        for m in range(10)
        for s in range(0, 60, 2)
    ]
    path = tmp_path / "live.log"
    path.write_text("\n".join([*lines, *scan]) + "\n")
    monkeypatch.setenv("DATABLOOM_ARGS", f"--follow {path}")
    at = run_app({"anon": "true"})
    assert not at.exception
    shown = " ".join(
        [str(df.value.to_csv()) for df in at.dataframe] + [t.value for t in at.text] + [e.label for e in at.expander]
    )
    for address in ("192.0.2.200", "203.0.113.77", "198.51.100.23", "8.8.8.8", "81.2.69.160"):
        assert address not in shown
    assert "192.0.2.0" in shown  # the scanner, masked, in the latest requests and the alerts


def test_a_gzip_bomb_upload_is_cut_at_the_configured_limit(monkeypatch):
    import zlib

    monkeypatch.setenv("DATABLOOM_ARGS", f"--sample-lines {SAMPLE_LINES} --max-decompressed-mb 1")
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container
    bomb = b"".join(compressor.compress(b"\0" * (1 << 20)) for _ in range(8)) + compressor.flush()
    at = run_app()
    at.radio(key="source").set_value("Upload").run()
    at.file_uploader[0].set_value(("bomb.log.gz", bomb, "application/gzip")).run()
    assert not at.exception
    assert any("configured limit" in e.value for e in at.main.error), [e.value for e in at.error]
    assert not at.metric


def guarded_script() -> None:
    """Two failing sections and one that draws: what the guard must make of them."""
    import streamlit as st

    from dashboard.errors import DataBloomError
    from dashboard.views import guard

    with guard.section("The first panel"):
        raise RuntimeError("boom in /srv/secret/app.py\nsecond line")
    with guard.section("The second panel", "Load another log."):
        raise DataBloomError("access.log is empty")
    st.write("the rest of the page")


def test_a_failing_section_is_one_message_and_the_rest_still_renders(caplog):
    at = AppTest.from_function(guarded_script, default_timeout=TIMEOUT).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors[0].startswith("The first panel could not be drawn: RuntimeError: boom in /srv/secret/app.py. Try")
    assert "second line" not in errors[0]
    assert errors[1] == "The second panel could not be drawn: access.log is empty. Load another log."
    assert [m.value for m in at.markdown] == ["the rest of the page"]
    assert "Traceback" in caplog.text  # the traceback goes to the server log only


def test_a_chart_that_fails_leaves_the_rest_of_the_traffic_page(monkeypatch):
    from dashboard.render import maps

    def broken(*args, **kwargs):
        raise RuntimeError("no map today")

    monkeypatch.setattr(maps, "country_map", broken)
    at = run_app()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "The country map could not be drawn: RuntimeError: no map today. "
        "Try another time window, bucket or log; the rest of the page is unaffected."
    ]
    assert metric(at, "Requests") == f"{SAMPLE_LINES:,}"
    assert any(h.value.startswith("Alerts") for h in at.subheader)  # drawn after the map
    assert not at.get("deck_gl_json_chart")


def test_the_page_never_shows_error_details():
    import tomllib

    config = tomllib.loads((APP.parent / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


def test_changing_a_setting_after_an_upload_keeps_the_upload():
    at = run_app()
    at.radio(key="source").set_value("Upload").run()
    at.file_uploader[0].set_value(("mine.log", small_log(), "text/plain")).run()
    at.selectbox(key="bucket").set_value("1h").run()  # a full rerun: the cached upload is found again
    assert not at.exception, [e.message for e in at.exception]
    assert metric(at, "Requests") == "3"
