"""The query bar's language: a line of text ⇄ the same ``Filter`` list the chips and the URL hold.

    status:5xx country:US path~^/api -bot browser:"Mobile Safari" ip:10.0.0.0/8 path:*login*

- ``field:value`` is ``is``; ``-field:value`` is ``not``; ``field~pattern`` is ``regex``; ``field:*text*`` is
  ``contains`` (the text between the stars may be quoted: ``path:*"two words"*``).
- A value is bare (up to the next space) or double-quoted, with ``\\"`` and ``\\\\`` inside quotes. A quoted
  value is literal: ``path:"*"`` is a path equal to ``*``.
- ``bot`` keeps only bots, ``-bot`` drops them (``bots:include|exclude|only`` is the long form).
- ``kind:pageview`` keeps page views (what the sidebar's page-views switch counts); ``kind:page|asset|other``
  a kind of request, ``-kind:asset`` all but one (``analysis.pages`` classifies).
- Terms are combined with AND, like the chips. Fields and operators are those of ``filters.FIELDS``, checked
  by ``check_filter``, so the bar accepts exactly what a chip or a URL parameter accepts.

A query that cannot be read is a ``QueryError`` whose ``position`` is the 0-based offset of the culprit.
"""

from __future__ import annotations

from collections.abc import Iterable

from dashboard.analysis.filters import FIELDS, Filter, FilterError, check_filter

BOT_WORDS = {"bot": "only", "-bot": "exclude", "bots": "only", "-bots": "exclude"}
BOT_TERMS = {"only": "bot", "exclude": "-bot"}
QUOTE = '"'
ESCAPE = "\\"
WILDCARD = "*"


class QueryError(FilterError):
    """A query the bar cannot read, with the 0-based position of the culprit."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.reason = message
        self.position = position


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """The value of the quoted string opening at ``start`` and the offset just after its closing quote."""
    out: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == ESCAPE and i + 1 < len(text) and text[i + 1] in (QUOTE, ESCAPE):
            out.append(text[i + 1])
            i += 2
        elif char == QUOTE:
            return "".join(out), i + 1
        else:
            out.append(char)
            i += 1
    raise QueryError("unclosed quote", start)


def _read_value(text: str, start: int) -> tuple[str, bool, int]:
    """(value, quoted, end) of the value at ``start``: quoted, or bare up to the next space."""
    if start < len(text) and text[start] == QUOTE:
        value, end = _read_quoted(text, start)
        return value, True, end
    end = start
    while end < len(text) and not text[end].isspace():
        if text[end] == QUOTE:
            raise QueryError("a quote inside a value: quote the whole value", end)
        end += 1
    return text[start:end], False, end


def _read_contains(text: str, start: int) -> tuple[str, int]:
    """``*text*`` or ``*"text"*`` from ``start`` (the first star): the text and the end offset."""
    if start + 1 < len(text) and text[start + 1] == QUOTE:
        value, end = _read_quoted(text, start + 1)
        if end >= len(text) or text[end] != WILDCARD:
            raise QueryError('a contains value ends with a star: *"text"*', end)
        end += 1
    else:
        raw, _, end = _read_value(text, start)
        if len(raw) < 3 or not raw.endswith(WILDCARD):
            raise QueryError("a contains value reads *text* (a star at both ends, text between)", start)
        value = raw[1:-1]
    if end < len(text) and not text[end].isspace():
        raise QueryError("a space is missing after this value", end)
    return value, end


def _term(text: str, start: int) -> tuple[Filter, int]:
    """The filter of the term at ``start`` and the offset just after it."""
    end = start
    while end < len(text) and not text[end].isspace() and text[end] not in ":~" + QUOTE:
        end += 1
    word = text[start:end]
    if word.lower() in BOT_WORDS and (end == len(text) or text[end].isspace()):
        return Filter("bots", "is", BOT_WORDS[word.lower()]), end
    if not word.lstrip("-"):
        raise QueryError("a term starts with a field name, e.g. status:5xx", start)
    negated = word.startswith("-")
    name = word[1:] if negated else word
    if end == len(text) or text[end] not in ":~":
        raise QueryError(f"{word!r} is not a filter: write field:value (fields: {', '.join(FIELDS)})", start)
    if name not in FIELDS:
        raise QueryError(f"unknown field {name!r} (one of {', '.join(FIELDS)})", start + negated)
    sign, value_at = text[end], end + 1
    if sign == "~":
        op = "regex"
        if negated:
            raise QueryError(f"-{name}~ is not supported: a regex filter cannot be negated", start)
        value, _, stop = _read_value(text, value_at)
    elif value_at < len(text) and text[value_at] == WILDCARD and text[value_at:].split(None, 1)[0] != WILDCARD:
        op = "contains"
        if negated:
            raise QueryError(f"-{name}:*…* is not supported: a contains filter cannot be negated", start)
        value, stop = _read_contains(text, value_at)
    else:
        op = "not" if negated else "is"
        value, quoted, stop = _read_value(text, value_at)
        if not value and not quoted:
            raise QueryError(f'{name} needs a value after {sign!r} ("" for an empty one)', value_at)
    try:
        return check_filter(Filter(name, op, value)), stop
    except FilterError as exc:
        raise QueryError(str(exc), value_at) from None


def parse_query(text: str) -> list[Filter]:
    """The filters a query line names, in order, duplicates dropped; ``QueryError`` at the first bad term."""
    filters: list[Filter] = []
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        f, i = _term(text, i)
        if i < len(text) and not text[i].isspace():
            raise QueryError("a space is missing after this value", i)
        if f not in filters:
            filters.append(f)
    return filters


def _needs_quotes(value: str) -> bool:
    """Whether a bare value would read back as something else."""
    return not value or any(c.isspace() or c in (QUOTE, ESCAPE) for c in value) or value.startswith(WILDCARD)


def _quote(value: str) -> str:
    """``value`` as a double-quoted string."""
    return QUOTE + value.replace(ESCAPE, ESCAPE * 2).replace(QUOTE, ESCAPE + QUOTE) + QUOTE


def _value(value: str) -> str:
    return _quote(value) if _needs_quotes(value) else value


def format_term(f: Filter) -> str:
    """One filter as the bar writes it."""
    if f.field == "bots" and f.value in BOT_TERMS:
        return BOT_TERMS[f.value]
    if f.op == "regex":
        return f"{f.field}~{_value(f.value)}"
    if f.op == "contains":
        inner = _quote(f.value) if _needs_quotes(f.value) or f.value.endswith(WILDCARD) else f.value
        return f"{f.field}:{WILDCARD}{inner}{WILDCARD}"
    prefix = "-" if f.op == "not" else ""
    return f"{prefix}{f.field}:{_value(f.value)}"


def format_query(filters: Iterable[Filter]) -> str:
    """Filters → the query line that reads back as the same filters."""
    return " ".join(format_term(f) for f in filters)
