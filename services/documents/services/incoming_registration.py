"""Registration of an incoming document: a gapless arrival number in the incoming register.

The same machinery as issuance (docs/architecture.md §5), in the register book ``incoming``
of the issuer and the calendar year in Asia/Ho_Chi_Minh; each step is one atomic write:
1. the document moves awaiting registration → registering, recording who, year and date;
2. the counter advances AND records the reservation {number, inbound id} in one update (the
   document is checked to be still registering first, so it never takes a second number);
3. number, accepted, the audit entry and the status 03 go onto the document (guarded by
   version and ``state: registering``), taking the relay's lease;
4. then, concurrently: the register entry is written and the reservation cleared, the audit
   entry chained, the status published, the open set updated.
A crash anywhere is finished by ``recover`` (reservations) or the relay's sweep (a document
left registering before it reserved): no gap, no duplicate. A rejected document never
reaches step 1, so it uses no number.
"""

from __future__ import annotations

import datetime as dt

from services.documents.domain.incoming import (
    INCOMING_BOOK,
    IncomingAction,
    IncomingState,
)
from services.documents.domain.numbering import (
    book_of,
    counter_id,
    format_number,
    local_date,
    register_year,
)
from services.documents.repositories.counters import CounterRepository
from services.documents.repositories.incoming import IncomingRepository
from services.documents.services.incoming_changes import IncomingWriter
from services.documents.services.reservations import RegisterReservations
from shared.contracts.vocabulary import IncomingStatus
from shared.kit.clock import utcnow
from shared.kit.types import Doc
from shared.logging import get_logger

log = get_logger(__name__)


class ArrivalRegistration:
    def __init__(
        self,
        incoming: IncomingRepository,
        counters: CounterRepository,
        reservations: RegisterReservations,
        writer: IncomingWriter,
        issuer: str,
    ) -> None:
        self._incoming = incoming
        self._counters = counters
        self._reservations = reservations
        self._writer = writer
        self._issuer = issuer

    def counter_of(self, year: int) -> str:
        return counter_id(self._issuer, INCOMING_BOOK, year)

    async def start(self, doc: Doc, actor: str, note: str) -> Doc:
        """Step 1, on a document checked to await registration; then the rest."""
        now = utcnow()
        intent = {
            "started_at": now,
            "by": actor,
            "year": register_year(now),
            "date": local_date(now).isoformat(),
            "note": note,
        }
        marking = self._writer.change(doc).set(
            state=IncomingState.REGISTERING.value, registration=intent, updated_at=now
        )
        return await self.complete(await self._writer.write(marking))

    async def complete(self, doc: Doc) -> Doc:
        """Finish a registration from wherever it stopped (safe to run twice, or concurrently)."""
        year = int(doc["registration"]["year"])
        inbound_id = str(doc["_id"])

        async def still_registering() -> bool:
            fresh = await self._incoming.get(inbound_id)
            return fresh is not None and fresh["state"] == IncomingState.REGISTERING.value

        reservation = await self._reservations.reserve(
            self._issuer, INCOMING_BOOK, year, inbound_id, still_registering
        )
        if reservation is None:
            finished = await self._incoming.get(inbound_id)
            assert finished is not None
            return finished
        accepted = await self._write_accepted(doc, int(reservation["number"]))
        await self._writer.settle(
            accepted, self._counters.clear(self.counter_of(year), reservation)
        )
        return accepted

    async def _write_accepted(self, doc: Doc, number: int) -> Doc:
        while True:
            if doc["state"] != IncomingState.REGISTERING.value:
                if (doc.get("arrival") or {}).get("number") == number:
                    return doc  # a concurrent recovery finished it
                raise RuntimeError(f"incoming {doc['_id']} cannot take number {number}")
            intent = doc["registration"]
            now = utcnow()
            note = str(intent.get("note") or "")
            change = (
                self._writer.change(doc)
                .set(
                    state=IncomingState.ACCEPTED.value,
                    arrival={
                        "number": number,
                        "label": format_number(number),
                        "book": INCOMING_BOOK,
                        "year": int(intent["year"]),
                        "date": intent["date"],
                        "by": intent["by"],
                    },
                    accepted_at=now,
                    updated_at=now,
                )
                .audit(
                    str(intent["by"]),
                    IncomingAction.ACCEPT.value,
                    to_state=IncomingState.ACCEPTED.value,
                    reason=f"arrival number {format_number(number)}/{intent['year']}"
                    + (f"; {note}" if note else ""),
                )
                .tell_sender(IncomingStatus.ACCEPTED, note, now)
            )
            # The audit entry's from-state is the one before registration began.
            change.entries[-1]["from_state"] = IncomingState.AWAITING_REGISTRATION.value
            written = await self._writer.try_write(change)
            if written is not None:
                return written
            fresh = await self._incoming.get(str(doc["_id"]))
            if fresh is None:  # pragma: no cover - incoming documents are never deleted
                raise RuntimeError(f"incoming {doc['_id']} vanished")
            doc = fresh

    async def recover(self, grace_s: float = 0.0) -> int:
        """Complete every arrival-number reservation a crash left behind; how many touched."""
        cutoff = utcnow() - dt.timedelta(seconds=grace_s)
        touched = 0
        for counter in await self._counters.with_reservations():
            cid = str(counter["_id"])
            if book_of(cid) != INCOMING_BOOK:
                continue  # an outgoing register: issuance recovers it
            for reservation in list(counter.get("reservations", [])):
                if reservation["at"] > cutoff:
                    continue
                doc = await self._incoming.get(str(reservation["document_id"]))
                if doc is None:
                    log.error("incoming.orphan_reservation", reservation=str(reservation))
                    continue
                if doc["state"] == IncomingState.REGISTERING.value:
                    await self.complete(doc)
                elif (doc.get("arrival") or {}).get("number") == reservation["number"]:
                    await self._counters.clear(cid, reservation)
                    await self._writer.flush(doc)
                touched += 1
        return touched
