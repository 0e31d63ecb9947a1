"""render/ uses only the public API of altair, pydeck and vl-convert, so their upgrades cannot break it unseen."""

from __future__ import annotations

import ast
from pathlib import Path

import altair as alt
import pytest
import vl_convert

from dashboard.render import report

RENDER = Path(report.__file__).parent
CHART_LIBRARIES = ("altair", "pydeck", "vl_convert")


def imported_modules(path: Path) -> list[str]:
    """Every module a file imports (``from a.b import c`` gives a.b.c too, as c may be a module)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return names


@pytest.mark.parametrize("path", sorted(RENDER.glob("*.py")), ids=lambda p: p.name)
def test_chart_libraries_are_used_through_their_top_level_module(path: Path) -> None:
    for name in imported_modules(path):
        top, _, rest = name.partition(".")
        if top in CHART_LIBRARIES:
            assert not rest, f"{path.name} imports {name}: use the library's top-level API"


def test_report_bundle_is_the_vega_lite_altair_writes_for() -> None:
    version = report.vega_lite_version()
    assert alt.SCHEMA_VERSION.startswith(version + ".")
    assert version.removeprefix("v") in vl_convert.get_vegalite_versions()
