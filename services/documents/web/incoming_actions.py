"""The steps on an incoming document a page may offer: the same checks as
``IncomingService`` (``domain/incoming_access.py`` for who, ``check_step`` for the state)."""

from __future__ import annotations

from enum import StrEnum

from services.documents.domain.incoming import IncomingAction, StepRefused, check_step
from services.documents.domain.incoming_access import may_act
from shared.auth.principal import Principal
from shared.kit.types import Doc


class IncomingStep(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    ASSIGN = "assign"
    PROGRESS = "progress"
    COMPLETE = "complete"
    RECALL_ANSWER = "recall-answer"  # the sender asked for it back: give it back or refuse


ACTION_OF: dict[IncomingStep, IncomingAction] = {
    IncomingStep.ACCEPT: IncomingAction.ACCEPT,
    IncomingStep.REJECT: IncomingAction.REJECT,
    IncomingStep.ASSIGN: IncomingAction.ASSIGN,
    IncomingStep.PROGRESS: IncomingAction.PROGRESS,
    IncomingStep.COMPLETE: IncomingAction.COMPLETE,
    IncomingStep.RECALL_ANSWER: IncomingAction.RECALL_ANSWER,
}


def may_take_incoming(principal: Principal, step: IncomingStep, doc: Doc) -> bool:
    action = ACTION_OF[step]
    if not may_act(principal, action, doc):
        return False
    try:
        check_step(action, doc)
    except StepRefused:
        return False
    return True


def incoming_steps(principal: Principal, doc: Doc) -> list[IncomingStep]:
    return [step for step in IncomingStep if may_take_incoming(principal, step, doc)]
