"""The HTML report: one self-contained file, escaped log content, the CLI subcommand."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.pipeline import load_log
from dashboard.render.report import build_report, html_table, script_json
from support.explore_log import FORMAT, lines

HOSTILE_PATH = "/</script><script>alert(1)</script>"


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
