"""Optimistic concurrency: ETag = the resource's version; writes must send If-Match."""

from __future__ import annotations

from shared.http.problems import ProblemError


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
    if not value.isdigit():
        raise ProblemError(412, "If-Match does not name a version of this resource")
    return int(value)


def stale(current_version: int) -> ProblemError:
    return ProblemError(
        412,
        "the resource changed since you read it; read it again",
        headers={"ETag": etag(current_version)},
        current_version=current_version,
    )
