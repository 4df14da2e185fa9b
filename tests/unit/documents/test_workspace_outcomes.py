"""What the workspace's confirmation pages say an action will do, and which buttons a role
gets: computed from the document as the use cases decide it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.documents.web.document_actions import DocumentStep, steps_for
from services.documents.web.labels import LABELS
from services.documents.web.outcomes import outcomes, sentence
from shared.auth.principal import Principal, Role
from shared.contracts.vocabulary import Confidentiality

NOW = dt.datetime(2026, 12, 31, 18, 0, tzinfo=dt.UTC)  # already 2027 in Hà Nội
NAMES = {"000.00.00.G22": "Bộ Nội vụ", "000.00.00.H26": "UBND TP Hà Nội"}


def _doc(**fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "_id": "d1",
        "version": 3,
        "state": "approved",
        "doc_type": "quyet_dinh",
        "drafting_unit": "CNTT",
        "confidentiality": "thuong",
        "access": "public",
        "recipients_external": ["000.00.00.G22", "000.00.00.H26", "000.00.00.G10"],
        "created_by": "demo-drafter",
    }
    doc.update(fields)
    return doc


def _said(action: str, doc: dict[str, Any]) -> list[str]:
    found = outcomes(
        action, doc, now=NOW, partner=lambda c: NAMES.get(c, c), unit=lambda c: f"unit {c}"
    )
    return [sentence(LABELS["en"], o) for o in found]


def test_issuing_a_public_document_with_three_recipients_says_portal_and_three_agencies() -> None:
    said = _said("issue", _doc())
    assert "outgoing register of 2027" in said[0]
    assert said[1] == "This document will be published on the public portal."
    assert said[2] == (
        "This document will be sent to 3 agencies through the LGSP: "
        "Bộ Nội vụ; UBND TP Hà Nội; 000.00.00.G10."
    )


def test_issuing_an_internal_document_without_recipients_says_neither() -> None:
    said = _said("issue", _doc(access="internal", recipients_external=[]))
    assert "not published" in said[1] and "not sent" in said[2]


def test_a_classified_document_is_said_to_stay_inside_whatever_its_access() -> None:
    said = _said("issue", _doc(confidentiality="mat"))
    assert "secret register" in said[0]
    assert said[1:] == [LABELS["en"]["will_stay_inside"]]


def test_revoking_a_published_dispatched_document_takes_it_off_and_asks_it_back() -> None:
    doc = _doc(state="issued", published=True, dispatched=True)
    said = _said("revoke", doc)
    assert len(said) == 3 and "3 agencies" in said[2]
    recalled = _said("revoke", {**doc, "recall": {"reason": "x"}})
    assert len(recalled) == 2  # asked back already: no second request


def test_a_role_gets_only_the_buttons_the_matrix_allows() -> None:
    def person(role: Role, unit: str = "CNTT") -> Principal:
        return Principal(
            user=role.value, roles=frozenset({role}), clearance=Confidentiality.MAT, unit=unit
        )

    submitted = _doc(state="submitted")
    assert steps_for(person(Role.DRAFTER), submitted) == []
    assert steps_for(person(Role.APPROVER), submitted) == [
        DocumentStep.RETURN,
        DocumentStep.APPROVE,
    ]
    assert steps_for(person(Role.APPROVER, unit="VP"), submitted) == []
    assert steps_for(person(Role.CLERK), _doc()) == [DocumentStep.ISSUE]
    issued = _doc(state="issued", dispatched=True)
    assert steps_for(person(Role.CLERK), issued) == [
        DocumentStep.REVOKE,
        DocumentStep.REPLACE,
        DocumentStep.RECALL,
    ]
    assert DocumentStep.RECALL not in steps_for(person(Role.CLERK), {**issued, "dispatched": False})
    assert steps_for(person(Role.CLERK), _doc(confidentiality="toi_mat")) == []  # clearance
