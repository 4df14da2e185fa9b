"""Drafts and their review: create, read, list, edit, submit, approve, return."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.documents.domain.document import new_id, search_key
from services.documents.domain.lifecycle import Action, State, next_state
from services.documents.domain.open_documents import open_rank
from services.documents.domain.organisation import Organisation
from services.documents.domain.permissions import may_create
from services.documents.domain.publication import is_classified
from services.documents.errors import InvalidInput, NotAllowed
from services.documents.repositories.documents import DocumentRepository
from services.documents.services.access import load_visible, prepare
from services.documents.services.audit import AuditTrail
from services.documents.services.queries import (
    ListFilters,
    Predicate,
    list_predicate,
    reads_open_set,
)
from services.documents.services.unit_of_work import UnitOfWork
from shared.auth.principal import Principal
from shared.contracts.vocabulary import Confidentiality
from shared.kit.clock import utcnow
from shared.kit.idempotency import IdempotencyKeys, body_hash
from shared.kit.types import Doc

# An open entry whose document is still missing after this long belongs to a creation that
# died between the two writes (a creation under way writes the document within moments).
ORPHAN_AFTER = dt.timedelta(minutes=10)


def _stored_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Dates as YYYY-MM-DD strings: BSON has no date-only type."""
    out = dict(data)
    if out.get("effective_date") is not None:
        out["effective_date"] = str(out["effective_date"])
    return out


class DraftingService:
    def __init__(
        self,
        documents: DocumentRepository,
        idempotency: IdempotencyKeys,
        trail: AuditTrail,
        uow: UnitOfWork,
        org: Organisation,
    ) -> None:
        self._documents = documents
        self._idempotency = idempotency
        self._trail = trail
        self._uow = uow
        self._org = org

    def _check_units(self, internal: list[str], drafting_unit: str | None = None) -> None:
        if drafting_unit is not None and not self._org.has_unit(drafting_unit):
            raise InvalidInput(f"unknown drafting unit {drafting_unit}", "drafting_unit")
        unknown = [u for u in internal if not self._org.has_unit(u)]
        if unknown:
            raise InvalidInput(
                f"unknown internal recipients: {', '.join(unknown)}", "recipients_internal"
            )

    async def create(
        self, principal: Principal, fields: dict[str, Any], idempotency_key: str | None
    ) -> tuple[Doc, bool]:
        """The new draft from its fields (as JSON) and whether it was created now (False:
        an earlier request with the same Idempotency-Key did)."""
        unit = str(fields["drafting_unit"])
        if not may_create(principal, unit, Confidentiality(fields["confidentiality"])):
            raise NotAllowed("you may not create drafts for this unit at this confidentiality")
        self._check_units(list(fields.get("recipients_internal") or []), unit)
        document_id = new_id()
        if idempotency_key:
            claimed = await self._idempotency.claim(
                principal.user, idempotency_key, body_hash(fields), document_id
            )
            document_id = claimed.result_id
            existing = await self._documents.get(document_id)
            if existing is not None:
                return existing, False
        now = utcnow()
        doc: Doc = {
            "_id": document_id,
            "version": 1,
            "state": State.DRAFT.value,
            **_stored_fields(fields),
            "issuer_code": self._org.code,
            "attachments": [],
            "created_by": principal.user,
            "created_at": now,
            "updated_at": now,
            "search": search_key(str(fields["subject"]), None),
        }
        stored = await self._uow.create(doc, principal.user, State.DRAFT.value)
        if stored is not None:
            return stored, True
        # A concurrent retry with the same key got there first.
        existing = await self._documents.get(document_id)
        if existing is None:  # pragma: no cover - documents are never deleted
            raise RuntimeError(f"document {document_id} vanished")
        return existing, False

    async def read(self, principal: Principal, document_id: str) -> Doc:
        doc = await load_visible(self._documents, principal, document_id)
        if is_classified(doc):
            await self._trail.record_read(principal, doc)
        return doc

    async def _open(
        self, accepts: Predicate, after: str | None, limit: int
    ) -> tuple[list[Doc], str | None]:
        ranked = sorted(
            (e for e in await self._documents.open_entries() if accepts(e)), key=open_rank
        )
        if after is not None:
            ranked = [e for e in ranked if open_rank(e) > after]
        page = ranked[:limit]
        docs = {str(d["_id"]): d for d in await self._documents.many([e["_id"] for e in page])}
        orphaned_before = utcnow() - ORPHAN_AFTER
        items: list[Doc] = []
        for entry in page:
            doc = docs.get(str(entry["_id"]))
            if doc is None:
                await self._documents.drop_open_orphan(entry, orphaned_before)
            elif accepts(doc):
                items.append(doc)
            else:
                # The entry is behind its document (a write whose follow-up has not run yet,
                # or an older writer's entry put back after the document left the set).
                await self._documents.sync_open(doc)
        more = len(ranked) > limit
        return items, (open_rank(page[-1]) if more else None)

    async def list(
        self, principal: Principal, filters: ListFilters, limit: int
    ) -> tuple[list[Doc], str | None]:
        """A page of the documents the principal may see and the cursor of the next one.

        An open state is read from the open set (every document waiting, urgent first, then
        the longest waiting); the rest from the day buckets, newest first.
        """
        accepts = list_predicate(principal, filters)
        if accepts is None:
            return [], None
        if reads_open_set(filters):
            return await self._open(accepts, filters.before_id, limit)
        return await self._documents.walk_newest_first(accepts, filters.before_id, limit)

    async def edit(
        self, principal: Principal, document_id: str, version: int, patch: dict[str, Any]
    ) -> Doc:
        """Apply the fields the caller sent (as JSON)."""
        doc = await prepare(self._documents, principal, document_id, Action.EDIT, version)
        changes = _stored_fields(patch)
        if not changes:
            raise InvalidInput("the patch changes nothing")
        level = Confidentiality(changes.get("confidentiality") or doc["confidentiality"])
        if not may_create(principal, str(doc["drafting_unit"]), level):
            raise NotAllowed("you may not raise the confidentiality above your clearance")
        self._check_units(list(changes.get("recipients_internal") or []))
        change = self._uow.change(doc).set(
            **changes,
            updated_at=utcnow(),
            search=search_key(str(changes.get("subject") or doc["subject"]), None),
        )
        return await self._uow.commit(change.audit(principal.user, "edit"))

    async def transition(
        self,
        principal: Principal,
        document_id: str,
        version: int,
        action: Action,
        reason: str = "",
    ) -> Doc:
        """submit, approve or return (with a reason)."""
        doc = await prepare(self._documents, principal, document_id, action, version)
        target = next_state(action, State(doc["state"]))
        change = self._uow.change(doc).set(state=target.value, updated_at=utcnow())
        if action == Action.RETURN:
            change.set(return_reason=reason)
        change.audit(principal.user, action.value, to_state=target.value, reason=reason)
        return await self._uow.commit(change)
