"""The app's options and the path policy: the page opens only what the operator configured."""

from __future__ import annotations

import pytest

from dashboard.views.config import PathNotAllowedError, allowed_path, parse_app_args


@pytest.fixture
def setup(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "access.log").write_text("x\n")
    (logs / "sub").mkdir()
    (logs / "sub" / "other.log").write_text("x\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("s\n")
    (logs / "link.log").symlink_to(secret)
    named = tmp_path / "named.log"
    named.write_text("x\n")
    config = parse_app_args(["--log", str(named), "--allow-dir", str(logs)], environ={})
    return config, tmp_path


def test_named_and_allowed_paths_open(setup):
    config, tmp = setup
    assert allowed_path(config, str(tmp / "named.log")) == (tmp / "named.log").resolve()
    assert allowed_path(config, "access.log") == (tmp / "logs" / "access.log").resolve()
    assert allowed_path(config, "sub/other.log") == (tmp / "logs" / "sub" / "other.log").resolve()


@pytest.mark.parametrize(
    "requested",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "../secret.txt",
        "link.log",
        "sub/../../secret.txt",
        "",
        "access.log\x00",
        "/proc/self/environ",
        "sub",
    ],
)
def test_everything_else_is_refused(setup, requested):
    config, _ = setup
    with pytest.raises(PathNotAllowedError):
        allowed_path(config, requested)


def test_without_configuration_nothing_opens(tmp_path):
    (tmp_path / "a.log").write_text("x\n")
    config = parse_app_args([], environ={})
    with pytest.raises(PathNotAllowedError):
        allowed_path(config, str(tmp_path / "a.log"))


def test_environment_options(tmp_path):
    config = parse_app_args(
        [], environ={"DATABLOOM_ARGS": f"--log {tmp_path}/x.log --sample-lines 10", "DATABLOOM_GEOIP": "/g.mmdb"}
    )
    assert config.logs == ((tmp_path / "x.log").resolve(),)
    assert config.sample_lines == 10
    assert config.geoip == "/g.mmdb"
