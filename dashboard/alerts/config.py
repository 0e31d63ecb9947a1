"""The alerts configuration: every key as data (``SCHEMA``), validated with errors that name the key.

``alerts.toml`` ships the defaults and documents every key (a test checks it). Threshold rules are parsed here
(``parse_rule``) so a bad expression is a configuration error; they are evaluated in ``rules.py``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboard.alerts.alert import SEVERITIES
from dashboard.alerts.rules import RULE_METRICS
from dashboard.errors import DataBloomError

DEFAULT_CONFIG_PATH = Path(__file__).with_name("alerts.toml")
DAY_SECONDS = 86_400
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
STATUS_LABEL = re.compile(r"^(?:[1-5]xx|[1-5]\d\d)$")
RULE_PATTERN = re.compile(
    r"^\s*(?P<metric>[a-z0-9_]+)\s*(?P<op>>=|<=|>|<)\s*(?P<value>\d+(?:\.\d+)?)\s*(?P<pct>%)?"
    r"(?:\s+for\s+(?P<dur>\d+\s*[smhd]))?\s*$"
)


class AlertConfigError(DataBloomError):
    """An alerts configuration that cannot be used; the message names the offending key."""


@dataclass(frozen=True)
class Setting:
    """One configuration key: its kind, default and allowed range (kinds: int, float, bool, str, duration,
    severity, list)."""

    kind: str
    default: Any
    lo: float | None = None
    hi: float | None = None


# Configuration as data: section → key → Setting. ``alerts.toml`` documents every key (a test checks it).
SCHEMA: dict[str, dict[str, Setting]] = {
    "general": {
        "bucket": Setting("duration", "5m", 60, 3600),
        "cooldown": Setting("duration", "30m", 0, 7 * DAY_SECONDS),
        "merge_gap": Setting("duration", "10m", 0, DAY_SECONDS),
        "min_history_days": Setting("float", 2.0, 1.0, 365.0),
        "history_days": Setting("int", 28, 1, 366),
        "weekday_min_weeks": Setting("int", 3, 1, 52),
        "pool_slots": Setting("int", 2, 0, 12),
        "prior_requests": Setting("float", 500.0, 0.0, 1e9),
        "critical_factor": Setting("float", 2.0, 1.0, 100.0),
    },
    "rate": {
        "enabled": Setting("bool", True),
        "threshold": Setting("float", 4.0, 0.5, 100.0),
        "smooth": Setting("int", 3, 1, 48),
        "consecutive": Setting("int", 3, 1, 1000),
        "min_volume": Setting("float", 30.0, 0.0, 1e12),
        "min_ratio_high": Setting("float", 1.6, 1.0, 1000.0),
        "max_ratio_low": Setting("float", 0.6, 0.0, 1.0),
        "client_quantile": Setting("float", 0.99, 0.5, 1.0),
    },
    "status": {
        "enabled": Setting("bool", True),
        "classes": Setting("list", ["5xx", "404"]),
        "threshold": Setting("float", 5.0, 0.5, 100.0),
        "consecutive": Setting("int", 2, 1, 1000),
        "min_count": Setting("int", 10, 1, 10**9),
        "min_rate": Setting("float", 0.03, 0.0, 1.0),
        "min_ratio": Setting("float", 4.0, 1.0, 1e6),
    },
    "scanner": {
        "enabled": Setting("bool", True),
        "window": Setting("duration", "10m", 60, DAY_SECONDS),
        "min_distinct_paths": Setting("int", 40, 2, 10**9),
        "min_404": Setting("int", 30, 1, 10**9),
        "min_error_share": Setting("float", 0.5, 0.0, 1.0),
        "min_requests": Setting("int", 100, 1, 10**9),
        "any_status_factor": Setting("float", 2.0, 1.0, 1000.0),
        "min_client_ratio": Setting("float", 4.0, 1.0, 1e6),
        "threshold": Setting("float", 6.0, 0.5, 100.0),
    },
    "surge": {
        "enabled": Setting("bool", True),
        "dimensions": Setting("list", ["country", "browser"]),
        "window": Setting("duration", "15m", 60, DAY_SECONDS),
        "rare_share": Setting("float", 0.005, 0.0, 1.0),
        "min_requests": Setting("int", 40, 1, 10**9),
        "min_clients": Setting("int", 8, 1, 10**9),
        "min_ratio": Setting("float", 10.0, 1.0, 1e6),
        "min_share": Setting("float", 0.05, 0.0, 1.0),
        "threshold": Setting("float", 6.0, 0.5, 100.0),
        "consecutive": Setting("int", 1, 1, 1000),
    },
}
# Rules used when a configuration has no ``rules`` key (``rules = []`` turns them off).
DEFAULT_RULES = ({"name": "5xx above 5%", "expr": "5xx_rate > 5% for 10m", "severity": "critical", "min_requests": 20},)
RULE_SCHEMA: dict[str, Setting] = {
    "name": Setting("str", ""),
    "expr": Setting("str", None),
    "severity": Setting("severity", "warning"),
    "min_requests": Setting("int", 20, 0, 10**12),
}


def parse_duration(text: str, key: str) -> int:
    """'90s', '10m', '2h', '1d' → seconds."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd])\s*", str(text))
    if not match:
        raise AlertConfigError(f"{key}: {text!r} is not a duration such as 30s, 10m, 2h, 1d")
    return int(match.group(1)) * DURATION_UNITS[match.group(2)]


