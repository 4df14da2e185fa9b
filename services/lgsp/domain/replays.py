"""Replay of a time window: the rules of a replay job, without I/O.

A replay re-sends the events received in ``[start, end)``. It runs as a job that walks the
window's minutes in order (received events are indexed by the minute of their time), a
bounded batch at a time, and remembers where it is (``ReplayCursor``), so a replica that dies
leaves a job another one resumes. Two replays that could send the same event to the same
partner never run at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from shared.kit.clock import as_utc

KEY_FORMAT = "%Y%m%d%H%M"  # the minute keys of the event index (repositories.buckets)


class ReplayState:
    RUNNING = "running"
    DONE = "done"


@dataclass(frozen=True)
class ReplayWindow:
    start: dt.datetime
    end: dt.datetime
    partner_id: str | None

    def overlaps(self, other: ReplayWindow) -> bool:
        """Could both replays re-send one event to one partner?"""
        same_partners = (
            self.partner_id is None
            or other.partner_id is None
            or self.partner_id == other.partner_id
        )
        return same_partners and self.start < other.end and other.start < self.end

    def as_doc(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "partner_id": self.partner_id}

    @classmethod
    def of(cls, doc: dict[str, Any]) -> ReplayWindow:
        return cls(as_utc(doc["start"]), as_utc(doc["end"]), doc.get("partner_id"))


def window_problem(start: dt.datetime, end: dt.datetime, max_window_s: float) -> str | None:
    """Why a replay of ``[start, end)`` is refused, or None."""
    if end <= start:
        return "the window must end after it starts"
    span = end - start
    if span.total_seconds() > max_window_s:
        return (
            f"a replay window is at most {_duration(max_window_s)}; this one spans "
            f"{_duration(span.total_seconds())}: replay it in several windows, one after the other"
        )
    return None


def _duration(seconds: float) -> str:
    if seconds >= 86400:
        days = seconds / 86400
        return f"{days:,.0f} days" if days >= 10 else f"{days:g} days"
    if seconds >= 3600:
        return f"{seconds / 3600:g} hours"
    return f"{seconds:g} seconds"


def floor_minute(at: dt.datetime) -> dt.datetime:
    return as_utc(at).replace(second=0, microsecond=0)


def minute_key(at: dt.datetime) -> str:
    return as_utc(at).strftime(KEY_FORMAT)


def walked_until(window: ReplayWindow, asked_at: dt.datetime) -> dt.datetime:
    """The end of what the job walks: events not yet received when it was asked are not
    part of the replay (new events are delivered anyway)."""
    return min(as_utc(window.end), as_utc(asked_at))


def minutes_in(start: dt.datetime, until: dt.datetime) -> int:
    """How many minute keys the walk from ``start`` to ``until`` (exclusive) visits."""
    if until <= start:
        return 0
    first = floor_minute(start)
    last = floor_minute(until - dt.timedelta(microseconds=1))
    return int((last - first).total_seconds() // 60) + 1


@dataclass(frozen=True)
class ReplayCursor:
    """Where a job stands: the next minute to read and how many ids of it are done."""

    minute: dt.datetime
    offset: int = 0

    def as_doc(self) -> dict[str, Any]:
        return {"minute": self.minute, "offset": self.offset}

    @classmethod
    def of(cls, doc: dict[str, Any]) -> ReplayCursor:
        return cls(as_utc(doc["minute"]), int(doc.get("offset", 0)))


def next_minutes(cursor: ReplayCursor, until: dt.datetime, count: int) -> list[dt.datetime]:
    """Up to ``count`` minutes from the cursor's, before ``until``."""
    out: list[dt.datetime] = []
    at = cursor.minute
    while at < until and len(out) < count:
        out.append(at)
        at += dt.timedelta(minutes=1)
    return out


@dataclass(frozen=True)
class Batch:
    """The ids of one batch in walk order, and the cursor after it (None: window done)."""

    ids: list[str]
    after: ReplayCursor | None


def take_batch(
    cursor: ReplayCursor,
    minutes: list[dt.datetime],
    buckets: dict[str, list[str]],
    until: dt.datetime,
    size: int,
) -> Batch:
    """At most ``size`` event ids from ``cursor`` on, over ``minutes`` (read from the index
    as ``buckets`` by minute key); ids within a minute in sorted order, so a resumed job
    continues exactly where the last one stopped."""
    ids: list[str] = []
    for minute in minutes:
        bucket = sorted(set(buckets.get(minute_key(minute), [])))
        offset = cursor.offset if minute == cursor.minute else 0
        room = size - len(ids)
        ids += bucket[offset : offset + room]
        if offset + room < len(bucket):
            return Batch(ids, ReplayCursor(minute, offset + room))
    following = (minutes[-1] if minutes else cursor.minute) + dt.timedelta(minutes=1)
    return Batch(ids, ReplayCursor(following) if following < until else None)


def progress(minutes_done: int, minutes_total: int) -> float:
    if minutes_total <= 0:
        return 1.0
    return min(1.0, minutes_done / minutes_total)
