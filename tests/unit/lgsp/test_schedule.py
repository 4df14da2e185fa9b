"""The worker's in-memory schedule: due order, priority, per-partner isolation."""

from __future__ import annotations

from services.lgsp.domain.schedule import Schedule


def test_jobs_become_ready_when_due_most_urgent_first_and_per_partner() -> None:
    s = Schedule()
    s.put("a1", "a", priority=0, due=10.0)
    s.put("a2", "a", priority=3, due=12.0)
    s.put("b1", "b", priority=0, due=11.0)
    s.put("b2", "b", priority=0, due=50.0)
    s.promote(5.0)
    assert s.best(["a", "b"]) is None and s.next_due() == 10.0
    s.promote(20.0)
    assert s.ready_partners() == ["a", "b"]
    best = s.best(["a", "b"])
    assert best is not None and best.job_id == "a2"  # priority beats due time
    # A partner left out (full, throttled, parked) never hides the others' jobs.
    only_b = s.best(["b"])
    assert only_b is not None and only_b.job_id == "b1"
    s.take("a2")
    s.take("b1")
    assert s.next_due(skip=["b"]) is None and s.next_due() == 50.0
    head = s.best(["a", "b"])
    assert head is not None and head.job_id == "a1"


def test_a_moved_job_keeps_only_its_newest_time_and_a_fixed_partner_is_due_now() -> None:
    s = Schedule()
    s.put("j", "p", priority=0, due=100.0)
    s.put("j", "p", priority=0, due=200.0)
    s.promote(150.0)
    assert s.best(["p"]) is None and len(s) == 1
    assert s.pull_forward("p", now=160.0) == 1
    s.promote(160.0)
    entry = s.best(["p"])
    assert entry is not None and entry.due == 160.0
    s.drop("j")
    assert s.best(["p"]) is None and "j" not in s
