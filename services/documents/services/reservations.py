"""Step 2 of numbering (docs/architecture.md §5), shared by issuance and the registration of
incoming documents: the next number of a register book, reserved for one document.

The counter is created once per process; reservations of one register are made one at a time
per process (a process does not race itself; replicas still race safely through the
counter's compare-and-set).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from services.documents.domain.numbering import counter_id, first_number
from services.documents.repositories.counters import CounterRepository, NoLongerIssuing
from shared.kit.types import Doc


class RegisterReservations:
    def __init__(self, counters: CounterRepository, register_starts: dict[str, int]) -> None:
        self._counters = counters
        self._register_starts = register_starts
        self._locks: dict[str, asyncio.Lock] = {}
        self._ensured: set[str] = set()

    async def reserve(
        self,
        issuer: str,
        book: str,
        year: int,
        document_id: str,
        still_waiting: Callable[[], Awaitable[bool]],
    ) -> Doc | None:
        """The reservation ``{number, document_id, at}`` of ``document_id`` in the register
        ``issuer:book:year`` (the one it holds already, if any); None once
        ``still_waiting`` says the document was numbered meanwhile."""
        cid = counter_id(issuer, book, year)
        if cid not in self._ensured:
            start = first_number(self._register_starts, issuer, book, year)
            await self._counters.ensure(cid, start)
            self._ensured.add(cid)
        try:
            async with self._locks.setdefault(cid, asyncio.Lock()):
                return await self._counters.reserve(cid, document_id, still_waiting)
        except NoLongerIssuing:
            return None
