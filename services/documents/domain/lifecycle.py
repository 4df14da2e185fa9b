"""The lifecycle of an outgoing document: which action is allowed in which state."""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    # Transient: a number is being reserved and written (completed by recovery after a crash).
    ISSUING = "issuing"
    ISSUED = "issued"
    REVOKED = "revoked"
    REPLACED = "replaced"


class Action(StrEnum):
    CREATE = "create"
    READ = "read"
    EDIT = "edit"
    ATTACH = "attach"
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    ISSUE = "issue"
    REVOKE = "revoke"
    REPLACE = "replace"


# action -> (states it may start from, state it leads to; None keeps the state)
TRANSITIONS: dict[Action, tuple[frozenset[State], State | None]] = {
    Action.EDIT: (frozenset({State.DRAFT}), None),
    Action.ATTACH: (frozenset({State.DRAFT}), None),
    Action.SUBMIT: (frozenset({State.DRAFT}), State.SUBMITTED),
    Action.APPROVE: (frozenset({State.SUBMITTED}), State.APPROVED),
    Action.RETURN: (frozenset({State.SUBMITTED}), State.DRAFT),
    Action.ISSUE: (frozenset({State.APPROVED}), State.ISSUING),
    Action.REVOKE: (frozenset({State.ISSUED}), State.REVOKED),
    Action.REPLACE: (frozenset({State.ISSUED}), State.REPLACED),
}

NUMBERED_STATES = frozenset({State.ISSUED, State.REVOKED, State.REPLACED})

# A recall (thu hồi văn bản đã gửi) asks the external recipients of an issued document to
# give their copy back. It is not a transition: the document stays issued and numbered, and
# the request and its answers are kept beside the state (docs/architecture.md §11).
RECALLABLE_STATES = frozenset({State.ISSUED})


class TransitionNotAllowed(Exception):
    def __init__(self, action: Action, state: State) -> None:
        super().__init__(f"cannot {action} a document that is {state}")
        self.action = action
        self.state = state


def allowed(action: Action, state: State) -> bool:
    sources, _ = TRANSITIONS[action]
    return state in sources


def next_state(action: Action, state: State) -> State:
    sources, target = TRANSITIONS[action]
    if state not in sources:
        raise TransitionNotAllowed(action, state)
    return target or state
