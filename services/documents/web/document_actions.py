"""The actions on an outgoing document and who may take them: the same checks as the use
cases (``domain/permissions.py`` for the role, ``domain/lifecycle.py`` for the state), so a
page offers a button only where the API would accept the request."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.documents.domain.lifecycle import (
    NUMBERED_STATES,
    RECALLABLE_STATES,
    Action,
    State,
    allowed,
)
from services.documents.domain.permissions import facts, may, may_recall
from services.documents.domain.publication import recall_refusal, unpublish_refusal
from shared.auth.principal import Principal
from shared.kit.types import Doc


class DocumentStep(StrEnum):
    SUBMIT = "submit"
    RETURN = "return"
    APPROVE = "approve"
    ISSUE = "issue"
    REVOKE = "revoke"
    REPLACE = "replace"
    RECALL = "recall"
    UNPUBLISH = "unpublish"


@dataclass(frozen=True)
class StepSpec:
    reason: str  # "required", "optional" or "none"
    danger: bool = False  # a step that cannot be undone is styled as such


SPECS: dict[DocumentStep, StepSpec] = {
    DocumentStep.SUBMIT: StepSpec("none"),
    DocumentStep.RETURN: StepSpec("required"),
    DocumentStep.APPROVE: StepSpec("none"),
    DocumentStep.ISSUE: StepSpec("none"),
    DocumentStep.REVOKE: StepSpec("required", danger=True),
    DocumentStep.REPLACE: StepSpec("optional", danger=True),
    DocumentStep.RECALL: StepSpec("required", danger=True),
    # The explanation is what the portal's 410 page shows.
    DocumentStep.UNPUBLISH: StepSpec("required", danger=True),
}

LIFECYCLE: dict[DocumentStep, Action] = {
    DocumentStep.SUBMIT: Action.SUBMIT,
    DocumentStep.RETURN: Action.RETURN,
    DocumentStep.APPROVE: Action.APPROVE,
    DocumentStep.ISSUE: Action.ISSUE,
    DocumentStep.REVOKE: Action.REVOKE,
    DocumentStep.REPLACE: Action.REPLACE,
}


def may_take(principal: Principal, step: DocumentStep, doc: Doc) -> bool:
    """Would the use case accept ``step`` on ``doc`` from ``principal`` now (version aside)?"""
    if step == DocumentStep.RECALL:
        return (
            may_recall(principal, facts(doc))
            and State(doc["state"]) in RECALLABLE_STATES
            and recall_refusal(doc) is None
        )
    if step == DocumentStep.UNPUBLISH:
        # As RevocationService.unpublish: whoever may revoke it, a numbered published document.
        return (
            may(principal, Action.REVOKE, facts(doc))
            and State(doc["state"]) in NUMBERED_STATES
            and unpublish_refusal(doc) is None
        )
    action = LIFECYCLE[step]
    return may(principal, action, facts(doc)) and allowed(action, State(doc["state"]))


def steps_for(principal: Principal, doc: Doc) -> list[DocumentStep]:
    return [step for step in DocumentStep if may_take(principal, step, doc)]


def may_edit(principal: Principal, doc: Doc) -> bool:
    return may(principal, Action.EDIT, facts(doc)) and allowed(Action.EDIT, State(doc["state"]))


def may_attach(principal: Principal, doc: Doc) -> bool:
    return may(principal, Action.ATTACH, facts(doc)) and allowed(Action.ATTACH, State(doc["state"]))
