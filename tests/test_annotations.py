"""Annotations: the file formats, zones (naive = the log's zone), errors naming the line, the chart layer and the
``annotate`` command run as a whole process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dashboard.analysis.annotations import (
    AnnotationError,
    default_path,
    load_annotations,
    parse_annotations,
    within,
)
from dashboard.render import timeline
from dashboard.render.annotations import annotate, annotation_layers, time_range

ROOT = Path(__file__).resolve().parents[1]
UTC = "UTC"


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=UTC)


def test_json_lines_with_zones_tags_and_comments() -> None:
    text = "\n".join(
        [
            "# deploys",
            '{"time": "2026-06-01T14:05:00+02:00", "text": "deploy v2.3", "tag": "deploy"}',
            "",
            '{"time": "2026-06-01 09:00", "text": "config change"}',
            '{"time": "2026-06-01T13:00:00Z", "text": "  cache\\n flushed "}',
        ]
    )
    found = parse_annotations(text, "Europe/Berlin", "a.jsonl")
    assert [(a.time, a.text, a.tag, a.line) for a in found] == [
        (utc("2026-06-01 07:00"), "config change", "", 4),  # naive: wall time in Europe/Berlin (UTC+2)
        (utc("2026-06-01 12:05"), "deploy v2.3", "deploy", 2),
        (utc("2026-06-01 13:00"), "cache flushed", "", 5),
    ]


def test_csv_with_header() -> None:
    text = 'time,text,tag\n2026-06-01T10:00:00Z,"deploy, v2.3",deploy\n\n2026-06-02 08:00,rollback,\n'
    found = parse_annotations(text, "America/New_York", "a.csv", kind="csv")
    assert [(a.time, a.text, a.tag, a.line) for a in found] == [
        (utc("2026-06-01 10:00"), "deploy, v2.3", "deploy", 2),
        (utc("2026-06-02 12:00"), "rollback", "", 4),
    ]


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ('{"time": "2026-06-01T10:00Z", "text": "a"}\n{"time": "yesterday", "text": "b"}', "jsonl", "f:2: 'yesterday'"),
        ('{"time": "2026-13-01", "text": "a"}', "jsonl", "f:1: '2026-13-01' is not a time"),
        ('{"time": "2026-03-29 02:30", "text": "a"}', "jsonl", "f:1: '2026-03-29 02:30' does not name one instant"),
        ('{"time": "2026-10-25 02:30", "text": "a"}', "jsonl", "f:1: '2026-10-25 02:30' does not name one instant"),
        ('\n\n{"time": "2026-06-01T10:00Z"}', "jsonl", "f:3: missing text"),
        ('{"text": "a"}', "jsonl", "f:1: missing time"),
        ('{"time": "2026-06-01T10:00Z", "text": "a", "who": "me"}', "jsonl", "f:1: unknown key 'who'"),
        ("not json", "jsonl", "f:1: not a JSON object"),
        ("[1, 2]", "jsonl", "f:1: expected a JSON object"),
        ("when,what\n2026-06-01,a", "csv", "f:1: expected a header time,text"),
        ("time,text\n2026-06-01T10:00Z,a\nsoon,b", "csv", "f:3: 'soon' is not a time"),
        ("time,text\n2026-06-01T10:00Z,a,extra", "csv", "f:2: 3 fields"),
    ],
)
def test_bad_files_name_the_line(text: str, kind: str, message: str) -> None:
    with pytest.raises(AnnotationError) as caught:
        parse_annotations(text, "Europe/Berlin", "f", kind)
    assert str(caught.value).startswith(message)


def test_load_picks_the_format_by_suffix_and_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("time,text\n2026-06-01T10:00Z,deploy\n")
    assert [a.text for a in load_annotations(tmp_path / "a.csv", UTC)] == ["deploy"]
    with pytest.raises(AnnotationError, match=r"missing\.jsonl: cannot read"):
        load_annotations(tmp_path / "missing.jsonl", UTC)


def test_default_file_beside_the_log(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    assert default_path([log]) is None
    (tmp_path / "annotations.jsonl").write_text("")
    assert default_path([log]) == tmp_path / "annotations.jsonl"


def test_within_is_half_open() -> None:
    found = parse_annotations(
        '{"time": "2026-06-01T10:00Z", "text": "a"}\n{"time": "2026-06-02T10:00Z", "text": "b"}', UTC
    )
    assert [a.text for a in within(found, utc("2026-06-01 10:00"), utc("2026-06-02 10:00"))] == ["a"]
    assert [a.text for a in within(found, None, None)] == ["a", "b"]


def traffic_table() -> pd.DataFrame:
    times = pd.date_range("2026-06-01", periods=24, freq="1h", tz=UTC)
    return pd.DataFrame({"time": times, "requests": range(24), "visitors": range(24), "bytes": range(24)})


def test_layer_draws_only_the_annotations_in_the_chart_range() -> None:
    found = parse_annotations(
        '{"time": "2026-06-01T10:30:00+02:00", "text": "deploy v2.3"}\n{"time": "2026-07-01T00:00Z", "text": "later"}',
        "Europe/Berlin",
    )
    table = traffic_table()
    start, end = time_range(table, "time", pd.Timedelta("1h"))
    assert (start, end) == (utc("2026-06-01 00:00"), utc("2026-06-02 00:00"))
    chart = annotate(
        timeline.traffic_chart(table, None, "requests", "Europe/Berlin"), found, "Europe/Berlin", start, end
    )
    spec = chart.to_dict()
    marks = json.dumps(spec)
    assert "deploy v2.3" in marks and "later" not in marks
    rule = next(layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "rule")
    (row,) = spec["datasets"][rule["data"]["name"]]
    assert row["x"].startswith("2026-06-01T10:30:00")  # wall time in Europe/Berlin on the utc axis
    assert spec["height"] == timeline.CHART_HEIGHT
    assert annotation_layers(found, UTC, utc("2026-08-01"), None) == []


def test_no_annotation_leaves_the_chart_alone() -> None:
    chart = timeline.status_chart(
        pd.DataFrame({"time": traffic_table()["time"], "status_class": "2xx", "requests": 1}), UTC
    )
    assert annotate(chart, [], UTC, None, None) is chart


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", "annotate", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_annotate_appends_json_lines(tmp_path: Path) -> None:
    first = run("deploy v2.3", "--at", "2026-06-01 14:05", "--tz", "Europe/Berlin", "--tag", "deploy", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {
        "file": "annotations.jsonl",
        "annotations": 1,
        "time": "2026-06-01T12:05:00+00:00",
        "text": "deploy v2.3",
        "tag": "deploy",
    }
    second = run("rollback", "--file", "annotations.jsonl", cwd=tmp_path)  # --at defaults to now
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["annotations"] == 2
    found = load_annotations(tmp_path / "annotations.jsonl", UTC)
    assert [a.text for a in found] == ["deploy v2.3", "rollback"]


def test_annotate_refuses_a_bad_time_and_a_bad_file_naming_the_line(tmp_path: Path) -> None:
    bad_at = run("x", "--at", "2026-03-29 02:30", "--tz", "Europe/Berlin", cwd=tmp_path)
    assert bad_at.returncode == 2 and "Traceback" not in bad_at.stderr
    assert bad_at.stderr.startswith("error: --at: '2026-03-29 02:30' does not name one instant in Europe/Berlin")
    path = tmp_path / "annotations.jsonl"
    path.write_text('{"time": "2026-06-01T10:00Z", "text": "ok"}\n{"time": "junk", "text": "bad"}\n')
    bad_file = run("next", "--file", str(path), cwd=tmp_path)
    assert bad_file.returncode == 2 and "Traceback" not in bad_file.stderr
    assert bad_file.stderr == f"error: {path}:2: 'junk' is not a time such as 2026-06-01T14:05:00+02:00\n"
    assert path.read_text().count("\n") == 2  # nothing appended to a file that cannot be read back
