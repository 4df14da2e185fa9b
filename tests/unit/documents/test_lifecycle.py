"""The state machine of an outgoing document."""

from __future__ import annotations

import pytest

from services.documents.domain.lifecycle import (
    TRANSITIONS,
    Action,
    State,
    TransitionNotAllowed,
    allowed,
    next_state,
)

EXPECTED = {
    (Action.SUBMIT, State.DRAFT): State.SUBMITTED,
    (Action.APPROVE, State.SUBMITTED): State.APPROVED,
    (Action.RETURN, State.SUBMITTED): State.DRAFT,
    (Action.ISSUE, State.APPROVED): State.ISSUING,
    (Action.REVOKE, State.ISSUED): State.REVOKED,
    (Action.REPLACE, State.ISSUED): State.REPLACED,
    (Action.EDIT, State.DRAFT): State.DRAFT,
    (Action.ATTACH, State.DRAFT): State.DRAFT,
}


@pytest.mark.parametrize("action", list(TRANSITIONS))
@pytest.mark.parametrize("state", list(State))
def test_every_action_is_allowed_exactly_where_the_lifecycle_says(
    action: Action, state: State
) -> None:
    target = EXPECTED.get((action, state))
    assert allowed(action, state) == (target is not None)
    if target is None:
        with pytest.raises(TransitionNotAllowed):
            next_state(action, state)
    else:
        assert next_state(action, state) == target


def test_an_issued_document_can_no_longer_be_edited_or_resubmitted() -> None:
    for action in (Action.EDIT, Action.ATTACH, Action.SUBMIT, Action.ISSUE):
        assert not allowed(action, State.ISSUED)
