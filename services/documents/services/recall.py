"""Recalling a dispatched document (thu hồi): ask its external recipients to give it back.

The request is one write through the unit of work: the recall record on the document, its
audit entry and ``document.recalled`` (status 13 to every external recipient) are applied
together and published through the outbox. The document keeps its state and number; the
recipients' answers (15 accepted, 16 refused) arrive as delivery statuses and are kept per
recipient, so where the recall stands is read from them, never written back here.
"""

from __future__ import annotations

from services.documents.domain.deliveries import already_recalled, recall_summary
from services.documents.domain.lifecycle import RECALLABLE_STATES, State
from services.documents.domain.permissions import facts, may_recall
from services.documents.domain.publication import on_recall, recall_record, recall_refusal
from services.documents.errors import NotAllowed, WrongState
from services.documents.repositories.deliveries import DeliveryStatusRepository
from services.documents.repositories.documents import DocumentRepository
from services.documents.services.access import check_version, load_visible
from services.documents.services.unit_of_work import UnitOfWork
from shared.auth.principal import Principal
from shared.kit.clock import utcnow
from shared.kit.types import Doc

RECALL = "recall"


class RecallService:
    def __init__(
        self,
        documents: DocumentRepository,
        statuses: DeliveryStatusRepository,
        uow: UnitOfWork,
    ) -> None:
        self._documents = documents
        self._statuses = statuses
        self._uow = uow

    async def recall(
        self, principal: Principal, document_id: str, version: int, reason: str
    ) -> Doc:
        """Ask every external recipient to give the document back; the document as written,
        with where its recall stands."""
        doc = await load_visible(self._documents, principal, document_id)
        # The checks in the order of every action: 404, 403, 412, then 409.
        if not may_recall(principal, facts(doc)):
            raise NotAllowed("you may not recall this document")
        check_version(doc, version)
        await self._check_recallable(doc)
        now = utcnow()
        change = (
            self._uow.change(doc)
            .set(recall=recall_record(doc, reason, principal.user, now), updated_at=now)
            .audit(principal.user, RECALL, reason=reason)
            .emit(on_recall(doc, int(doc["version"]) + 1, reason, now))
        )
        return await self.with_summary(await self._uow.commit(change))

    async def with_summary(self, doc: Doc) -> Doc:
        """``doc`` with where its recall stands, if it was recalled: one read of its
        recipients' records by ``_id``."""
        recall = doc.get("recall")
        if not recall:
            return doc
        return {**doc, "recall": await self._summary(doc, recall)}

    async def _summary(self, doc: Doc, recall: Doc) -> Doc:
        codes = [str(code) for code in recall.get("recipients", ())]
        records = await self._statuses.for_recipients(str(doc["_id"]), codes)
        return recall_summary(recall, records)

    async def _check_recallable(self, doc: Doc) -> None:
        state = State(doc["state"])
        detail: str | None
        if state not in RECALLABLE_STATES:
            detail = f"cannot recall a document that is {state}"
        else:
            detail = recall_refusal(doc)
            if detail is not None and doc.get("recall"):
                detail = already_recalled(await self._summary(doc, doc["recall"]))
        if detail is not None:
            raise WrongState(detail, state=state.value, version=int(doc["version"]))
