"""The worker's in-memory schedule of webhook jobs: due times per partner, no I/O.

The store only answers lookups by id cheaply, so the worker keeps the due times itself and
wakes exactly when the next job is due. Jobs are kept per partner: a partner whose slots
are full, throttled or parked is skipped as a whole, and the others' jobs go first.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    job_id: str
    partner_id: str
    priority: int
    due: float  # unix seconds
    gen: int


class Schedule:
    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        # Per partner: not yet due (due, gen, id) and due (-priority, due, gen, id).
        self._waiting: dict[str, list[tuple[float, int, str]]] = {}
        self._ready: dict[str, list[tuple[int, float, int, str]]] = {}
        self._gen = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, job_id: str) -> bool:
        return job_id in self._entries

    def put(self, job_id: str, partner_id: str, priority: int, due: float) -> None:
        """Add a job or move it to a new due time (the newest call wins)."""
        old = self._entries.get(job_id)
        if old is not None and old.partner_id != partner_id:
            self.drop(job_id)
        self._gen += 1
        entry = Entry(job_id, partner_id, priority, due, self._gen)
        self._entries[job_id] = entry
        heapq.heappush(self._waiting.setdefault(partner_id, []), (due, entry.gen, job_id))

    def drop(self, job_id: str) -> None:
        self._entries.pop(job_id, None)  # heap items go stale and are skipped

    def _live(self, job_id: str, gen: int) -> Entry | None:
        entry = self._entries.get(job_id)
        return entry if entry is not None and entry.gen == gen else None

    def promote(self, now: float) -> None:
        """Move every job whose time has come to its partner's ready queue."""
        for partner_id, waiting in list(self._waiting.items()):
            while waiting and waiting[0][0] <= now:
                due, gen, job_id = heapq.heappop(waiting)
                entry = self._live(job_id, gen)
                if entry is not None:
                    item = (-entry.priority, due, gen, job_id)
                    heapq.heappush(self._ready.setdefault(partner_id, []), item)
            if not waiting:
                del self._waiting[partner_id]

    def head(self, partner_id: str) -> Entry | None:
        """The most urgent ready job of a partner (stale heap items are dropped here)."""
        ready = self._ready.get(partner_id)
        while ready:
            _, _, gen, job_id = ready[0]
            entry = self._live(job_id, gen)
            if entry is not None:
                return entry
            heapq.heappop(ready)
        self._ready.pop(partner_id, None)
        return None

    def take(self, job_id: str) -> None:
        """The job is being claimed: it leaves the schedule until someone puts it back."""
        self.drop(job_id)

    def best(self, partners: Iterable[str]) -> Entry | None:
        """The most urgent ready job among these partners: priority, then due time."""
        chosen: Entry | None = None
        for partner_id in partners:
            entry = self.head(partner_id)
            if entry is None:
                continue
            if chosen is None or (-entry.priority, entry.due) < (-chosen.priority, chosen.due):
                chosen = entry
        return chosen

    def ready_partners(self) -> list[str]:
        return [p for p in list(self._ready) if self.head(p) is not None]

    def next_due(self, skip: Iterable[str] = ()) -> float | None:
        """When the next waiting job of a partner not in ``skip`` becomes due."""
        skipped = set(skip)
        soonest: float | None = None
        for partner_id, waiting in self._waiting.items():
            if partner_id in skipped:
                continue
            while waiting and self._live(waiting[0][2], waiting[0][1]) is None:
                heapq.heappop(waiting)
            if waiting and (soonest is None or waiting[0][0] < soonest):
                soonest = waiting[0][0]
        return soonest

    def pull_forward(self, partner_id: str, now: float) -> int:
        """Every job of the partner becomes due now (its partner was just fixed)."""
        mine = [e for e in self._entries.values() if e.partner_id == partner_id and e.due > now]
        for entry in mine:
            self.put(entry.job_id, partner_id, entry.priority, now)
        return len(mine)
