"""The staff directory: who may use the workspace, with which roles, unit and clearance.

The identity provider proves who signs in (a verified e-mail); what that person may do comes
from this directory, a JSON file administrators edit (``EGOV_STAFF_DIRECTORY_FILE``)::

    {"drafter@egov.local": {"user": "demo-drafter", "name": "Trần Văn Minh",
                            "roles": ["drafter"], "unit": "CNTT", "clearance": "mat"}}

Every replica of every service reads the same file and notices an edit at the next request
(it compares the file's modification time), so a removed person loses access at once. Unknown
roles (and service accounts' roles) are ignored; an entry with an unknown clearance is refused.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import structlog
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.auth.principal import SERVICE_ROLES, Principal, Role
from shared.contracts.vocabulary import Confidentiality

log = structlog.get_logger(__name__)


class DirectoryUnreadable(Exception):
    """The directory file is missing or not valid JSON of the expected shape."""


class _Entry(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    user: str = Field(min_length=1, max_length=200)
    name: str = Field(default="", max_length=200)
    roles: list[str] = Field(default_factory=list)
    unit: str | None = Field(default=None, max_length=32)
    clearance: Confidentiality = Confidentiality.THUONG


@dataclass(frozen=True)
class StaffMember:
    email: str
    user: str
    name: str
    roles: frozenset[Role]
    unit: str | None
    clearance: Confidentiality

    def principal(self) -> Principal:
        """The same principal the APIs build from a token: pages call the same use cases
        with the same permission checks."""
        return Principal(
            user=self.user,
            roles=self.roles,
            clearance=self.clearance,
            unit=self.unit,
            claims={"email": self.email, "name": self.name},
        )


@dataclass
class StaffDirectory:
    path: Path
    _stamp: tuple[int, int] | None = field(default=None, init=False)
    _members: dict[str, StaffMember] = field(default_factory=dict, init=False)

    def find(self, email: str) -> StaffMember | None:
        return self._current().get(email.strip().lower())

    def in_unit(self, unit: str) -> list[StaffMember]:
        """The members of ``unit``, by name: a pass over the file already in memory (a
        ministry's staff, not a store query)."""
        members = [m for m in self._current().values() if m.unit == unit]
        return sorted(members, key=lambda m: (m.name or m.user, m.user))

    def _current(self) -> dict[str, StaffMember]:
        try:
            stat = os.stat(self.path)
        except OSError as exc:
            raise DirectoryUnreadable(f"the staff directory {self.path} cannot be read") from exc
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            self._members = read_directory(self.path)
            self._stamp = stamp
        return self._members


def read_directory(path: Path) -> dict[str, StaffMember]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DirectoryUnreadable(f"the staff directory {path} is not valid JSON") from exc
    if not isinstance(raw, dict):
        raise DirectoryUnreadable(f"the staff directory {path} is not a JSON object")
    # Service accounts' roles are never a person's.
    known = {role.value for role in Role if role not in SERVICE_ROLES}
    members: dict[str, StaffMember] = {}
    for email, value in raw.items():
        try:
            entry = _Entry.model_validate(value)
        except ValidationError as exc:
            log.warning("staff_directory.entry_refused", email=email, errors=exc.error_count())
            continue
        members[str(email).strip().lower()] = StaffMember(
            email=str(email).strip().lower(),
            user=entry.user,
            name=entry.name,
            roles=frozenset(Role(r) for r in entry.roles if r in known),
            unit=entry.unit,
            clearance=entry.clearance,
        )
    return members
