"""The map's classed colour scale: quantile classes with round bounds, their legend, and the fill expression.

A log scale painted most countries the same orange (requests per country are heavy-tailed). Quantile classes
put about as many countries in each class, so neighbours with different traffic read differently, and the
legend says what each colour means in requests.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.render.theme import hex_rgb

MAX_CLASSES = 5
# Light theme: yellow → crimson (ColorBrewer YlOrRd). Dark theme: dim purple → pale yellow (magma), so that more
# traffic is brighter on a dark background.
CLASS_STOPS = {
    False: ("#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"),
    True: ("#51127c", "#8c2981", "#de4968", "#fe9f6d", "#fcfdbf"),
}
FILL_ALPHA = 230
MAP_NEUTRAL = {False: (221, 224, 229, 255), True: (58, 63, 75, 255)}
_CODE = re.compile(r"^[A-Z]{2}$")  # only codes like this are written into the deck.gl expression


@dataclass(frozen=True)
class MapClass:
    """One colour of the map: countries whose requests are in ``lower..upper``."""

    lower: int
    upper: int
    colour: tuple[int, int, int, int]
    countries: tuple[str, ...]

    @property
    def label(self) -> str:
        """'1,000–4,999 requests' as the legend reads it."""
        if self.lower == self.upper:
            return f"{self.lower:,}"
        return f"{self.lower:,}–{self.upper:,}"

    @property
    def hex(self) -> str:
        """'#rrggbb' of the fill, for the legend drawn outside deck.gl."""
        return "#{:02x}{:02x}{:02x}".format(*self.colour[:3])


def round_down(value: float) -> int:
    """``value`` floored to two significant digits (1234 → 1200), so class bounds read as round numbers."""
    value = int(value)
    if value < 100:
        return max(value, 1)
    step = 10 ** (int(math.log10(value)) - 1)
    return value // step * step


def class_bounds(values: np.ndarray, classes: int = MAX_CLASSES) -> list[int]:
    """Lower bounds of up to ``classes`` quantile classes of positive ``values`` (rounded, distinct, ascending)."""
    values = np.sort(np.asarray(values, dtype=np.int64))
    values = values[values > 0]
    if not len(values):
        return []
    starts = values[(np.arange(classes) * len(values)) // classes]  # the first value of each equal-count class
    bounds = sorted({round_down(v) for v in starts} | {int(values[0])})
    return [b for b in bounds if b >= values[0]] or [int(values[0])]


def class_colours(count: int, dark: bool) -> list[tuple[int, int, int, int]]:
    """``count`` colours spread over the theme's ramp, lightest (light theme) or dimmest (dark) first."""
    stops = CLASS_STOPS[dark]
    picks = np.linspace(0, len(stops) - 1, count).round().astype(int) if count > 1 else [len(stops) // 2]
    return [(*hex_rgb(stops[i]), FILL_ALPHA) for i in picks]


def map_classes(requests: pd.Series, dark: bool = False) -> list[MapClass]:
    """Quantile classes over the countries with requests (``requests`` indexed by code), empty classes dropped."""
    requests = requests[requests > 0]
    bounds = class_bounds(requests.to_numpy())
    if not bounds:
        return []
    slot = np.searchsorted(np.asarray(bounds), requests.to_numpy(), side="right") - 1
    members = [tuple(sorted(requests.index[slot == i].astype(str))) for i in range(len(bounds))]
    top = int(requests.max())
    uppers = [*(b - 1 for b in bounds[1:]), top]
    kept = [(lo, hi, m) for lo, hi, m in zip(bounds, uppers, members, strict=True) if m]
    colours = class_colours(len(kept), dark)
    return [MapClass(lo, hi, colour, m) for (lo, hi, m), colour in zip(kept, colours, strict=True)]


def class_of(classes: list[MapClass], code: str) -> MapClass | None:
    """The class a country falls in, or None (no requests)."""
    return next((c for c in classes if code in c.countries), None)


def legend(classes: list[MapClass]) -> list[dict]:
    """The legend as data, one row per colour: label (requests), hex colour and how many countries it paints."""
    return [{"label": c.label, "colour": c.hex, "countries": len(c.countries)} for c in classes]


def fill_expression(classes: list[MapClass], dark: bool = False) -> str:
    """A deck.gl JSON expression giving each GeoJSON feature its class colour from ``properties.country``.

    deck.gl's expressions allow no function calls, so it is a chained ternary over the codes with requests,
    grouped by class: a few kilobytes however large the geometry, which the browser keeps between reruns.
    """
    parts = []
    for c in classes:
        codes = [code for code in c.countries if _CODE.match(code)]
        if codes:
            test = "||".join(f"properties.country==='{code}'" for code in codes)
            parts.append(f"{test}?[{','.join(map(str, c.colour))}]")
    neutral = f"[{','.join(map(str, MAP_NEUTRAL[dark]))}]"
    return ":".join([*parts, neutral])


def expression_key(expression: str) -> str:
    """A short digest of the fill expression: deck.gl's update trigger, so colours are recomputed when it changes."""
    return hashlib.sha1(expression.encode()).hexdigest()[:12]
