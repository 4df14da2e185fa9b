"""All use cases of the service, built once from their dependencies."""

from __future__ import annotations

from dataclasses import dataclass

from services.documents.repositories.deliveries import DeliveryStatusRepository
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
        """Complete whatever a crash left: issuances, back-links, audit entries."""
        touched = await self.issuance.recover(grace_s)
        await self.revocation.recover_links()
        await self.trail.flush_all()
        return touched
