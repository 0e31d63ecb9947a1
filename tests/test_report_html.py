"""The HTML report: one self-contained file (no fetch), escaped log content, the map, the alerts of the sample's
incidents with their evidence, the annotations, the CLI subcommand and its e-mailed digest."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.pipeline import load_log
from dashboard.render.report import build_report, html_table, script_json
from support.explore_log import FORMAT, lines
from support.receiver import free_port
from support.smtp_sink import SmtpSink

HOSTILE_PATH = "/</script><script>alert(1)</script>"
# Anything that would make a browser fetch: src/href/xlink:href/action, CSS url() and @import, to http(s) or //.
FETCHES = re.compile(r"""(?:\b(?:src|href|action)\s*=\s*["']?|url\(\s*["']?|@import\s+["']?)(?:https?:)?//""", re.I)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    hostile = (
        f'a.example 8.8.8.8 - - [02/Jun/2026:10:11:00 +0000] "GET {HOSTILE_PATH} HTTP/1.1" 200 5 '
        '"https://x.example/\u2028" "<b>bold</b> & co" 0.001'
    )
    path = folder / "access.log"
    path.write_text("\n".join([*lines(), hostile]) + "\n")
    return load_log(path, FORMAT)


def test_report_is_self_contained(loaded):
    document = build_report(loaded, preset="day", tz="Europe/Berlin")
    assert document.startswith("<!DOCTYPE html>")
    assert "vegaEmbed" in document and "window.vegaEmbed" in document  # the bundle is inlined
    assert not re.search(r"<script[^>]+src=", document)
    assert not re.search(r"<link[^>]+href=", document)
    assert "cdn.jsdelivr" not in document and "unpkg.com" not in document
    assert not FETCHES.search(document)
    assert '<svg class="worldmap"' in document and "<title>United States: " in document  # the map, inline
    assert document.count('class="chart"') >= 10
    assert "Top URLs" in document and "Referring sites" in document and "Response time" in document
    assert "compared with the day before it" in document


def test_log_content_cannot_break_out(loaded):
    document = build_report(loaded)
    assert HOSTILE_PATH not in document
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in document  # the table, escaped
    assert "\\u003c/script\\u003e" in document  # the chart data, escaped inside the script
    assert document.count("</script>") == document.count("<script>") + document.count("<script ")
    assert "\u2028" not in document


def test_script_json_and_html_table_escape():
    assert script_json({"a": "</script>&\u2028"}) == '{"a": "\\u003c/script\\u003e\\u0026\\u2028"}'
    table = html_table(pd.DataFrame({"path": ["<i>x</i>"], "requests": [1234], "share": [0.5]}))
    assert "&lt;i&gt;x&lt;/i&gt;" in table and "1,234" in table and "50.0%" in table


def run_cli(argv: list[str]) -> int:
    return main(argv)


def test_cli_writes_the_report(tmp_path, capsys):
    log = tmp_path / "access.log"
    log.write_text("\n".join(lines()) + "\n")
    out = tmp_path / "r.html"
    code = run_cli(
        [
            "report",
            str(log),
            "-o",
            str(out),
            "--format",
            FORMAT,
            "--tz",
            "UTC",
            "--range",
            "day",
            "--filter",
            "country:is:US",
            "--anonymise",
        ]
    )
    assert code == 0
    document = out.read_text()
    assert "filters: Country is US" in document and "IP addresses anonymised" in document
    assert "8.8.8.8" not in document and "8.8.8.0" in document
    assert '"out"' in capsys.readouterr().out


