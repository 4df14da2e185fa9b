"""All use cases of the service, built once from their dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.documents.domain.lifecycle import State
from services.documents.repositories.deliveries import DeliveryStatusRepository
from services.documents.repositories.documents import AUDIT_PENDING
from services.documents.services.attachments import AttachmentService
from services.documents.services.audit import AuditTrail
from services.documents.services.common import Deps
from services.documents.services.deliveries import DeliveryStatusService
from services.documents.services.drafting import DraftingService
from services.documents.services.issuance import IssuanceService
from services.documents.services.registers import RegisterService
from services.documents.services.revocation import RevocationService
from services.documents.services.verification import VerificationService


@dataclass
class UseCases:
    deps: Deps
    trail: AuditTrail
    drafting: DraftingService
    issuance: IssuanceService
    revocation: RevocationService
    attachments: AttachmentService
    registers: RegisterService
    verification: VerificationService
    deliveries: DeliveryStatusService

    @classmethod
    def build(cls, deps: Deps) -> UseCases:
        trail = AuditTrail(deps.documents, deps.audit)
        return cls(
            deps=deps,
            trail=trail,
            drafting=DraftingService(deps, trail),
            issuance=IssuanceService(deps, trail),
            revocation=RevocationService(deps, trail),
            attachments=AttachmentService(deps, trail),
            registers=RegisterService(deps),
            verification=VerificationService(deps),
            deliveries=DeliveryStatusService(
                DeliveryStatusRepository(deps.documents.collection.database), deps.documents
            ),
        )

    async def recover(self, grace_s: float) -> int:
        """Complete whatever a crash left: reservations, then every settled pending marker
        (issuances, back-links, audit entries, events)."""
        touched = await self.issuance.recover(grace_s)
        await self.deps.relay.sweep_once(settle_s=grace_s)
        return touched

    async def follow_up(self, doc: dict[str, Any]) -> bool:
        """What the sweep finishes on a document whose marker settled; True if work is left."""
        if doc["state"] == State.ISSUING.value:
            await self.issuance.complete(doc)
            return False
        if doc.get("link_pending"):
            await self.revocation.finish_link(doc)
        if doc.get(AUDIT_PENDING):
            await self.trail.flush(doc)
        return False
