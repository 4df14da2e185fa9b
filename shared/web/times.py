"""Times as staff read them: Vietnam's local time (UTC+7 all year, no daylight saving)."""

from __future__ import annotations

import datetime as dt

VN_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")
TIME = "%d/%m/%Y %H:%M"
TIME_SECONDS = "%d/%m/%Y %H:%M:%S"


def local_text(value: object, *, seconds: bool = False) -> str:
    """A stored time (or its ISO text) as the reader's local date and time; a date alone as
    a date; anything else as it is."""
    if isinstance(value, str):
        try:
            return local_text(_parsed(value), seconds=seconds)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return stamp.astimezone(VN_TZ).strftime(
            "%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M"
        )
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)


def _parsed(text: str) -> dt.date:
    return dt.datetime.fromisoformat(text) if len(text) > 10 else dt.date.fromisoformat(text)


def local_today() -> dt.date:
    """Today in Vietnam: what "overdue" and "due today" are measured against."""
    return dt.datetime.now(VN_TZ).date()
