"""The country map on a page: geometry served once, the classed legend beside it, the theme, click to filter.

Both pages draw the map through here. The Traffic page keeps its country filter in session state (a chip above
the figures removes it); the Explore page turns a click into one of its URL filters.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard.analysis.filters import Filter, filter_mask
from dashboard.enrich.geo import country_name
from dashboard.render import maps
from dashboard.views import icons, layout

TRAFFIC_COUNTRY = "overview_country"  # the Traffic page's country filter (an alpha-2 code)
LEGEND_TITLE = "Requests per country"
# The map's width, measured in the browser (the server cannot know it): a narrow map zooms out to show the world.
# Reported in steps, and capped where the default zoom already fits, so that resizing rarely reruns the page.
WIDTH_KEY = "map_width"  # one per session: a new map key (a new filter) must not measure again
WIDTH_STEP = 50
WIDTH_CAP = 900
# It also reports, once, whether the browser draws WebGL in software (no GPU): the map then leaves the country
# borders out, which took 1.4 s of each redraw there (see maps.country_map).
WIDTH_JS = """
function software() {
  try {
    const gl = document.createElement("canvas").getContext("webgl");
    const info = gl && gl.getExtension("WEBGL_debug_renderer_info");
    const name = gl && gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
    return !gl || /swiftshader|llvmpipe|softpipe|software/i.test(name);
  } catch (e) { return false; }
}
export default function ({ parentElement, data, setStateValue }) {
  const box = parentElement instanceof ShadowRoot ? parentElement.host : parentElement;
  if (data && data.software === null) setStateValue("software", software());
  const report = () => {
    const width = Math.min(Math.floor(box.getBoundingClientRect().width / STEP) * STEP, CAP);
    if (width > 0 && width !== (data && data.width)) setStateValue("width", width);
  };
  const observer = new ResizeObserver(report);
  observer.observe(box);
  report();
  return () => observer.disconnect();
}
""".replace("STEP", str(WIDTH_STEP)).replace("CAP", str(WIDTH_CAP))
WIDTH_JS = "\n".join(line.strip() for line in WIDTH_JS.splitlines() if line.strip())  # sent at every rerun
_map_width = st.components.v2.component("databloom_map_width", js=WIDTH_JS)
# The legend is re-sent with the map at every slider step: one style block, then a short row per colour.
LEGEND_CSS = (
    "<style>.db-legend{font-size:.8rem}.db-legend div{display:flex;align-items:center;gap:.4rem;line-height:1.5}"
    ".db-legend i{display:inline-block;width:.9rem;height:.9rem;border-radius:2px}.db-legend small{opacity:.6}"
    "</style>"
)
SWATCH = '<div><i style="background:{colour}"></i>{label} <small>({countries})</small></div>'


def geometry() -> str | dict:
    """The country geometry for the deck: its static URL when Streamlit serves ``static/``, else inline."""
    if st.get_option("server.enableStaticServing"):
        ctx = get_script_run_ctx()
        script = getattr(ctx, "main_script_path", None)
        url = maps.geometry_url(Path(script).parent / "static" if script else None)
        if url is not None:
            return url
    return maps.load_country_shapes()


def legend_html(entries: list[dict]) -> str:
    """The legend as a small HTML block: colours are ours and labels are formatted numbers (no log content)."""
    rows = "".join(SWATCH.format(**entry) for entry in entries)
    return f'{LEGEND_CSS}<section class="db-legend"><div style="opacity:.7">{LEGEND_TITLE}</div>{rows}</section>'


def draw(
    country_counts: pd.DataFrame,
    key: str,
    on_pick: Callable[[str], None],
    city_points: pd.DataFrame | None = None,
    total: int | None = None,
    height: int = maps.MAP_HEIGHT,
) -> None:
    """The map with its legend beside it; a click on a country (fill or circle) calls ``on_pick(code)``."""
    dark = layout.is_dark()
    entries = maps.map_legend(country_counts, dark)
    left, right = st.columns([6, 1])
    with left:
        width, software = measured(WIDTH_KEY)
        deck = maps.country_map(
            country_counts,
            geometry(),
            maps.load_centroids(),
            city_points,
            dark=dark,
            total=total,
            width_px=width,
            borders=not software,
        )
        st.pydeck_chart(
            deck,
            height=height,
            key=key,
            on_select=lambda: _picked(key, on_pick),
            selection_mode="single-object",
        )
    with right:
        if entries:
            st.html(legend_html(entries))


def measured(key: str) -> tuple[int | None, bool]:
    """The width of the column this is drawn in, as the browser last reported it (None before it has), and
    whether the browser draws WebGL in software (False until it has said so)."""
    state = st.session_state.get(key)
    known = {name: state.get(name) if hasattr(state, "get") else None for name in ("width", "software")}
    result = _map_width(key=key, data=known, default=known, on_width_change=_ignore, on_software_change=_ignore)
    width = result.get("width") if hasattr(result, "get") else None
    software = result.get("software") if hasattr(result, "get") else None
    return (int(width) if isinstance(width, int | float) and width > 0 else None), software is True


def _ignore() -> None:
    """A state callback is what makes a component report a value; the rerun it causes is all we need."""


def _picked(key: str, on_pick: Callable[[str], None]) -> None:
    code = maps.picked_country(st.session_state.get(key))
    if code is not None:
        on_pick(code)


def _set_traffic_country(code: str | None) -> None:
    st.session_state[TRAFFIC_COUNTRY] = code


def traffic_country() -> str | None:
    """The country the Traffic page is cut to, if one was clicked on its map."""
    return st.session_state.get(TRAFFIC_COUNTRY) or None


def traffic_scope(frame: pd.DataFrame, cube: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The log's rows and cube cut to the country clicked on the Traffic map, with a chip that removes it."""
    code = traffic_country()
    if code is None:
        return frame, cube
    cols = st.columns([4, 1])
    cols[0].info(f"Showing **{code}** ({country_name(code)}) only: a country clicked on the map.", icon=icons.MAP)
    cols[1].button(
        f"Country is {code}",
        icon=icons.CLOSE,
        key=TRAFFIC_COUNTRY + "_clear",
        on_click=_set_traffic_country,
        args=(None,),
        help="show every country again",
    )
    scope = [Filter("country", "is", code)]
    if "country" in frame.columns:
        frame = frame[filter_mask(frame, scope)]
    return frame, cube[filter_mask(cube, scope)]


def traffic_map(country_totals: pd.DataFrame, city_points: pd.DataFrame | None, total: int | None) -> None:
    """The Traffic page's map: a click filters the whole page by that country."""
    st.subheader("Countries")
    code = traffic_country()
    st.caption("Click a country to show only its traffic." if not code else f"Only {code}: remove the filter above.")
    key = f"{TRAFFIC_COUNTRY}_map_{code or 'all'}"  # a new filter starts with no country highlighted
    draw(country_totals, key, _set_traffic_country, city_points=city_points, total=total)
