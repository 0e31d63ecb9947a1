"""No emoji on a page: without an emoji font (most servers and many desktops) each one is an empty box. Icons are
Streamlit's bundled Material Symbols (``views/icons.py``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.views import icons

ROOT = Path(__file__).resolve().parents[1]
SHOWN = [
    ROOT / "app.py",
    *sorted((ROOT / "dashboard" / "views").glob("*.py")),
    *sorted((ROOT / "dashboard" / "render").glob("*.py")),
]
# Emoji blocks (pictographs, symbols, dingbats, media controls, geometric shapes, regional indicators) and the
# emoji presentation selector / zero-width joiner. Arrows (→) and ·, ×, … are text that every font has.
EMOJI = re.compile(
    "[\u2300-\u23ff\u2460-\u24ff\u25a0-\u27bf\u2b00-\u2bff\u3030\u303d\u3297\u3299\U0001f000-\U0001faff\ufe0f\u200d]"
)
MATERIAL = re.compile(r"^:material/[a-z0-9_]+:$")


def emoji_in(path: Path) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if EMOJI.search(line)
    ]


@pytest.mark.parametrize("path", SHOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_emoji_in_what_the_app_shows(path):
    assert emoji_in(path) == []


def test_the_scan_sees_the_emoji_pages_used_and_passes_text_symbols():
    lines = ['st.info("x", icon="🌱")', 'st.button("⏸ Pause")', 'st.error("e", icon="⚠️")', '"➕ Add"', '"▶ Play"']
    assert all(EMOJI.search(line) for line in lines)
    assert not EMOJI.search("a → b · c × d … e ≤ f")


def test_every_icon_is_a_material_shortcode():
    values = [v for k, v in vars(icons).items() if k.isupper() and isinstance(v, str)]
    values += list(icons.SEVERITY.values())
    assert values and all(MATERIAL.match(v) for v in values), values
