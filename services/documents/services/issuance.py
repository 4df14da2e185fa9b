"""Issuance: a unique, gapless number, a signature and the events, without transactions.

Steps (each is one atomic write; a crash between any two is completed by ``recover`` and
the documents' pending-marker sweep):
1. the document moves approved → issuing, recording book, year and signer;
2. the counter advances AND records the reservation {number, document_id} in one update;
3. number, notation, signature, state=issued, the audit entry and the events go onto the
   document, which also takes the relay's lease;
4. then, concurrently: the reservation is cleared (and the register entry written), the
   audit entry is chained, the events are published.
Round trips of one issuance: read, marker + write (1), read + compare-and-set (2), marker +
write (3), then three concurrent groups (4): about ten, none of which reads history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.documents.domain.document import search_key
from services.documents.domain.incoming import INCOMING_BOOK
from services.documents.domain.lifecycle import NUMBERED_STATES, Action, State
from services.documents.domain.numbering import (
    book_for,
    book_of,
    counter_id,
    local_date,
    notation,
    register_year,
)
from services.documents.domain.organisation import Organisation
from services.documents.domain.publication import (
    is_dispatchable,
    is_public,
    on_issue,
    signed_document,
)
from services.documents.errors import InvalidInput
from services.documents.repositories.counters import CounterRepository
from services.documents.repositories.documents import DocumentRepository
from services.documents.services.access import prepare
from services.documents.services.audit import AuditTrail
from services.documents.services.reservations import RegisterReservations
from services.documents.services.signing_keys import KeyRing
from services.documents.services.unit_of_work import UnitOfWork
from shared.auth.principal import Principal
from shared.contracts.vocabulary import Confidentiality, DocumentType
from shared.kit.clock import as_utc, utcnow
from shared.kit.types import Doc
from shared.logging import get_logger
from shared.metrics import NUMBERING_OLDEST_RESERVATION, NUMBERING_RESERVATIONS
from shared.signing import signature_for

log = get_logger(__name__)


class IssuanceService:
    def __init__(
        self,
        documents: DocumentRepository,
        counters: CounterRepository,
        reservations: RegisterReservations,
        keys: KeyRing,
        trail: AuditTrail,
        uow: UnitOfWork,
        org: Organisation,
    ) -> None:
        self._documents = documents
        self._counters = counters
        self._reservations = reservations
        self._keys = keys
        self._trail = trail
        self._uow = uow
        self._org = org

    async def issue(
        self,
        principal: Principal,
        document_id: str,
        version: int,
        signer: dict[str, Any] | None = None,
    ) -> Doc:
        """Number, sign and issue; ``signer`` (as JSON) overrides the draft's."""
        doc = await prepare(self._documents, principal, document_id, Action.ISSUE, version)
        signer = signer or doc.get("signer")
        if not signer:
            raise InvalidInput("name the signer (signer.name, signer.position) to issue", "signer")
        now = utcnow()
        intent = {
            "started_at": now,
            "by": principal.user,
            "book": book_for(
                DocumentType(doc["doc_type"]), Confidentiality(doc["confidentiality"])
            ),
            "year": register_year(now),
            "issue_date": local_date(now).isoformat(),
            "signer": signer,
        }
        marking = self._uow.change(doc).set(state=State.ISSUING.value, issue=intent, signer=signer)
        return await self.complete(await self._uow.write(marking))

    async def complete(self, doc: Doc) -> Doc:
        """Finish an issuance from wherever it stopped (safe to run twice, or concurrently)."""
        intent = doc["issue"]
        issuer, book, year = str(doc["issuer_code"]), str(intent["book"]), int(intent["year"])
        document_id = str(doc["_id"])

        async def still_issuing() -> bool:
            fresh = await self._documents.get(document_id)
            return fresh is not None and fresh["state"] == State.ISSUING.value

        reservation = await self._reservations.reserve(
            issuer, book, year, document_id, still_issuing
        )
        if reservation is None:
            finished = await self._documents.get(document_id)
            assert finished is not None
            return finished
        cid = counter_id(issuer, book, year)
        issued = await self._write_issued(doc, int(reservation["number"]))
        await self._uow.settle(issued, self._counters.clear(cid, reservation))
        return issued

    async def _write_issued(self, doc: Doc, number: int) -> Doc:
        while True:
            if doc["state"] != State.ISSUING.value:
                if doc.get("number") == number and State(doc["state"]) in NUMBERED_STATES:
                    return doc  # a concurrent recovery finished it
                raise RuntimeError(f"document {doc['_id']} cannot take number {number}")
            updated = await self._try_write(doc, number)
            if updated is not None:
                return updated
            fresh = await self._documents.get(str(doc["_id"]))
            if fresh is None:  # pragma: no cover - documents are never deleted
                raise RuntimeError(f"document {doc['_id']} vanished")
            doc = fresh

    async def _try_write(self, doc: Doc, number: int) -> Doc | None:
        intent = doc["issue"]
        year = int(intent["year"])
        issue_date = dt.date.fromisoformat(intent["issue_date"])
        text = notation(
            number,
            DocumentType(doc["doc_type"]),
            str(doc["issuer_code"]),
            str(doc["drafting_unit"]),
            year,
        )
        signed = signed_document(
            doc, self._org, number=number, notation=text, year=year, issue_date=issue_date
        )
        key = self._keys.current
        now = utcnow()
        # Both forms: the JWS that JOSE libraries verify, and the original one (§10).
        signature = signature_for(signed, key.private, key.kid, now)
        change = (
            self._uow.change(doc)
            .set(
                state=State.ISSUED.value,
                number=number,
                notation=text,
                book=intent["book"],
                year=year,
                issue_date=intent["issue_date"],
                issued_at=now,
                updated_at=now,
                signed=signed.model_dump(mode="json"),
                signature=signature.model_dump(mode="json"),
                published=is_public(doc),
                dispatched=is_dispatchable(doc),
                search=search_key(str(doc["subject"]), text),
            )
            .audit(
                str(intent["by"]),
                Action.ISSUE.value,
                from_state=State.APPROVED.value,
                to_state=State.ISSUED.value,
                reason=f"number {text}",
            )
            .emit(on_issue(doc, int(doc["version"]) + 1, signed, signature, now))
        )
        # Guarded by the state the document was read in: issuing.
        return await self._uow.try_write(change)

    async def recover(self, grace_s: float = 0.0) -> int:
        """Complete every reservation left behind by a crash; returns how many were touched.

        Counters are few (one per issuer, book and year). A document left in ``issuing``
        before it reserved a number is found by the documents' pending-marker sweep.
        """
        cutoff = utcnow() - dt.timedelta(seconds=grace_s)
        touched = 0
        counters = await self._counters.with_reservations()
        _report_reservations(counters)
        for counter in counters:
            if book_of(str(counter["_id"])) == INCOMING_BOOK:
                continue  # arrival numbers: the incoming registration recovers them
            for reservation in list(counter.get("reservations", [])):
                if reservation["at"] > cutoff:
                    continue
                doc = await self._documents.get(str(reservation["document_id"]))
                if doc is None:
                    log.error("issuance.orphan_reservation", reservation=str(reservation))
                    continue
                if doc["state"] == State.ISSUING.value:
                    await self.complete(doc)
                elif doc.get("number") == reservation["number"]:
                    await self._counters.clear(str(counter["_id"]), reservation)
                    await self._trail.flush(doc)
                touched += 1
        return touched


def _report_reservations(counters: list[Doc]) -> None:
    """Open reservations of every book (issuance and arrival), read by the recovery anyway."""
    times = [as_utc(r["at"]) for c in counters for r in c.get("reservations", [])]
    NUMBERING_RESERVATIONS.set(len(times))
    oldest = (utcnow() - min(times)).total_seconds() if times else 0.0
    NUMBERING_OLDEST_RESERVATION.set(max(0.0, oldest))
