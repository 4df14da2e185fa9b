"""Audit entries: written with the transition (pending on the document), then chained."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from services.documents.domain.audit import ChainVerdict, verify_chain
from services.documents.repositories.aggregates import AUDIT_PENDING, AggregateStore
from services.documents.repositories.audit import AuditRepository
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


def _same(aggregate_id: str) -> str:
    return aggregate_id


class AuditTrail:
    """The hash-chained trails of one store's documents; ``subject_of`` names the chain of a
    document (outgoing documents: their id; incoming ones: a prefixed id)."""

    def __init__(
        self,
        documents: AggregateStore,
        audit: AuditRepository,
        subject_of: Callable[[str], str] = _same,
    ) -> None:
        self._documents = documents
        self._audit = audit
        self._subject_of = subject_of

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
                self._subject_of(str(doc["_id"])),
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