def _check(key: str, setting: Setting, value: Any) -> Any:
    """A validated value of one key (durations as seconds)."""
    kind = setting.kind
    if kind == "bool":
        if not isinstance(value, bool):
            raise AlertConfigError(f"{key}: expected true or false, got {value!r}")
        return value
    if kind in ("str", "severity"):
        if not isinstance(value, str):
            raise AlertConfigError(f"{key}: expected a string, got {value!r}")
        if kind == "severity" and value not in SEVERITIES:
            raise AlertConfigError(f"{key}: expected one of {', '.join(SEVERITIES)}, got {value!r}")
        return value
    if kind == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise AlertConfigError(f"{key}: expected a list of strings, got {value!r}")
        return list(value)
    if kind == "duration":
        number = parse_duration(value, key) if isinstance(value, str) else None
        if number is None:
            raise AlertConfigError(f'{key}: expected a duration string such as "10m", got {value!r}')
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise AlertConfigError(f"{key}: expected an integer, got {value!r}")
        number = value
    else:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise AlertConfigError(f"{key}: expected a number, got {value!r}")
        number = float(value)
    if (setting.lo is not None and number < setting.lo) or (setting.hi is not None and number > setting.hi):
        raise AlertConfigError(f"{key}: {value!r} is out of range [{setting.lo:g}, {setting.hi:g}]")
    return number


def default_config() -> dict[str, Any]:
    """The built-in defaults (the same values ``alerts.toml`` ships)."""
    return validate_config({})


def validate_config(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults overlaid with ``raw``; raises ``AlertConfigError`` naming the first bad key."""
    config: dict[str, Any] = {}
    for name in raw:
        if name not in SCHEMA and name != "rules":
            raise AlertConfigError(f"{name}: unknown section (known: {', '.join([*SCHEMA, 'rules'])})")
    for section, settings in SCHEMA.items():
        given = raw.get(section, {})
        if not isinstance(given, Mapping):
            raise AlertConfigError(f"{section}: expected a table")
        for key in given:
            if key not in settings:
                raise AlertConfigError(f"{section}.{key}: unknown key (known: {', '.join(settings)})")
        config[section] = {
            key: _check(f"{section}.{key}", s, given[key] if key in given else deepcopy(s.default))
            for key, s in settings.items()
        }
    general = config["general"]
    if DAY_SECONDS % general["bucket"]:
        raise AlertConfigError(f"general.bucket: {general['bucket']} s does not divide a day evenly")
    for label in config["status"]["classes"]:
        if not STATUS_LABEL.match(label):
            raise AlertConfigError(f"status.classes: {label!r} is neither a class like '5xx' nor a code like '404'")
    rules = raw.get("rules", [dict(r) for r in DEFAULT_RULES])
    if not isinstance(rules, list):
        raise AlertConfigError("rules: expected an array of tables ([[rules]])")
    config["rules"] = [_check_rule(i, r) for i, r in enumerate(rules)]
    return config


def _check_rule(i: int, raw: Any) -> dict[str, Any]:
    prefix = f"rules[{i}]"
    if not isinstance(raw, Mapping):
        raise AlertConfigError(f"{prefix}: expected a table")
    for key in raw:
        if key not in RULE_SCHEMA:
            raise AlertConfigError(f"{prefix}.{key}: unknown key (known: {', '.join(RULE_SCHEMA)})")
    if "expr" not in raw:
        raise AlertConfigError(f"{prefix}.expr: missing")
    rule = {key: _check(f"{prefix}.{key}", s, raw.get(key, s.default)) for key, s in RULE_SCHEMA.items()}
    rule.update(parse_rule(rule["expr"], f"{prefix}.expr"))
    rule["name"] = rule["name"] or rule["expr"].strip()
    return rule


def parse_rule(expr: str, key: str = "expr") -> dict[str, Any]:
    """``'5xx_rate > 5% for 10m'`` → metric, op, value (shares as fractions), duration in seconds (0: one bucket)."""
    match = RULE_PATTERN.match(expr)
    if not match:
        raise AlertConfigError(f"{key}: {expr!r} is not '<metric> <op> <value>[%] [for <duration>]'")
    metric, value = match["metric"], float(match["value"])
    if metric not in RULE_METRICS:
        raise AlertConfigError(f"{key}: unknown metric {metric!r} (known: {', '.join(RULE_METRICS)})")
    is_share = RULE_METRICS[metric][1] is not None
    if match["pct"]:
        if not is_share:
            raise AlertConfigError(f"{key}: {metric} is a count, a percentage makes no sense")
        value /= 100
    if is_share and not 0 <= value <= 1:
        raise AlertConfigError(f"{key}: a share must be within 0..1 (or 0..100%), got {match['value']}")
    duration = parse_duration(match["dur"], key) if match["dur"] else 0
    return {"metric": metric, "op": match["op"], "value": value, "duration": duration}


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    """Read and validate an alerts TOML file (None: the shipped ``alerts.toml``)."""
    path = Path(path) if path is not None else DEFAULT_CONFIG_PATH
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise AlertConfigError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise AlertConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        return validate_config(raw)
    except AlertConfigError as exc:
        raise AlertConfigError(f"{path}: {exc}") from exc
