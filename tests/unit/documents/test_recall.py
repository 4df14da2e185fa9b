"""Recalling a dispatched document: who may, which documents, the event, the answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from services.documents.domain.deliveries import (
    DELIVERY,
    RECALL,
    RECEIVER,
    RecallOutcome,
    already_recalled,
    concern_updates,
    recall_line,
    recall_summary,
)
from services.documents.domain.lifecycle import RECALLABLE_STATES, State
from services.documents.domain.permissions import DocumentFacts, may_recall
from services.documents.domain.publication import (
    on_recall,
    on_revoke,
    recall_record,
    recall_refusal,
)
from shared.auth.principal import Principal, Role
from shared.contracts.events import DeliveryStatusChanged, DocumentRecalled, DocumentRevoked
from shared.contracts.vocabulary import Confidentiality, DeliveryState, IncomingStatus

AT = dt.datetime(2026, 5, 4, 8, 30, tzinfo=dt.UTC)
G22, H10 = "000.00.00.G22", "000.00.00.H10"


def dispatched(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "_id": "d1",
        "version": 7,
        "state": "issued",
        "notation": "125/BNG-CNTT",
        "confidentiality": "thuong",
        "access": "internal",
        "recipients_external": [G22, H10],
        "published": False,
        "dispatched": True,
    }
    doc.update(overrides)
    return doc


def person(role: Role, clearance: Confidentiality = Confidentiality.THUONG) -> Principal:
    return Principal(user="u", roles=frozenset({role}), clearance=clearance, unit="CNTT")


# Which documents may be recalled ---------------------------------------------------------


def test_only_an_issued_document_is_recalled_and_it_stays_issued() -> None:
    assert frozenset({State.ISSUED}) == RECALLABLE_STATES


def test_a_dispatched_document_may_be_recalled_once() -> None:
    assert recall_refusal(dispatched()) is None
    again = recall_refusal(dispatched(recall=recall_record(dispatched(), "r", "clerk", AT)))
    assert again is not None and "already" in again


def test_a_document_never_dispatched_cannot_be_recalled() -> None:
    refusal = recall_refusal(dispatched(dispatched=False, recipients_external=[]))
    assert refusal is not None and "never dispatched" in refusal
    published_only = recall_refusal(dispatched(access="public", published=True, dispatched=False))
    assert published_only is not None and "never dispatched" in published_only


def test_a_classified_document_can_never_be_recalled() -> None:
    # Even one wrongly marked dispatched: the mark alone decides.
    refusal = recall_refusal(dispatched(confidentiality="mat"))
    assert refusal is not None and "classified" in refusal


def test_whoever_may_revoke_may_recall_within_clearance() -> None:
    issued = DocumentFacts(State.ISSUED, "CNTT", Confidentiality.THUONG)
    assert may_recall(person(Role.CLERK), issued)
    assert may_recall(person(Role.ADMIN), issued)
    for role in (Role.DRAFTER, Role.APPROVER, Role.RECORDS_OFFICER, Role.SERVICE_LGSP):
        assert not may_recall(person(role), issued)
    secret = DocumentFacts(State.ISSUED, "CNTT", Confidentiality.TOI_MAT)
    assert not may_recall(person(Role.CLERK, Confidentiality.MAT), secret)


# The event and the record ----------------------------------------------------------------


def test_a_recall_asks_every_external_recipient_with_the_reason() -> None:
    [event] = on_recall(dispatched(), 8, "Gửi nhầm", AT)
    assert isinstance(event, DocumentRecalled)
    assert event.recipients == [G22, H10]
    assert (event.document_id, event.document_version, event.notation) == ("d1", 8, "125/BNG-CNTT")
    assert (event.reason, event.recalled_at) == ("Gửi nhầm", AT)
    record = recall_record(dispatched(), "Gửi nhầm", "clerk", AT)
    assert record == {
        "reason": "Gửi nhầm",
        "requested_at": AT,
        "requested_by": "clerk",
        "recipients": [G22, H10],
    }


def test_revoking_recalls_with_the_same_event_unless_already_recalled() -> None:
    doc = dispatched(access="public", published=True)
    events = on_revoke(doc, 8, "Ban hành nhầm", AT)
    assert [type(e) for e in events] == [DocumentRevoked, DocumentRecalled]
    assert events[1] == on_recall(doc, 8, "Ban hành nhầm", AT)[0]
    recalled = dispatched(recall=recall_record(doc, "r", "clerk", AT))
    assert on_revoke(recalled, 9, "Ban hành nhầm", AT) == []
    assert on_revoke(dispatched(dispatched=False), 8, "x", AT) == []


# The answers -----------------------------------------------------------------------------


def status(
    receiver: IncomingStatus | None, state: DeliveryState | None = None
) -> DeliveryStatusChanged:
    return DeliveryStatusChanged(
        document_id="d1",
        delivery_id="job-1",
        delivery_version=3,
        recipient_code=G22,
        delivery_state=state,
        receiver_status=receiver,
        note="ghi chú",
        changed_at=AT,
    )


@pytest.mark.parametrize(
    ("receiver", "concern"),
    [
        (IncomingStatus.RECALL_ACCEPTED, RECALL),
        (IncomingStatus.RECALL_REFUSED, RECALL),
        (IncomingStatus.ACCEPTED, RECEIVER),
        (IncomingStatus.COMPLETED, RECEIVER),
    ],
)
def test_recall_answers_have_a_concern_of_their_own(receiver: IncomingStatus, concern: str) -> None:
    [update] = concern_updates(status(receiver))
    assert update.concern == concern
    if concern == RECALL:
        assert update.fields["recall_status"] == receiver.value
        assert update.fields["recall_note"] == "ghi chú"
        assert update.fields["recall_changed_at"] == AT
        assert "receiver_status" not in update.fields
    else:
        assert "recall_status" not in update.fields


def test_a_delivery_state_and_a_recall_answer_in_one_event_are_both_applied() -> None:
    updates = concern_updates(status(IncomingStatus.RECALL_REFUSED, DeliveryState.DELIVERED))
    assert [u.concern for u in updates] == [DELIVERY, RECALL]


RECALLED = recall_record(dispatched(), "Gửi nhầm", "clerk", AT)
LATER = AT + dt.timedelta(hours=2)


def answer(value: IncomingStatus, note: str = "") -> dict[str, Any]:
    return {"recall_status": value.value, "recall_note": note, "recall_changed_at": LATER}


def test_a_recipient_that_has_not_answered_shows_the_request() -> None:
    line = recall_line(RECALLED, G22, {"delivery_state": "delivered"})
    assert line == {"status": "13", "note": "Gửi nhầm", "updated_at": AT.isoformat()}
    refused = recall_line(RECALLED, G22, answer(IncomingStatus.RECALL_REFUSED, "Đã xử lý"))
    assert refused == {"status": "16", "note": "Đã xử lý", "updated_at": LATER.isoformat()}


def test_the_recall_is_requested_until_every_recipient_answered() -> None:
    none = recall_summary(RECALLED, {})
    assert (none["status"], none["pending"], none["accepted"], none["refused"]) == (
        RecallOutcome.REQUESTED.value,
        2,
        0,
        0,
    )
    assert none["reason"] == "Gửi nhầm" and none["recipients"] == [G22, H10]
    # A refusal alone does not end it: the other recipient may still answer.
    one = recall_summary(RECALLED, {G22: answer(IncomingStatus.RECALL_REFUSED)})
    assert (one["status"], one["pending"], one["refused"]) == ("requested", 1, 1)


def test_answered_by_all_it_is_accepted_by_all_or_refused_by_some() -> None:
    accepted = {code: answer(IncomingStatus.RECALL_ACCEPTED) for code in (G22, H10)}
    assert recall_summary(RECALLED, accepted)["status"] == "accepted_by_all"
    mixed = {**accepted, H10: answer(IncomingStatus.RECALL_REFUSED)}
    summary = recall_summary(RECALLED, mixed)
    assert (summary["status"], summary["accepted"], summary["refused"]) == (
        "refused_by_some",
        1,
        1,
    )


def test_a_second_recall_is_refused_in_words_that_say_where_the_first_stands() -> None:
    pending = already_recalled(recall_summary(RECALLED, {}))
    assert "already pending" in pending and "2 of 2" in pending
    accepted = {code: answer(IncomingStatus.RECALL_ACCEPTED) for code in (G22, H10)}
    assert "every recipient accepted" in already_recalled(recall_summary(RECALLED, accepted))
    refused = {**accepted, G22: answer(IncomingStatus.RECALL_REFUSED)}
    assert "1 recipient(s) refused" in already_recalled(recall_summary(RECALLED, refused))


def test_an_answer_older_than_the_recall_answers_nothing() -> None:
    asked = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    recall = {"reason": "Gửi nhầm", "requested_at": asked, "recipients": ["000.00.00.G22"]}
    stray = {"recall_status": "15", "recall_note": "", "recall_changed_at": asked - dt.timedelta(1)}
    assert recall_line(recall, "000.00.00.G22", stray)["status"] == "13"
    answered = {**stray, "recall_changed_at": asked + dt.timedelta(minutes=5)}
    assert recall_line(recall, "000.00.00.G22", answered)["status"] == "15"
