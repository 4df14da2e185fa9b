"""Audit entries: written with the transition (pending on the document), then chained."""

from __future__ import annotations

import uuid

from services.documents.domain.audit import ChainVerdict, verify_chain
from services.documents.repositories.audit import AuditRepository
from services.documents.repositories.documents import AUDIT_PENDING, DocumentRepository
from services.documents.services.access import load_visible
from shared.auth.principal import Principal
from shared.kit.clock import utcnow
from shared.kit.types import Doc


def audit_entry(
    document_id: str,
    actor: str,
    action: str,
    *,
    from_state: str | None,
    to_state: str | None,
    reason: str = "",
) -> Doc:
    return {
        "entry_id": uuid.uuid4().hex,
        "document_id": document_id,
        "at": utcnow(),
        "actor": actor,
        "action": action,
        "reason": reason,
        "from_state": from_state,
        "to_state": to_state,
    }


class AuditTrail:
    def __init__(self, documents: DocumentRepository, audit: AuditRepository) -> None:
        self._documents = documents
        self._audit = audit

    async def flush(self, doc: Doc | None) -> None:
        """Move the document's pending entries onto its chain (idempotent, crash-safe)."""
        if doc is None:
            return
        pending = list(doc.get(AUDIT_PENDING, []))
        if not pending:
            return
        for entry in pending:
            await self._audit.append(entry)
        await self._documents.drop_pending_audit(str(doc["_id"]), pending)

    async def record_read(self, principal: Principal, doc: Doc, what: str = "read") -> None:
        await self._audit.append(
            audit_entry(
                str(doc["_id"]),
                principal.user,
                what,
                from_state=str(doc["state"]),
                to_state=str(doc["state"]),
            )
        )

    async def trail(self, document_id: str) -> list[Doc]:
        return await self._audit.trail(document_id)

    async def verify(self, document_id: str) -> ChainVerdict:
        return verify_chain(await self._audit.trail(document_id))

    async def visible_trail(self, principal: Principal, document_id: str) -> list[Doc]:
        """The chain of a document the principal may see."""
        await load_visible(self._documents, principal, document_id)
        return await self.trail(document_id)

    async def visible_verdict(self, principal: Principal, document_id: str) -> ChainVerdict:
        await load_visible(self._documents, principal, document_id)
        return await self.verify(document_id)
