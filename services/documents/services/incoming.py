"""Incoming documents at work: read, list, and the steps of clerks, leaders and handlers.

Every step checks in the order the API promises (invisible → 404, role or unit → 403,
version → 412, state → 409), writes once through ``IncomingWriter`` and reports its status
to the sender: 02 rejected, 03 accepted, 04 assigned, 05 in progress, 06 completed, 15 or
16 for the answer to a recall.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from services.documents.domain.audit import ChainVerdict, verify_chain
from services.documents.domain.files import FileBytes
from services.documents.domain.incoming import (
    CLOSED_STATES,
    STATUS_OF,
    IncomingAction,
    IncomingState,
    RecallStatus,
    StepRefused,
    audit_subject,
    check_step,
    is_open,
)
from services.documents.domain.incoming_access import (
    can_see_incoming,
    level_of,
    may_act,
    may_assign_to,
)
from services.documents.domain.incoming_listing import (
    IncomingFilters,
    day_key,
    matches,
    open_sort_key,
)
from services.documents.domain.numbering import local_date
from services.documents.domain.organisation import Organisation
from services.documents.domain.permissions import can_see, facts
from services.documents.errors import (
    DocumentNotFound,
    InvalidInput,
    NotAllowed,
    StaleVersion,
    WrongState,
)
from services.documents.repositories.audit import AuditRepository
from services.documents.repositories.documents import DocumentRepository
from services.documents.repositories.incoming import IncomingRepository
from services.documents.services.incoming_changes import IncomingWriter
from services.documents.services.incoming_registration import ArrivalRegistration
from shared.auth.principal import Principal
from shared.contracts.vocabulary import Confidentiality, IncomingStatus
from shared.kit.clock import utcnow
from shared.kit.content import ContentStore
from shared.kit.types import Doc

NOT_FOUND = "incoming document"


@dataclass(frozen=True)
class Assignment:
    lead_unit: str
    supporting_units: list[str]
    deadline: dt.date
    handler: str
    note: str = ""  # told to the sender with status 04
    instruction: str = ""  # the leader's instruction to the units: never leaves the ministry


def today() -> dt.date:
    return local_date(utcnow())


class IncomingService:
    def __init__(
        self,
        incoming: IncomingRepository,
        documents: DocumentRepository,
        audit: AuditRepository,
        writer: IncomingWriter,
        registration: ArrivalRegistration,
        content: ContentStore,
        org: Organisation,
    ) -> None:
        self._incoming = incoming
        self._documents = documents
        self._audit = audit
        self._writer = writer
        self._registration = registration
        self._content = content
        self._org = org

    # -- reading ------------------------------------------------------------------------

    async def _visible(self, principal: Principal, inbound_id: str) -> Doc:
        doc = await self._incoming.get(inbound_id)
        if doc is None or not can_see_incoming(principal, doc):
            raise DocumentNotFound(NOT_FOUND)
        return doc

    async def read(self, principal: Principal, inbound_id: str) -> Doc:
        doc = await self._visible(principal, inbound_id)
        if level_of(doc) != Confidentiality.THUONG:
            await self._writer.record_read(principal, doc)
        return doc

    async def download(
        self, principal: Principal, inbound_id: str, attachment_id: str
    ) -> FileBytes:
        doc = await self._visible(principal, inbound_id)
        for item in doc.get("attachments", []):
            if item["attachment_id"] != attachment_id:
                continue
            data = await self._content.get(str(item["sha256"]))
            if data is None:
                raise DocumentNotFound("attachment (not fetched from the LGSP yet)")
            if level_of(doc) != Confidentiality.THUONG:
                await self._writer.record_read(principal, doc, "download")
            return FileBytes(data, str(item["media_type"]), str(item["name"]))
        raise DocumentNotFound("attachment")

    async def trail(self, principal: Principal, inbound_id: str) -> list[Doc]:
        await self._visible(principal, inbound_id)
        return await self._audit.trail(audit_subject(inbound_id))

    async def verify(self, principal: Principal, inbound_id: str) -> ChainVerdict:
        return verify_chain(await self.trail(principal, inbound_id))

    async def listing(
        self,
        principal: Principal,
        filters: IncomingFilters,
        limit: int,
        after: list[Any] | None = None,
        before: str | None = None,
    ) -> tuple[list[Doc], dict[str, Any] | None]:
        """Open documents (no state, or an open one) from the open set, urgent first;
        closed ones (a closed state) from the day buckets, newest first."""
        if filters.state is not None and filters.state in CLOSED_STATES:
            return await self._history(principal, filters, limit, before)
        return await self._open(principal, filters, limit, after)

    async def _open(
        self, principal: Principal, filters: IncomingFilters, limit: int, after: list[Any] | None
    ) -> tuple[list[Doc], dict[str, Any] | None]:
        day = today()

        def wanted(doc: Doc) -> bool:
            return is_open(doc) and can_see_incoming(principal, doc) and matches(doc, filters, day)

        candidates = sorted(
            (e for e in await self._incoming.open_entries() if wanted(e)), key=open_sort_key
        )
        if after is not None:
            candidates = [e for e in candidates if open_sort_key(e) > after]
        page = candidates[:limit]
        docs = await self._incoming.many([str(e["_id"]) for e in page])
        items: list[Doc] = []
        for doc in docs:
            if wanted(doc):
                items.append(doc)
            elif not is_open(doc):
                await self._incoming.sync_open(doc)  # a stale entry: drop it
        more = len(candidates) > limit
        return items, ({"after": open_sort_key(page[-1])} if more else None)

    async def _history(
        self, principal: Principal, filters: IncomingFilters, limit: int, before: str | None
    ) -> tuple[list[Doc], dict[str, Any] | None]:
        day = today()
        last_day = day.isoformat()
        first_day = "1945-01-01"
        if filters.year is not None:
            first_day = f"{filters.year:04d}-01-01"
            last_day = min(last_day, f"{filters.year:04d}-12-31")
        if before is not None:
            last_day = min(last_day, day_key(_stamp_time(before)))

        def wanted(doc: Doc) -> bool:
            return can_see_incoming(principal, doc) and matches(doc, filters, day)

        items, last = await self._incoming.walk_history(
            wanted, before=before, first_day=first_day, last_day=last_day, limit=limit
        )
        return items, ({"before": last} if last else None)

    # -- steps --------------------------------------------------------------------------

    async def _prepare(
        self,
        principal: Principal,
        inbound_id: str,
        action: IncomingAction,
        version: int,
        lead_unit: str | None = None,
    ) -> tuple[Doc, IncomingState]:
        doc = await self._visible(principal, inbound_id)
        if not may_act(principal, action, doc):
            raise NotAllowed(f"you may not {action} this incoming document")
        if lead_unit is not None and not may_assign_to(principal, lead_unit):
            raise NotAllowed("only the leader (approver) of the lead unit assigns to it")
        if int(doc["version"]) != version:
            raise StaleVersion(int(doc["version"]))
        try:
            target = check_step(action, doc)
        except StepRefused as exc:
            raise WrongState(str(exc), state=str(doc["state"]), version=version) from exc
        return doc, target

    async def accept(self, principal: Principal, inbound_id: str, version: int, note: str) -> Doc:
        doc, _ = await self._prepare(principal, inbound_id, IncomingAction.ACCEPT, version)
        return await self._registration.start(doc, principal.user, note)

    async def reject(self, principal: Principal, inbound_id: str, version: int, reason: str) -> Doc:
        doc, target = await self._prepare(principal, inbound_id, IncomingAction.REJECT, version)
        now = utcnow()
        change = (
            self._writer.change(doc)
            .set(state=target.value, reject_reason=reason, rejected_at=now, updated_at=now)
            .audit(principal.user, str(IncomingAction.REJECT), to_state=target, reason=reason)
            .tell_sender(STATUS_OF[IncomingAction.REJECT], reason, now)
        )
        return await self._writer.commit(change)

    async def assign(
        self, principal: Principal, inbound_id: str, version: int, assignment: Assignment
    ) -> Doc:
        doc, target = await self._prepare(
            principal, inbound_id, IncomingAction.ASSIGN, version, assignment.lead_unit
        )
        self._check_assignment(assignment)
        now = utcnow()
        record = {
            "lead_unit": assignment.lead_unit,
            "supporting_units": assignment.supporting_units,
            "deadline": assignment.deadline.isoformat(),
            "handler": assignment.handler,
            "by": principal.user,
            "at": now,
            "note": assignment.note,
            "instruction": assignment.instruction,
        }
        reason = (
            f"lead {assignment.lead_unit}, handler {assignment.handler}, "
            f"deadline {assignment.deadline.isoformat()}"
        )
        change = (
            self._writer.change(doc)
            .set(state=target.value, assignment=record, updated_at=now)
            .audit(principal.user, str(IncomingAction.ASSIGN), to_state=target, reason=reason)
            .tell_sender(STATUS_OF[IncomingAction.ASSIGN], assignment.note, now)
        )
        return await self._writer.commit(change)

    def _check_assignment(self, assignment: Assignment) -> None:
        if not self._org.has_unit(assignment.lead_unit):
            raise InvalidInput(f"unknown unit {assignment.lead_unit}", "lead_unit")
        unknown = [u for u in assignment.supporting_units if not self._org.has_unit(u)]
        if unknown:
            raise InvalidInput(f"unknown units: {', '.join(unknown)}", "supporting_units")
        if assignment.lead_unit in assignment.supporting_units:
            raise InvalidInput("the lead unit does not also support itself", "supporting_units")
        if assignment.deadline < today():
            raise InvalidInput("the deadline is in the past", "deadline")

    async def progress(self, principal: Principal, inbound_id: str, version: int, note: str) -> Doc:
        doc, target = await self._prepare(principal, inbound_id, IncomingAction.PROGRESS, version)
        now = utcnow()
        change = (
            self._writer.change(doc)
            .set(state=target.value, started_at=now, updated_at=now)
            .audit(principal.user, str(IncomingAction.PROGRESS), to_state=target, reason=note)
            .tell_sender(STATUS_OF[IncomingAction.PROGRESS], note, now)
        )
        return await self._writer.commit(change)

    async def complete(
        self,
        principal: Principal,
        inbound_id: str,
        version: int,
        note: str,
        answer_document_id: str | None,
    ) -> Doc:
        doc, target = await self._prepare(principal, inbound_id, IncomingAction.COMPLETE, version)
        answer = await self._answer(principal, answer_document_id)
        now = utcnow()
        reason = note
        if answer is not None:
            reason = f"answered by {answer.get('notation') or answer['document_id']}" + (
                f"; {note}" if note else ""
            )
        change = (
            self._writer.change(doc)
            .set(state=target.value, answer=answer, completed_at=now, updated_at=now)
            .audit(principal.user, str(IncomingAction.COMPLETE), to_state=target, reason=reason)
            .tell_sender(STATUS_OF[IncomingAction.COMPLETE], note, now)
        )
        return await self._writer.commit(change)

    async def _answer(self, principal: Principal, document_id: str | None) -> Doc | None:
        """The outgoing document that answers, if named: one the handler can see."""
        if document_id is None:
            return None
        outgoing = await self._documents.get(document_id)
        if outgoing is None or not can_see(principal, facts(outgoing)):
            raise InvalidInput(
                "no such outgoing document, or you may not see it", "answer_document_id"
            )
        return {
            "document_id": outgoing["_id"],
            "notation": outgoing.get("notation"),
            "state": outgoing["state"],
        }

    async def answer_recall(
        self, principal: Principal, inbound_id: str, version: int, accept: bool, reason: str
    ) -> Doc:
        """15: the copy is withdrawn from use and marked so; 16: refused, with the reason."""
        doc, _ = await self._prepare(principal, inbound_id, IncomingAction.RECALL_ANSWER, version)
        if not accept and not reason.strip():
            raise InvalidInput("say why the recall is refused", "reason")
        now = utcnow()
        recall = {
            **doc["recall"],
            "status": (RecallStatus.ACCEPTED if accept else RecallStatus.REFUSED).value,
            "answer": reason,
            "answered_by": principal.user,
            "answered_at": now,
        }
        change = self._writer.change(doc).set(recall=recall, updated_at=now)
        if accept:
            change.set(
                state=IncomingState.WITHDRAWN.value,
                withdrawn={"at": now, "by": principal.user, "from_state": doc["state"]},
            )
        target = IncomingState.WITHDRAWN if accept else IncomingState(doc["state"])
        status = IncomingStatus.RECALL_ACCEPTED if accept else IncomingStatus.RECALL_REFUSED
        change.audit(
            principal.user,
            "recall-accepted" if accept else "recall-refused",
            to_state=target.value,
            reason=reason,
        ).tell_sender(status, reason, now)
        return await self._writer.commit(change)


def _stamp_time(key: str) -> dt.datetime:
    """The arrival time inside a history cursor (``<stamp>|<id>``)."""
    try:
        return dt.datetime.strptime(key.split("|", 1)[0], "%Y-%m-%dT%H:%M:%S.%f").replace(
            tzinfo=dt.UTC
        )
    except ValueError as exc:
        raise InvalidInput("the cursor is not valid", "cursor") from exc
