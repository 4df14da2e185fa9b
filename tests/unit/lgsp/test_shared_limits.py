"""The per-partner limit every replica shares: slots under a lease and a token bucket."""

from __future__ import annotations

from services.lgsp.domain.limits import Limits, LimitState, admit

LIMITS = Limits(concurrency=2, rate_per_s=2.0, burst=3, lease_s=10.0)


def test_no_more_slots_than_the_concurrency_are_handed_out_until_one_is_freed() -> None:
    first = admit(LimitState(), 100.0, "a", LIMITS)
    second = admit(first.state, 100.0, "b", LIMITS)
    third = admit(second.state, 100.0, "c", LIMITS)
    assert first.admitted and second.admitted and not third.admitted
    assert set(second.state.slots) == {"a", "b"}
    assert third.retry_in_s == 10.0
    freed = LimitState({"b": 110.0}, second.state.tokens, second.state.refilled_at)
    assert admit(freed, 100.0, "c", LIMITS).admitted


def test_a_crashed_replicas_slots_expire_with_their_lease() -> None:
    held = LimitState({"lost-1": 105.0, "lost-2": 105.0}, 3.0, 100.0)
    assert not admit(held, 104.0, "x", LIMITS).admitted
    later = admit(held, 105.5, "x", LIMITS)
    assert later.admitted and set(later.state.slots) == {"x"}


def test_the_bucket_allows_a_burst_then_the_rate_and_says_how_long_to_wait() -> None:
    state, results = LimitState(), []
    for slot in "abcd":
        decision = admit(state, 0.0, slot, Limits(10, 2.0, 3, 10.0))
        results.append(decision.admitted)
        state = decision.state
    assert results == [True, True, True, False]
    assert decision.retry_in_s == 0.5
    assert admit(state, 0.5, "e", Limits(10, 2.0, 3, 10.0)).admitted


def test_a_clock_behind_the_last_refill_does_not_take_tokens_away() -> None:
    state = LimitState({}, 1.0, 50.0)
    decision = admit(state, 49.0, "a", LIMITS)
    assert decision.admitted and decision.state.tokens == 0.0 and decision.state.refilled_at == 50.0
