"""The permission matrix: role × action, unit, state visibility and clearance."""

from __future__ import annotations

import pytest

from services.documents.domain.lifecycle import Action, State
from services.documents.domain.permissions import DocumentFacts, can_see, may, may_create
from shared.auth.principal import Principal, Role
from shared.contracts.vocabulary import Confidentiality

ROLES = [Role.DRAFTER, Role.APPROVER, Role.CLERK, Role.RECORDS_OFFICER, Role.ADMIN]
ACTIONS = [a for a in Action if a != Action.READ]
GRANTED: dict[Role, set[Action]] = {
    Role.DRAFTER: {Action.CREATE, Action.EDIT, Action.ATTACH, Action.SUBMIT},
    Role.APPROVER: {Action.APPROVE, Action.RETURN},
    Role.CLERK: {Action.ISSUE, Action.REVOKE, Action.REPLACE},
    Role.RECORDS_OFFICER: set(),
    Role.ADMIN: set(ACTIONS),
}
DOC = DocumentFacts(State.SUBMITTED, "CNTT", Confidentiality.THUONG)


def person(
    role: Role, unit: str = "CNTT", clearance: Confidentiality = Confidentiality.THUONG
) -> Principal:
    return Principal(user="u", roles=frozenset({role}), clearance=clearance, unit=unit)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_each_role_may_take_exactly_its_actions_in_its_own_unit(role: Role, action: Action) -> None:
    assert may(person(role), action, DOC) == (action in GRANTED[role])


@pytest.mark.parametrize("role", [Role.DRAFTER, Role.APPROVER])
@pytest.mark.parametrize("action", ACTIONS)
def test_unit_bound_roles_may_do_nothing_for_another_unit(role: Role, action: Action) -> None:
    assert not may(person(role, unit="VP"), action, DOC)


@pytest.mark.parametrize("role", ROLES)
def test_nobody_acts_on_a_document_above_their_clearance(role: Role) -> None:
    secret = DocumentFacts(State.SUBMITTED, "CNTT", Confidentiality.TOI_MAT)
    low = person(role, clearance=Confidentiality.MAT)
    assert not can_see(low, secret)
    assert not any(may(low, action, secret) for action in Action)
    high = person(role, clearance=Confidentiality.TUYET_MAT)
    assert may(high, Action.READ, secret) == (Action.READ in {*GRANTED[role], Action.READ})


VISIBLE: dict[Role, set[State]] = {
    Role.DRAFTER: set(State),
    Role.APPROVER: set(State) - {State.DRAFT},
    Role.CLERK: {State.APPROVED, State.ISSUING, State.ISSUED, State.REVOKED, State.REPLACED},
    Role.RECORDS_OFFICER: set(State),
    Role.ADMIN: set(State),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", list(State))
def test_need_to_know_decides_which_states_a_role_sees(role: Role, state: State) -> None:
    doc = DocumentFacts(state, "CNTT", Confidentiality.THUONG)
    assert can_see(person(role), doc) == (state in VISIBLE[role])


def test_drafters_and_approvers_of_another_unit_see_nothing_but_records_officers_do() -> None:
    doc = DocumentFacts(State.ISSUED, "CNTT", Confidentiality.THUONG)
    assert not can_see(person(Role.DRAFTER, unit="VP"), doc)
    assert not can_see(person(Role.APPROVER, unit="VP"), doc)
    assert can_see(person(Role.RECORDS_OFFICER, unit="VP"), doc)


def test_service_accounts_see_no_staff_documents() -> None:
    doc = DocumentFacts(State.ISSUED, "CNTT", Confidentiality.THUONG)
    assert not can_see(person(Role.SERVICE_LGSP), doc)
    assert not can_see(person(Role.SERVICE_PORTAL), doc)


def test_a_drafter_cannot_create_above_their_clearance() -> None:
    assert may_create(
        person(Role.DRAFTER, clearance=Confidentiality.MAT), "CNTT", Confidentiality.MAT
    )
    assert not may_create(
        person(Role.DRAFTER, clearance=Confidentiality.MAT), "CNTT", Confidentiality.TOI_MAT
    )
