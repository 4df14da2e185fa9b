"""Cursor pagination: ?limit= (default 50, max 200) and an opaque ?cursor=."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from fastapi import Query

from shared.http.problems import ProblemError

Limit = Annotated[int, Query(ge=1, le=200, description="page size")]
Cursor = Annotated[str | None, Query(max_length=500, description="opaque cursor")]


def encode_cursor(position: dict[str, Any]) -> str:
    raw = json.dumps(position, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# A stored number is a signed 64-bit integer: a cursor must not carry a larger one to the database.
MAX_CURSOR_INT = 2**63 - 1


def _bounded_int(text: str) -> int:
    value = int(text)
    if abs(value) > MAX_CURSOR_INT:
        raise ValueError("integer out of range")
    return value


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not a cursor value")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode())
        value = json.loads(raw, parse_int=_bounded_int, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProblemError(400, "the cursor is not valid") from exc
    if not isinstance(value, dict):
        raise ProblemError(400, "the cursor is not valid")
    return value
