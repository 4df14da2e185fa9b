"""Incoming documents' rules: steps and their statuses, intake checks, who sees what, order."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from services.documents.domain.incoming import (
    CLOSED_STATES,
    STATUS_OF,
    TRANSITIONS,
    IncomingAction,
    IncomingState,
    StepRefused,
    check_step,
    is_open,
    is_overdue,
    is_urgent,
    status_changed,
)
from services.documents.domain.incoming_access import can_see_incoming, may_act, may_assign_to
from services.documents.domain.incoming_intake import intake_problems, received_document
from services.documents.domain.incoming_listing import (
    IncomingFilters,
    matches,
    open_sort_key,
)
from shared.auth.principal import Principal, Role
from shared.contracts.events import EdxmlHeader, EdxmlSigner, InboundReceived
from shared.contracts.models import ClaimCheck
from shared.contracts.vocabulary import (
    Confidentiality,
    MessageFormat,
    SignatureVerdict,
    Urgency,
)

ORG = "000.00.00.G06"
SENDER = "000.00.00.G22"
SHA = "a" * 64
NOW = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)


def event(**header: Any) -> InboundReceived:
    fields: dict[str, Any] = {
        "from_organ_id": SENDER,
        "from_organ_name": "Bộ Nội vụ",
        "to_organ_ids": [ORG],
        "code_number": "245",
        "code_notation": "BNV-CQĐT",
        "promulgation_date": dt.date(2026, 3, 1),
        "document_type": "Công văn",
        "subject": "Về việc phối hợp",
        "signer": EdxmlSigner(full_name="Nguyễn Văn A"),
    }
    fields.update(header)
    sender = fields.pop("sender_code", SENDER)
    attachments = fields.pop("attachments", [])
    return InboundReceived(
        inbound_id="in-1",
        inbound_version=1,
        sender_code=sender,
        sender_document_id="doc-1",
        message_format=MessageFormat.JSON,
        header=EdxmlHeader(**fields),
        attachments=attachments,
        signature_verdict=SignatureVerdict.UNKNOWN_CERTIFICATE,
        received_at=NOW,
    )


def stored(
    state: IncomingState = IncomingState.AWAITING_REGISTRATION, **extra: Any
) -> dict[str, Any]:
    doc = received_document(event(), [], NOW)
    doc.update(state=state.value, **extra)
    return doc


def person(role: Role, unit: str = "CNTT", user: str = "u", clearance: str = "thuong") -> Principal:
    return Principal(
        user=user, roles=frozenset({role}), clearance=Confidentiality(clearance), unit=unit
    )


def test_a_clean_event_awaits_registration_and_shows_its_header_and_signature() -> None:
    doc = received_document(event(), intake_problems(event(), ORG, 1000), NOW)
    assert doc["state"] == "awaiting_registration" and doc["attention"] == []
    assert doc["sender_notation"] == "245/BNV-CQĐT" and doc["received_year"] == 2026
    assert doc["signature_verdict"] == "unknown_certificate"
    assert "không xác định" in doc["signature_label"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"sender_code": "000.00.00.H99"}, "unknown sender"),
        ({"to_organ_ids": ["000.00.00.G01"]}, "not addressed"),
        ({"due_date": dt.date(2026, 2, 1)}, "due_date"),
        ({"promulgation_date": dt.date(2026, 3, 9)}, "promulgation_date"),
        (
            {
                "attachments": [
                    ClaimCheck(
                        attachment_id="a",
                        name="x.pdf",
                        media_type="application/pdf",
                        size=10,
                        sha256=SHA,
                        fetch_path="https://elsewhere.example/x",
                    )
                ]
            },
            "fetch path not allowed",
        ),
        (
            {
                "attachments": [
                    ClaimCheck(
                        attachment_id="a",
                        name="x.pdf",
                        media_type="application/pdf",
                        size=5000,
                        sha256=SHA,
                        fetch_path=f"/api/v1/inbound-files/{SHA}",
                    )
                ]
            },
            "over 1000",
        ),
    ],
)
def test_each_bad_event_is_held_with_its_reason(change: dict[str, Any], reason: str) -> None:
    bad = event(**change)
    problems = intake_problems(bad, ORG, 1000)
    assert len(problems) == 1 and reason in problems[0]
    assert received_document(bad, problems, NOW)["state"] == "needs_attention"


def test_attachments_to_fetch_make_it_receiving() -> None:
    claim = ClaimCheck(
        attachment_id="a",
        name="x.pdf",
        media_type="application/pdf",
        size=10,
        sha256=SHA,
        fetch_path=f"/api/v1/inbound-files/{SHA}",
    )
    with_file = event(attachments=[claim])
    assert received_document(with_file, [], NOW)["state"] == "receiving"


@pytest.mark.parametrize("action", list(TRANSITIONS))
@pytest.mark.parametrize("state", list(IncomingState))
def test_each_step_starts_only_from_its_states(
    action: IncomingAction, state: IncomingState
) -> None:
    sources, target = TRANSITIONS[action]
    if state in sources:
        assert check_step(action, stored(state)) == target
    else:
        with pytest.raises(StepRefused):
            check_step(action, stored(state))


def test_each_step_reports_its_status_code() -> None:
    codes = {action: status.value for action, status in STATUS_OF.items()}
    assert codes == {
        IncomingAction.REJECT: "02",
        IncomingAction.ACCEPT: "03",
        IncomingAction.ASSIGN: "04",
        IncomingAction.PROGRESS: "05",
        IncomingAction.COMPLETE: "06",
    }


def test_a_pending_recall_blocks_every_step_but_its_answer() -> None:
    doc = stored(recall={"status": "pending"})
    for action in TRANSITIONS:
        with pytest.raises(StepRefused):
            check_step(action, doc)
    assert check_step(IncomingAction.RECALL_ANSWER, doc) == IncomingState.AWAITING_REGISTRATION
    with pytest.raises(StepRefused):
        check_step(IncomingAction.RECALL_ANSWER, stored())
    assert is_open(stored(IncomingState.REJECTED, recall={"status": "pending"}))
    assert not any(is_open(stored(state)) for state in CLOSED_STATES)


def test_the_status_event_carries_no_content() -> None:
    event_data = status_changed(stored(), 4, STATUS_OF[IncomingAction.ACCEPT], "", NOW)
    assert event_data.sender_notation == "245/BNV-CQĐT"
    assert event_data.incoming_version == 4 and event_data.status == "03"
    assert "Về việc" not in event_data.model_dump_json()


ASSIGNED = {
    "lead_unit": "CNTT",
    "supporting_units": ["VP"],
    "handler": "h",
    "deadline": "2026-03-05",
}


def test_who_sees_an_incoming_document() -> None:
    waiting, accepted = stored(), stored(IncomingState.ACCEPTED)
    assigned = stored(IncomingState.ASSIGNED, assignment=ASSIGNED)
    for role in (Role.CLERK, Role.RECORDS_OFFICER, Role.ADMIN):
        assert can_see_incoming(person(role), waiting)
    assert not can_see_incoming(person(Role.APPROVER), waiting)
    assert can_see_incoming(person(Role.APPROVER, unit="PL"), accepted)
    assert not can_see_incoming(person(Role.APPROVER, unit="PL"), assigned)
    assert can_see_incoming(person(Role.APPROVER, unit="VP"), assigned)
    assert can_see_incoming(person(Role.DRAFTER, unit="VP"), assigned)
    assert not can_see_incoming(person(Role.DRAFTER), accepted)
    secret = stored(confidentiality="mat")
    assert not can_see_incoming(person(Role.CLERK), secret)
    assert can_see_incoming(person(Role.CLERK, clearance="mat"), secret)


def test_who_may_act() -> None:
    assigned = stored(IncomingState.ASSIGNED, assignment=ASSIGNED)
    assert may_act(person(Role.CLERK), IncomingAction.ACCEPT, stored())
    assert not may_act(person(Role.APPROVER), IncomingAction.ACCEPT, stored())
    assert may_act(person(Role.DRAFTER, user="h"), IncomingAction.PROGRESS, assigned)
    assert not may_act(person(Role.DRAFTER, user="x"), IncomingAction.PROGRESS, assigned)
    assert not may_act(person(Role.DRAFTER, unit="VP", user="h"), IncomingAction.COMPLETE, assigned)
    assert may_assign_to(person(Role.APPROVER), "CNTT")
    assert not may_assign_to(person(Role.APPROVER), "VP")
    assert may_assign_to(person(Role.ADMIN, unit="VP"), "CNTT")


def test_urgent_first_and_overdue() -> None:
    plain = stored(_id="b")
    urgent = stored(_id="c", urgency=Urgency.HOA_TOC.value)
    assert is_urgent(urgent) and not is_urgent(plain)
    assert sorted([plain, urgent], key=open_sort_key)[0] is urgent
    late = stored(IncomingState.ASSIGNED, assignment=ASSIGNED)
    assert is_overdue(late, dt.date(2026, 3, 6)) and not is_overdue(late, dt.date(2026, 3, 5))
    done = stored(IncomingState.COMPLETED, assignment=ASSIGNED)
    assert not is_overdue(done, dt.date(2026, 3, 6))
    filters = IncomingFilters(overdue=True, unit="VP", sender=SENDER, year=2026)
    assert matches(late, filters, dt.date(2026, 3, 6))
    assert not matches(late, IncomingFilters(unit="PL"), dt.date(2026, 3, 6))
