"""Who is calling: a staff member, an administrator or a service account."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.contracts.vocabulary import CLEARANCE_RANK, Confidentiality
from shared.contracts.vocabulary import Role as Role  # tokens carry these; re-exported

SERVICE_ROLES = frozenset({Role.SERVICE_PORTAL, Role.SERVICE_LGSP, Role.SERVICE_DOCUMENTS})
SERVICES = ("documents", "portal", "lgsp")


@dataclass(frozen=True)
class Principal:
    user: str
    roles: frozenset[Role]
    clearance: Confidentiality = Confidentiality.THUONG
    unit: str | None = None
    claims: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def cleared_for(self, level: Confidentiality) -> bool:
        return CLEARANCE_RANK[self.clearance] >= CLEARANCE_RANK[level]

    @property
    def is_service(self) -> bool:
        return bool(self.roles & SERVICE_ROLES)
