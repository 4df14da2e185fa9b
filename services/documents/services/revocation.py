"""After issuance: revoke (thu hồi) or replace by a newer issued document."""

from __future__ import annotations

import asyncio
from typing import Any

from services.documents.domain.document import ReplaceInput
from services.documents.domain.lifecycle import Action, State
from services.documents.domain.publication import on_replace, on_revoke
from services.documents.services.access import guarded_update, load_visible, prepare
from services.documents.services.audit import AuditTrail, audit_entry
from services.documents.services.common import Deps, Invalid, utcnow
from shared.auth.principal import Principal

Doc = dict[str, Any]


class RevocationService:
    def __init__(self, deps: Deps, trail: AuditTrail) -> None:
        self._d = deps
        self._trail = trail

    async def revoke(
        self, principal: Principal, document_id: str, version: int, reason: str
    ) -> Doc:
        doc = await prepare(self._d.documents, principal, document_id, Action.REVOKE, version)
        now = utcnow()
        records = [
            self._d.publisher.record_for(e)
            for e in on_revoke(doc, int(doc["version"]) + 1, reason, now)
        ]
        entry = audit_entry(
            document_id,
            principal.user,
            Action.REVOKE.value,
            from_state=doc["state"],
            to_state=State.REVOKED.value,
            reason=reason,
        )
        changes = {
            "state": State.REVOKED.value,
            "revoke_reason": reason,
            "revoked_at": now,
            "updated_at": now,
        }
        updated = await guarded_update(self._d.documents, doc, {"$set": changes}, records, [entry])
        await self._after_write(updated)
        return updated

    async def replace(
        self, principal: Principal, document_id: str, version: int, data: ReplaceInput
    ) -> Doc:
        doc = await prepare(self._d.documents, principal, document_id, Action.REPLACE, version)
        if data.replaced_by == document_id:
            raise Invalid("a document cannot replace itself", "replaced_by")
        newer = await load_visible(self._d.documents, principal, data.replaced_by)
        if newer["state"] != State.ISSUED.value:
            raise Invalid("the replacing document must be issued", "replaced_by")
        now = utcnow()
        records = [
            self._d.publisher.record_for(e)
            for e in on_replace(doc, int(doc["version"]) + 1, newer, data.reason, now)
        ]
        entry = audit_entry(
            document_id,
            principal.user,
            Action.REPLACE.value,
            from_state=doc["state"],
            to_state=State.REPLACED.value,
            reason=data.reason or f"replaced by {newer['notation']}",
        )
        changes = {
            "state": State.REPLACED.value,
            "replaced_by_id": newer["_id"],
            "replaced_by_notation": newer["notation"],
            "replace_reason": data.reason,
            "replaced_at": now,
            "updated_at": now,
            # The back-link is a second document: recovery finishes it after a crash.
            "link_pending": True,
        }
        updated = await guarded_update(self._d.documents, doc, {"$set": changes}, records, [entry])
        await self.finish_link(updated)
        await self._after_write(updated)
        return updated

    async def finish_link(self, doc: Doc) -> None:
        await self._d.documents.set_link(str(doc["replaced_by_id"]), str(doc["_id"]))
        await self._d.documents.clear_link_pending(str(doc["_id"]))

    async def _after_write(self, doc: Doc) -> None:
        await asyncio.gather(self._trail.flush(doc), self._d.relay.publish_written(doc))
