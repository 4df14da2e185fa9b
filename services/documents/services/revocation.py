"""After issuance: revoke (thu hồi), replace by a newer issued document, or take off the
public portal for good (unpublish: the page answers 410 "gone")."""

from __future__ import annotations

from services.documents.domain.lifecycle import NUMBERED_STATES, Action, State
from services.documents.domain.publication import (
    on_replace,
    on_revoke,
    on_unpublish,
    recall_record,
    recall_refusal,
    unpublish_refusal,
)
from services.documents.errors import InvalidInput, WrongState
from services.documents.repositories.documents import DocumentRepository
from services.documents.services.access import (
    check_may,
    check_version,
    load_visible,
    prepare,
)
from services.documents.services.unit_of_work import UnitOfWork
from shared.auth.principal import Principal
from shared.kit.clock import utcnow
from shared.kit.types import Doc

UNPUBLISH = "unpublish"


class RevocationService:
    def __init__(self, documents: DocumentRepository, uow: UnitOfWork) -> None:
        self._documents = documents
        self._uow = uow

    async def revoke(
        self, principal: Principal, document_id: str, version: int, reason: str
    ) -> Doc:
        doc = await prepare(self._documents, principal, document_id, Action.REVOKE, version)
        now = utcnow()
        fields: Doc = {
            "state": State.REVOKED.value,
            "revoke_reason": reason,
            "revoked_at": now,
            "updated_at": now,
        }
        if recall_refusal(doc) is None:
            # on_revoke recalls it from its external recipients: their answers are kept as
            # for any recall (services/recall.py).
            fields["recall"] = recall_record(doc, reason, principal.user, now)
        change = (
            self._uow.change(doc)
            .set(**fields)
            .audit(principal.user, Action.REVOKE.value, to_state=State.REVOKED.value, reason=reason)
            .emit(on_revoke(doc, int(doc["version"]) + 1, reason, now))
        )
        return await self._uow.commit(change)

    async def unpublish(
        self, principal: Principal, document_id: str, version: int, explanation: str
    ) -> Doc:
        """Take a published document off the portal for good. Not a transition: the document
        keeps its state and number; whoever may revoke it may unpublish it."""
        doc = await load_visible(self._documents, principal, document_id)
        check_may(principal, Action.REVOKE, doc)
        check_version(doc, version)
        refusal = unpublish_refusal(doc)
        if State(doc["state"]) not in NUMBERED_STATES:
            refusal = f"cannot unpublish a document that is {doc['state']}"
        if refusal is not None:
            raise WrongState(refusal, state=str(doc["state"]), version=int(doc["version"]))
        now = utcnow()
        # Kept as text: the document view shows nested records as they are stored.
        record = {"at": now.isoformat(), "explanation": explanation, "by": principal.user}
        change = (
            self._uow.change(doc)
            .set(unpublished=record, updated_at=now)
            .audit(principal.user, UNPUBLISH, reason=explanation)
            .emit(on_unpublish(doc, int(doc["version"]) + 1, explanation, now))
        )
        return await self._uow.commit(change)

    async def replace(
        self,
        principal: Principal,
        document_id: str,
        version: int,
        replaced_by: str,
        reason: str = "",
    ) -> Doc:
        doc = await prepare(self._documents, principal, document_id, Action.REPLACE, version)
        if replaced_by == document_id:
            raise InvalidInput("a document cannot replace itself", "replaced_by")
        newer = await load_visible(self._documents, principal, replaced_by)
        if newer["state"] != State.ISSUED.value:
            raise InvalidInput("the replacing document must be issued", "replaced_by")
        now = utcnow()
        change = (
            self._uow.change(doc)
            .set(
                state=State.REPLACED.value,
                replaced_by_id=newer["_id"],
                replaced_by_notation=newer["notation"],
                replace_reason=reason,
                replaced_at=now,
                updated_at=now,
                # The back-link is a second document: recovery finishes it after a crash.
                link_pending=True,
            )
            .audit(
                principal.user,
                Action.REPLACE.value,
                to_state=State.REPLACED.value,
                reason=reason or f"replaced by {newer['notation']}",
            )
            .emit(on_replace(doc, int(doc["version"]) + 1, newer, reason, now))
        )
        written = await self._uow.write(change)
        await self.finish_link(written)
        await self._uow.settle(written)
        return written

    async def finish_link(self, doc: Doc) -> None:
        await self._documents.set_link(str(doc["replaced_by_id"]), str(doc["_id"]))
        await self._documents.clear_link_pending(str(doc["_id"]))
