"""Drafts and their review: create, read, list, edit, submit, approve, return."""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785
from pymongo.errors import DuplicateKeyError

from services.documents.domain.document import DraftInput, DraftPatch, search_key
from services.documents.domain.lifecycle import Action, State, next_state
from services.documents.domain.permissions import may_create
from services.documents.domain.publication import is_classified
from services.documents.repositories.documents import AUDIT_PENDING
from services.documents.services.access import guarded_update, load_visible, prepare
from services.documents.services.audit import AuditTrail, audit_entry
from services.documents.services.common import Deps, Forbidden, Invalid, new_id, utcnow
from services.documents.services.queries import ListFilters, list_predicate
from shared.auth.principal import Principal
from shared.contracts.vocabulary import Confidentiality

Doc = dict[str, Any]


def _stored_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Dates as YYYY-MM-DD strings: BSON has no date-only type."""
    out = dict(data)
    if out.get("effective_date") is not None:
        out["effective_date"] = str(out["effective_date"])
    return out


class DraftingService:
    def __init__(self, deps: Deps, trail: AuditTrail) -> None:
        self._d = deps
        self._trail = trail

    def _check_units(self, internal: list[str], drafting_unit: str | None = None) -> None:
        org = self._d.org
        if drafting_unit is not None and not org.has_unit(drafting_unit):
            raise Invalid(f"unknown drafting unit {drafting_unit}", "drafting_unit")
        unknown = [u for u in internal if not org.has_unit(u)]
        if unknown:
            raise Invalid(
                f"unknown internal recipients: {', '.join(unknown)}", "recipients_internal"
            )

    async def create(
        self, principal: Principal, data: DraftInput, idempotency_key: str | None
    ) -> tuple[Doc, bool]:
        """The new draft and whether it was created now (False: an earlier request did)."""
        if not may_create(principal, data.drafting_unit, data.confidentiality):
            raise Forbidden("you may not create drafts for this unit at this confidentiality")
        self._check_units(data.recipients_internal, data.drafting_unit)
        document_id = new_id()
        if idempotency_key:
            body_hash = hashlib.sha256(
                bytes(rfc8785.dumps(data.model_dump(mode="json")))
            ).hexdigest()
            record = await self._d.idempotency.claim(
                f"{principal.user}:{idempotency_key}", body_hash, document_id
            )
            if record["body_hash"] != body_hash:
                raise Invalid(
                    "this Idempotency-Key was already used with a different body",
                    "Idempotency-Key",
                )
            document_id = str(record["document_id"])
            existing = await self._d.documents.get(document_id)
            if existing is not None:
                return existing, False
        now = utcnow()
        doc: Doc = {
            "_id": document_id,
            "version": 1,
            "state": State.DRAFT.value,
            **_stored_fields(data.model_dump(mode="json")),
            "issuer_code": self._d.org.code,
            "attachments": [],
            "created_by": principal.user,
            "created_at": now,
            "updated_at": now,
            "search": search_key(data.subject, None),
            "outbox": [],
            AUDIT_PENDING: [
                audit_entry(
                    document_id,
                    principal.user,
                    "create",
                    from_state=None,
                    to_state=State.DRAFT.value,
                )
            ],
        }
        try:
            await self._d.documents.insert(doc)
        except DuplicateKeyError:  # a concurrent retry with the same key got there first
            existing = await self._d.documents.get(document_id)
            if existing is None:  # pragma: no cover
                raise
            return existing, False
        await self._trail.flush(doc)
        return doc, True

    async def read(self, principal: Principal, document_id: str) -> Doc:
        doc = await load_visible(self._d.documents, principal, document_id)
        if is_classified(doc):
            await self._trail.record_read(principal, doc)
        return doc

    async def list(
        self, principal: Principal, filters: ListFilters, limit: int
    ) -> tuple[list[Doc], str | None]:
        accepts = list_predicate(principal, filters)
        if accepts is None:
            return [], None
        return await self._d.documents.walk_newest_first(accepts, filters.before_id, limit)

    async def edit(
        self, principal: Principal, document_id: str, version: int, patch: DraftPatch
    ) -> Doc:
        doc = await prepare(self._d.documents, principal, document_id, Action.EDIT, version)
        changes = _stored_fields(patch.model_dump(mode="json", exclude_unset=True))
        if not changes:
            raise Invalid("the patch changes nothing")
        level = Confidentiality(changes.get("confidentiality") or doc["confidentiality"])
        if not may_create(principal, str(doc["drafting_unit"]), level):
            raise Forbidden("you may not raise the confidentiality above your clearance")
        self._check_units(list(changes.get("recipients_internal") or []))
        changes["updated_at"] = utcnow()
        changes["search"] = search_key(str(changes.get("subject") or doc["subject"]), None)
        entry = audit_entry(
            document_id, principal.user, "edit", from_state=doc["state"], to_state=doc["state"]
        )
        updated = await guarded_update(self._d.documents, doc, {"$set": changes}, audit=[entry])
        await self._trail.flush(updated)
        return updated

    async def transition(
        self,
        principal: Principal,
        document_id: str,
        version: int,
        action: Action,
        reason: str = "",
    ) -> Doc:
        """submit, approve or return (with a reason)."""
        doc = await prepare(self._d.documents, principal, document_id, action, version)
        target = next_state(action, State(doc["state"]))
        changes: dict[str, Any] = {"state": target.value, "updated_at": utcnow()}
        if action == Action.RETURN:
            changes["return_reason"] = reason
        entry = audit_entry(
            document_id,
            principal.user,
            action.value,
            from_state=doc["state"],
            to_state=target.value,
            reason=reason,
        )
        updated = await guarded_update(self._d.documents, doc, {"$set": changes}, audit=[entry])
        await self._trail.flush(updated)
        return updated
