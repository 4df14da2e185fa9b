"""Who may handle an incoming document, by name: the drafters of the lead unit, from the staff
directory (a small file held in memory, not a store query). The assign form offers them; a
user id typed by hand (someone the directory does not list) stays possible."""

from __future__ import annotations

from dataclasses import dataclass

from shared.auth.principal import Principal, Role
from shared.web.directory import StaffDirectory


@dataclass(frozen=True)
class HandlerGroup:
    unit: str
    unit_name: str
    people: list[tuple[str, str]]  # (user id, name)


def drafters_of(directory: StaffDirectory, unit: str) -> list[tuple[str, str]]:
    return [
        (member.user, member.name or member.user)
        for member in directory.in_unit(unit)
        if Role.DRAFTER in member.roles
    ]


def handler_groups(
    directory: StaffDirectory, principal: Principal, units: dict[str, str]
) -> list[HandlerGroup]:
    """The drafters of every unit ``principal`` may assign to (an approver: its own unit, as
    the use case allows; an admin: every unit), the principal's unit first."""
    if principal.has_role(Role.ADMIN):
        codes = sorted(units, key=lambda code: (code != principal.unit, code))
    else:
        codes = [principal.unit] if principal.unit else []
    groups = [
        HandlerGroup(code, units.get(code, code), drafters_of(directory, code)) for code in codes
    ]
    return [group for group in groups if group.people]


def handler_name(directory: StaffDirectory, unit: str, user: str) -> str | None:
    """The name of the handler ``user`` of ``unit``, if the directory lists them there."""
    return next((m.name for m in directory.in_unit(unit) if m.user == user and m.name), None)
