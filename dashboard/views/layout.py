"""How the pages lay out and colour what every page shares: the rows of headline figures and the active theme.

Streamlit stacks columns one per row below 640 px, so eight figures took a phone's whole first screen; the
figures' container (``st-key-figures``) keeps two a row there instead. Wide, a row holds at most four, so no
value is cut to "198.4…".
"""

from __future__ import annotations

import streamlit as st

FIGURES_KEY = "figures"
FIGURES_PER_ROW = 4
NARROW_PX = 640  # Streamlit's own breakpoint: below it, columns stack
NARROW_CSS = f"""<style>
@media (max-width: {NARROW_PX}px) {{
  .st-key-{FIGURES_KEY} [data-testid="stColumn"] {{
    min-width: calc(50% - 1rem) !important;
    flex: 1 1 calc(50% - 1rem) !important;
  }}
}}
</style>"""


def figure_columns(count: int, per_row: int = FIGURES_PER_ROW, styled: bool = True) -> list:
    """``count`` columns for headline figures: rows of ``per_row`` (the last one padded), two a row on a phone.

    ``styled=False`` when the page drew ``NARROW_CSS`` itself, outside a fragment that reruns at every step.
    """
    box = st.container(key=FIGURES_KEY)
    if styled:
        box.html(NARROW_CSS)
    rows = max(-(-count // per_row), 1)
    return [col for _ in range(rows) for col in box.columns(per_row)][:count]


def chart_rows(count: int) -> list:
    """``count`` full-width containers, one under the other: a time axis with hundreds of buckets needs the width."""
    return [st.container() for _ in range(count)]


def is_dark() -> bool:
    """True when the viewer's page is in the dark theme (charts and tables then take the dark palette)."""
    context_theme = getattr(st.context, "theme", None)
    return getattr(context_theme, "type", None) == "dark"
