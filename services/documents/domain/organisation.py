"""The issuing body and its units, as configured (no directory service is consulted)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shared.contracts.models import OrgRef


@dataclass(frozen=True)
class Organisation:
    code: str
    name: str
    units: Mapping[str, str]

    def has_unit(self, code: str) -> bool:
        return code in self.units

    def unit_ref(self, code: str) -> OrgRef:
        return OrgRef(code=code, name=self.units[code])

    @property
    def ref(self) -> OrgRef:
        return OrgRef(code=self.code, name=self.name)
