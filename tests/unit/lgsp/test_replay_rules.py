"""The rules of a replay job: the window's limit, overlap, and the walk in bounded batches."""

from __future__ import annotations

import datetime as dt

from services.lgsp.domain.replays import (
    ReplayCursor,
    ReplayWindow,
    minute_key,
    minutes_in,
    next_minutes,
    take_batch,
    window_problem,
)

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
WEEK = 7 * 86400.0


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_a_window_is_refused_when_empty_reversed_or_longer_than_the_limit() -> None:
    assert window_problem(at(0), at(0), WEEK) == "the window must end after it starts"
    assert window_problem(at(5), at(0), WEEK) is not None
    assert window_problem(at(0), at(7 * 24 * 60), WEEK) is None
    long = window_problem(at(0), at(7 * 24 * 60 + 1), WEEK)
    assert long is not None and "at most 7 days" in long
    ancient = window_problem(
        dt.datetime(1177, 7, 1, tzinfo=dt.UTC), dt.datetime(4906, 10, 14, tzinfo=dt.UTC), WEEK
    )
    assert ancient is not None and "1,362,094 days" in ancient


def test_windows_overlap_in_time_for_the_same_partners() -> None:
    everyone = ReplayWindow(at(0), at(60), None)
    assert everyone.overlaps(ReplayWindow(at(59), at(90), "p1"))
    assert not everyone.overlaps(ReplayWindow(at(60), at(90), None))  # [start, end)
    assert ReplayWindow(at(0), at(60), "p1").overlaps(ReplayWindow(at(10), at(20), "p1"))
    assert not ReplayWindow(at(0), at(60), "p1").overlaps(ReplayWindow(at(10), at(20), "p2"))


def test_the_walk_covers_each_minute_once_in_batches_of_at_most_the_size() -> None:
    until = at(5)
    assert minutes_in(at(0.5), until) == 5 and minutes_in(until, at(0)) == 0
    buckets = {minute_key(at(0)): ["c", "a", "b"], minute_key(at(3)): ["d", "e"]}
    cursor: ReplayCursor | None = ReplayCursor(at(0))
    seen: list[str] = []
    batches = 0
    while cursor is not None:
        minutes = next_minutes(cursor, until, 2)
        batch = take_batch(cursor, minutes, buckets, until, size=2)
        assert len(batch.ids) <= 2
        seen += batch.ids
        batches += 1
        assert batches < 10
        cursor = batch.after
    assert seen == ["a", "b", "c", "d", "e"]  # sorted within a minute, minutes in order


def test_a_batch_resumes_inside_a_minute_where_the_last_one_stopped() -> None:
    buckets = {minute_key(at(0)): ["a", "b", "c"]}
    first = take_batch(ReplayCursor(at(0)), [at(0), at(1)], buckets, at(2), size=2)
    assert first.ids == ["a", "b"] and first.after == ReplayCursor(at(0), 2)
    assert first.after is not None
    rest = take_batch(first.after, [at(0), at(1)], buckets, at(2), size=2)
    assert rest.ids == ["c"] and rest.after is None