def test_cli_rejects_a_bad_filter(tmp_path, capsys):
    log = tmp_path / "access.log"
    log.write_text("\n".join(lines()) + "\n")
    assert run_cli(["report", str(log), "-o", str(tmp_path / "r.html"), "--filter", "path:regex:("]) == 2
    assert "invalid regular expression" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_fetch_pattern_sees_what_it_forbids():
    for fetch in ('<img src="https://x.example/a.png">', "<a href='//x.example'>", "background:url(http://x)"):
        assert FETCHES.search(fetch), fetch
    assert not FETCHES.search('<a href="#top">') and not FETCHES.search("url(#map-scale)")


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory):
    """``databloom sample`` (with its incidents), an annotation beside it, ``report --email`` to a local sink."""
    folder = tmp_path_factory.mktemp("sample")
    log = folder / "access.log"
    assert run_cli(["sample", "--out", str(log), "--lines", "100000", "--days", "7", "--seed", "3"]) == 0
    (folder / "annotations.jsonl").write_text(
        '{"time": "2026-06-03 12:00", "text": "deploy <v2.3>", "tag": "deploy"}\n'
    )
    sink = SmtpSink()
    try:
        out = folder / "r.html"
        argv = ["report", str(log), "-o", str(out), "--tz", "Europe/Berlin", "--email", "ops@example.org"]
        assert run_cli([*argv, "--smtp", f"127.0.0.1:{sink.port}", "--smtp-from", "report@example.org"]) == 0
    finally:
        sink.close()
    incidents = json.loads((folder / "access.log.incidents.json").read_text())["incidents"]
    return out.read_text(), incidents, sink


def test_report_lists_the_alerts_of_the_sample_incidents_with_evidence(sample_report):
    document, incidents, _ = sample_report
    alerts = document[document.index("<h2>Alerts</h2>") : document.index("<h2>Traffic over time</h2>")]
    scanner = next(i for i in incidents if i["kind"] == "scanner")
    assert f"scanner · {scanner['subject']}" in alerts
    assert next(i for i in incidents if i["kind"] == "country_surge")["subject"] in alerts
    assert "5xx" in alerts
    assert alerts.count('<div class="alert') >= len(incidents) - 1
    assert re.search(r"expected [\d.,]+ [^,<]+, observed [\d.,]+", alerts)
    assert alerts.count("<table>") >= 3  # the evidence rows
    assert "(Europe/Berlin)" in alerts


def test_report_draws_and_lists_the_annotations_beside_the_log(sample_report):
    document, _, _ = sample_report
    assert document.count("deploy \\u003cv2.3\\u003e") == 3  # requests, visitors, status (no response times)
    listed = document[document.index("<h2>Annotations</h2>") :]
    assert "2026-06-03 12:00 +0200" in listed and "deploy &lt;v2.3&gt;" in listed
    assert not FETCHES.search(document) and '<svg class="worldmap"' in document


def test_report_email_is_a_digest_with_the_report_attached(sample_report):
    document, _, sink = sample_report
    (message,) = sink.messages
    assert sink.envelopes == [("report@example.org", ["ops@example.org"])]
    assert message["Subject"].startswith("[Data Bloom] report all: access.log")
    body = message.get_body(("html",)).get_content()
    assert "<h2>Alerts</h2>" in body and "scanner" in body and "deploy &lt;v2.3&gt;" in body
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "r.html" and attachment.get_content_type() == "text/html"
    assert attachment.get_payload(decode=True) == document.encode("utf-8")


def test_report_with_a_bad_annotations_file_names_the_line(tmp_path, capsys):
    log = tmp_path / "access.log"
    log.write_text("\n".join(lines()) + "\n")
    notes = tmp_path / "notes.csv"
    notes.write_text("time,text\n2026-06-01T10:00Z,ok\nlater,bad\n")
    assert run_cli(["report", str(log), "-o", str(tmp_path / "r.html"), "--annotations", str(notes)]) == 2
    assert capsys.readouterr().err == f"error: {notes}:3: 'later' is not a time such as 2026-06-01T14:05:00+02:00\n"
    assert not (tmp_path / "r.html").exists()


def test_report_email_to_a_dead_server_is_one_line(tmp_path, capsys, monkeypatch):
    from dashboard.alerts import notify_email

    monkeypatch.setattr(notify_email, "DEFAULT_BACKOFF", 0.0)
    log = tmp_path / "access.log"
    log.write_text("\n".join(lines()) + "\n")
    port = free_port()
    argv = ["report", str(log), "-o", str(tmp_path / "r.html"), "--email", "ops@example.org"]
    assert run_cli([*argv, "--smtp", f"127.0.0.1:{port}", "--format", FORMAT]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: 127.0.0.1:{port}: gave up after 6 attempt(s)") and err.count("\n") == 1
