"""UTC time at millisecond precision: what MongoDB stores, so stored values compare equal."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    now = dt.datetime.now(dt.UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def as_utc(at: dt.datetime) -> dt.datetime:
    """A stored time, aware: clients without ``tz_aware`` read naive UTC datetimes."""
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)
