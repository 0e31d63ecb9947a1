"""The browser benchmark's figures: each measure's median, p90 and spread, and the table against the targets."""

from __future__ import annotations

import statistics

# The targets, at 1M rows on a 2-core machine: seconds (_s), kilobytes (_kb), megabytes (_mb).
TARGETS = {"slider_step_s": 0.5, "play_step_s": 0.5, "bucket_change_s": 1.0, "bot_filter_s": 1.0}
TARGETS |= {"explore_filter_s": 1.0, "explore_range_s": 1.0, "anonymise_toggle_s": 1.0, "cold_start_s": 2.0}
TARGETS |= {"cold_start_floor_s": None}  # a one-chart Streamlit app: what no page beats on this machine
TARGETS |= {"first_visit_later_s": None}  # a first page 5 s after a new server started: its warm-up done
# Bytes per slider step: on the network (websocket frames as sent, compressed); and decoded, as the page reads them.
TARGETS |= {"upload_s": None, "slider_step_wire_kb": 50.0, "slider_step_kb": None}
TARGETS |= {"rss_after_upload_mb": 500.0, "rss_at_end_mb": None}

# Where an interaction's time goes: input → the browser's rerun request (widget debounce), → the rerun's
# script_finished frame off the wire (the server's script run and the transfer), → painted and idle (the browser).
PHASES = {"ask": "input→request", "server": "request→script done", "paint": "script done→painted"}
# A cold start's: the new process until the server answers, until the first run's last message, until painted.
COLD_PHASES = {"up": "process→server answers", "script": "→page + first run", "paint": "→chart painted"}


def summary(runs: list[dict], key: str = "s") -> dict:
    """Median, p90 (nearest rank) and the run-to-run spread (min, max) of one measure, with the runs themselves;
    the median time of each phase (``PHASES``) when the runs have them."""
    values = sorted(r[key] for r in runs)
    if not values:
        return {"median": None, "p90": None, "runs": []}
    p90 = values[min(len(values) - 1, round(0.9 * (len(values) - 1)))]
    out = {"median": statistics.median(values), "p90": p90, "min": values[0], "max": values[-1]}
    phases = {p: statistics.median(r[p] for r in runs) for p in PHASES | COLD_PHASES if key == "s" and p in runs[0]}
    return out | ({"phases": phases} if phases else {}) | {"runs": [round(r[key], 4) for r in runs]}


def kind(msg) -> str:
    """What a forward message carries: a new element's type ('deck_gl_json_chart'), 'block', or its own type."""
    if msg.WhichOneof("type") != "delta":
        return msg.WhichOneof("type") or "?"
    delta = msg.delta.WhichOneof("type")
    return msg.delta.new_element.WhichOneof("type") if delta == "new_element" else "block" if delta else "?"


def kinds(runs: list[dict]) -> dict[str, float]:
    """Median KB per kind of message (an element's type, 'block', ...) over the runs, largest first."""
    names = {k for r in runs for k in r.get("kinds", ())}
    medians = {k: statistics.median(r["kinds"].get(k, 0.0) for r in runs) for k in names}
    return dict(sorted(medians.items(), key=lambda item: -item[1]))


def table(figures: dict) -> str:
    """Each figure against its target: median, p90, spread (min–max), target, whether the median meets it; then
    where each interaction's median time went (``PHASES``)."""
    rows = [f"{'figure':<22} {'median':>9} {'p90':>9} {'min–max':>15} {'target':>11}  ok"]
    for key, target in TARGETS.items():
        fig, unit = figures.get(key) or {}, {"s": "s", "kb": "KB", "mb": "MB"}[key.rsplit("_", 1)[1]]
        cell = [
            "" if fig.get(k) is None else f"{fig[k]:.3f}" if unit == "s" else f"{fig[k]:.1f}"
            for k in ("median", "p90", "min", "max")
        ]
        ok = "-" if fig.get("median") is None or target is None else "yes" if fig["median"] <= target else "NO"
        aim, spread = "" if target is None else f"<= {target} {unit}", f"{cell[2]}–{cell[3]}" if cell[2] else ""
        note = f"  ({fig['note']})" if fig.get("note") else ""
        rows.append(f"{key:<22} {cell[0] or 'n/a':>9} {cell[1]:>9} {spread:>15} {aim:>11}  {ok}{note}")
    for names in (PHASES, COLD_PHASES):
        rows.append(f"\n{'median seconds':<22}" + "".join(f" {label:>22}" for label in names.values()))
        for key, fig in figures.items():
            if fig and set(names) <= set(fig.get("phases", ())):
                rows.append(f"{key:<22}" + "".join(f" {fig['phases'][p]:>22.3f}" for p in names))
    for key, fig in figures.items():  # what each interaction's bytes carried
        if fig and fig.get("kinds"):
            rows.append(f"\n{key} by kind: " + ", ".join(f"{k} {kb:.1f}" for k, kb in fig["kinds"].items()))
    return "\n".join(rows)
