"""Optimistic concurrency: ETag = the resource's version; writes must send If-Match."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Path

from shared.http.problems import ProblemError
from shared.kit.types import SHA256_PATTERN

_VERSION = re.compile(r"[0-9]{1,15}")


def etag(version: int) -> str:
    return f'"{version}"'


def required_version(if_match: str | None) -> int:
    """The version a write expects: 428 when missing, 412-worthy values checked by caller."""
    if not if_match:
        raise ProblemError(428, "send If-Match with the ETag you last read")
    value = if_match.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    # ASCII digits, and few enough to fit a stored 64-bit integer.
    if not _VERSION.fullmatch(value):
        raise ProblemError(412, "If-Match does not name a version of this resource")
    return int(value)


def _expected_version(
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=100)] = None,
) -> int:
    return required_version(if_match)


# A write's expected version, from If-Match (428 when missing): the same in every service.
ExpectedVersion = Annotated[int, Depends(_expected_version)]
# An optional Idempotency-Key of a create request.
IdempotencyKeyHeader = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)
]
# A content hash in a path.
Sha256Path = Annotated[str, Path(pattern=SHA256_PATTERN)]
