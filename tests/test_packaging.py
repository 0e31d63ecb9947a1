"""The package installs as a wheel that works outside the checkout, and pyproject.toml lists every sub-package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_sub_package_is_listed_in_pyproject():
    found = {
        ".".join(d.relative_to(ROOT).parts)
        for d in [ROOT / "dashboard", *(ROOT / "dashboard").rglob("*")]
        if d.is_dir() and (d / "__init__.py").exists()
    }
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
    assert listed - found == {"dashboard.data", "dashboard.data.licenses"}


@pytest.mark.slow
def test_the_wheel_runs_outside_the_checkout(tmp_path, write_log):
    """pip install . puts the bundled GeoIP, geometry and alerts config inside the package: no checkout needed."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # The dependencies come from this environment; the package itself only from the wheel.
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n" + sysconfig.get_paths()["platlib"] + "\n")
    wheel = next(wheels.glob("*.whl"))
    # --ignore-installed: the editable checkout seen through deps.pth must not count as "already installed"
    install = ["install", "-q", "--no-deps", "--no-index", "--ignore-installed", str(wheel)]
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), *install],
        check=True,
        capture_output=True,
    )
    log = write_log(['8.8.8.8 - - [01/Jun/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8.0"'])
    # A clean environment: earlier tests (Spark's workers) may have put the checkout on PYTHONPATH.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    probe = "import dashboard, dashboard.resources as r; print(dashboard.__file__); print(r.GEOIP_DB.exists())"
    out = subprocess.run([python, "-c", probe], cwd=tmp_path, env=env, check=True, capture_output=True, text=True)
    out = out.stdout
    where, has_geoip = out.split()
    assert Path(where).is_relative_to(site) and has_geoip == "True"
    summary = subprocess.run(
        [venv / "bin" / "databloom", "summary", str(log), "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert summary.returncode == 0, summary.stderr
    assert json.loads(summary.stdout)["countries"] == {"US": 1}
