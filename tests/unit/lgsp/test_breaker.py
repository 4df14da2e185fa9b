"""A partner that keeps failing is probed one job at a time, and flows again on success."""

from __future__ import annotations

from services.lgsp.domain.breaker import PartnerBreaker
from shared.kit.backoff import Backoff


def test_three_failures_open_the_breaker_and_only_one_probe_goes_after_the_delay() -> None:
    breaker = PartnerBreaker(Backoff(base_s=5, max_s=60), threshold=3)
    for _ in range(2):
        breaker.failed("p", now=100.0)
    assert breaker.allows("p", 100.0, in_flight=1)  # still closed: sends as usual
    breaker.failed("p", now=100.0)
    assert breaker.is_open("p")
    assert not breaker.allows("p", 100.0, in_flight=0)  # wait for the probe time
    probe = breaker.probe_at("p")
    assert probe is not None and 102.5 <= probe <= 105.0
    assert breaker.allows("p", probe, in_flight=0)
    assert not breaker.allows("p", probe, in_flight=1)  # one probe at a time


def test_a_success_closes_it_and_says_the_backlog_may_go() -> None:
    breaker = PartnerBreaker(Backoff(base_s=5, max_s=60), threshold=2)
    breaker.failed("p", 0.0)
    breaker.failed("p", 0.0)
    assert breaker.succeeded("p") is True
    assert breaker.allows("p", 0.0, in_flight=1) and breaker.probe_at("p") is None
    assert breaker.succeeded("p") is False


def test_partners_are_independent() -> None:
    breaker = PartnerBreaker(Backoff(base_s=5, max_s=60), threshold=1)
    breaker.failed("down", 0.0)
    assert not breaker.allows("down", 0.0, in_flight=0)
    assert breaker.allows("healthy", 0.0, in_flight=0)
