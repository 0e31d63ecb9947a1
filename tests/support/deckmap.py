"""The deck.gl map in a real browser: where a place is drawn, and a click on it that deck.gl really received.

deck.gl picks the object under the pointer on pointer-down and counts a click only when pointer-up follows within
its tap window; on a loaded machine the two can straddle a long frame (software WebGL), and the click is dropped
without any event. ``click_place`` therefore clicks again, at most ``tries`` times, until the page shows the
effect it expects; a map that never reacts still fails.
"""

from __future__ import annotations

import math

from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as Timeout

from dashboard.render import maps

# No rerun running and no element faded as stale (a faded map reads lighter than it is drawn).
IDLE = "!document.querySelector('[data-testid=stStatusWidget]') && !document.querySelector('[data-stale=true]')"

# Idle for QUIET_MS without a break, checked at every frame. Right after a page draws, its map's width component
# reports the width and the WebGL kind, and the page reruns once more; a link clicked in between can be overtaken by
# that rerun (the frontend still sends it for the page it is leaving) and the navigation is lost.
QUIET_MS = 1500
SETTLED = f"""() => {{
  const now = performance.now();
  if (!({IDLE}) || window.__dbBusyAt === undefined) window.__dbBusyAt = now;
  return now - window.__dbBusyAt >= {QUIET_MS};
}}"""


def settle(page: Page, timeout: float = 90_000) -> None:
    """Wait until the page has stayed idle for ``QUIET_MS`` (no rerun started meanwhile)."""
    page.evaluate("() => { delete window.__dbBusyAt; }")
    page.wait_for_function(SETTLED, polling="raf", timeout=timeout)


def view_zoom(box: dict) -> float:
    """The zoom the app chose for this canvas width (as map_panel measures it and maps.fit_view applies it)."""
    width = min(math.floor(box["width"] / 50) * 50, 900)
    return maps.fit_view(width)["zoom"]


def screen_point(box: dict, lat: float, lon: float) -> tuple[float, float]:
    """Where (lat, lon) is drawn on the canvas (Web Mercator, 512-px world at zoom 0)."""
    scale = maps.WORLD_PX * 2 ** view_zoom(box) / (2 * math.pi)

    def mercator(lat: float, lon: float) -> tuple[float, float]:
        return scale * math.radians(lon), -scale * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    x, y = mercator(lat, lon)
    cx, cy = mercator(maps.MAP_VIEW["latitude"], maps.MAP_VIEW["longitude"])
    return box["x"] + box["width"] / 2 + x - cx, box["y"] + box["height"] / 2 + y - cy


def click_place(web: Page, box: dict, lat: float, lon: float, effect: str, tries: int = 3, wait_ms: int = 15_000):
    """Click (lat, lon) on the map until the JavaScript condition ``effect`` holds (Timeout after ``tries``)."""
    x, y = screen_point(box, lat, lon)
    for attempt in range(tries):
        web.wait_for_function(IDLE, timeout=60_000)
        web.mouse.click(x, y)
        try:
            web.wait_for_function(effect, timeout=wait_ms)
            return
        except Timeout:
            if attempt == tries - 1:
                raise
