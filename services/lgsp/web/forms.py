"""Reading the console's forms and query strings: plain functions, no I/O.

Forms arrive as text; what they hold is checked by the same request models as the JSON API
(``api/schemas.py``) or by the use case itself, so a page accepts exactly what the API does.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import ValidationError

from shared.kit.errors import Invalid
from shared.web.times import VN_TZ, local_text

# Staff read and type times in Vietnam's time (``VN_TZ``).
LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends
MAX_QUERY_VALUE = 500
_LIST_SEPARATORS = re.compile(r"[\n,;]+")
E = TypeVar("E", bound=StrEnum)


class ConsoleInputInvalid(Invalid):
    """A form field or query value the console cannot read."""


def text(values: Mapping[str, Any], name: str, max_length: int = MAX_QUERY_VALUE) -> str | None:
    """A trimmed text field; None when absent or empty; refused when too long."""
    raw = values.get(name)
    if not isinstance(raw, str):
        return None
    value = raw.strip()
    if not value:
        return None
    if len(value) > max_length:
        raise ConsoleInputInvalid(f"{name} is longer than {max_length} characters", field=name)
    return value


def listed(value: str | None) -> list[str]:
    """A list typed one per line (or separated by commas): empty entries dropped, order kept,
    duplicates once."""
    if not value:
        return []
    seen: dict[str, None] = {}
    for part in _LIST_SEPARATORS.split(value):
        item = part.strip()
        if item:
            seen.setdefault(item, None)
    return list(seen)


def local_time(value: str | None, field: str) -> dt.datetime | None:
    """A ``datetime-local`` value typed in Vietnam's time, as UTC."""
    if value is None:
        return None
    try:
        parsed = dt.datetime.strptime(value[:16], LOCAL_INPUT)
        # The first hours of year 1 have no UTC time: the calendar starts there.
        return parsed.replace(tzinfo=VN_TZ).astimezone(dt.UTC)
    except (ValueError, OverflowError) as exc:
        raise ConsoleInputInvalid(
            f"{field}: not a date and time (YYYY-MM-DDTHH:MM)", field=field
        ) from exc


def local_input(at: dt.datetime) -> str:
    """A stored time as a ``datetime-local`` value in Vietnam's time."""
    stamp = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    return stamp.astimezone(VN_TZ).strftime(LOCAL_INPUT)


def shown(value: object) -> str:
    """A stored time as staff read it: local date and time, to the second."""
    return local_text(value, seconds=True)


def choice(kind: type[E], value: str | None, field: str, what: str) -> E | None:
    """One of ``kind``'s values typed in a query, or None when absent."""
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError as exc:
        raise ConsoleInputInvalid(f"no {what} {value}", field=field) from exc


def changed(current: Mapping[str, Any], submitted: Mapping[str, Any]) -> dict[str, Any]:
    """The submitted fields that differ from the stored ones: an edit that leaves the webhook
    URL as it is must not count as a new endpoint (which would re-enable a disabled one)."""
    return {k: v for k, v in submitted.items() if current.get(k) != v}


def problems(exc: ValidationError) -> list[str]:
    """A request model's refusal as one line per field."""
    lines = []
    for error in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "__root__")
        message = str(error.get("msg", "invalid"))
        lines.append(f"{where}: {message}" if where else message)
    return lines
