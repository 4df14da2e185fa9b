"""Helpers shared by the repositories."""

from __future__ import annotations

import datetime as dt
from typing import Any

Doc = dict[str, Any]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """FerretDB and MongoDB keep milliseconds; naive values are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
