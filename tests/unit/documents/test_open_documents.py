"""What the open set keeps of a document, the order of open listings, and which listings it
answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.documents.domain.lifecycle import State
from services.documents.domain.open_documents import is_open, open_entry, open_rank, returned
from services.documents.services.queries import ListFilters, list_predicate, reads_open_set
from shared.auth.principal import Principal, Role
from shared.contracts.vocabulary import Confidentiality

AT = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC)


def _doc(**fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "_id": "0195a0b1c2d3aaaaaaaaaaaa",
        "version": 3,
        "state": "draft",
        "drafting_unit": "CNTT",
        "confidentiality": "thuong",
        "doc_type": "quyet_dinh",
        "urgency": "thuong",
        "updated_at": AT,
        "created_by": "drafter-CNTT",
        "subject": "Về việc triển khai",
        "signed": {"large": "payload"},
    }
    doc.update(fields)
    return doc


def test_the_entry_keeps_what_listing_needs_and_only_a_flag_of_the_return() -> None:
    entry = open_entry(_doc(return_reason="Sửa căn cứ"))
    assert entry["returned"] is True and "return_reason" not in entry
    assert "subject" not in entry and "signed" not in entry
    assert {k: entry[k] for k in ("state", "drafting_unit", "urgency", "created_by")} == {
        "state": "draft",
        "drafting_unit": "CNTT",
        "urgency": "thuong",
        "created_by": "drafter-CNTT",
    }


def test_a_return_counts_only_while_the_document_is_a_draft_again() -> None:
    assert returned(_doc(return_reason="x"))
    assert not returned(_doc())
    assert not returned(_doc(state="submitted", return_reason="x"))
    assert returned(open_entry(_doc(return_reason="x")))
    assert not returned(open_entry(_doc(state="approved", return_reason="x")))


def test_open_states_are_those_before_issuance() -> None:
    assert [s.value for s in State if is_open({"state": s.value})] == [
        "draft",
        "submitted",
        "approved",
    ]


def test_open_listings_rank_urgent_first_then_the_longest_waiting() -> None:
    docs = [
        _doc(_id="a", urgency="thuong", updated_at=AT),
        _doc(_id="b", urgency="hoa_toc", updated_at=AT + dt.timedelta(days=2)),
        _doc(_id="c", urgency="thuong", updated_at=AT - dt.timedelta(days=30)),
        _doc(_id="d", urgency="khan", updated_at=AT),
        _doc(_id="e", urgency=None, updated_at=AT),
        _doc(_id="f", urgency="unknown", updated_at=AT.replace(tzinfo=None)),
    ]
    assert [d["_id"] for d in sorted(docs, key=open_rank)] == ["b", "d", "c", "a", "e", "f"]


def test_the_open_set_answers_open_states_without_filters_of_issued_documents() -> None:
    assert reads_open_set(ListFilters(state=State.SUBMITTED, unit="CNTT", doc_type="cong_van"))
    assert reads_open_set(ListFilters(state=State.DRAFT, created_by="u", returned=True))
    assert not reads_open_set(ListFilters())
    assert not reads_open_set(ListFilters(state=State.ISSUED))
    assert not reads_open_set(ListFilters(state=State.APPROVED, q="chuyển đổi"))
    assert not reads_open_set(ListFilters(state=State.APPROVED, year=2025))
    assert not reads_open_set(ListFilters(state=State.APPROVED, book="outgoing"))


def test_the_listing_rules_judge_an_entry_as_they_judge_its_document() -> None:
    drafter = Principal("drafter-CNTT", frozenset({Role.DRAFTER}), Confidentiality.MAT, "CNTT")
    other = Principal("drafter-VP", frozenset({Role.DRAFTER}), Confidentiality.TUYET_MAT, "VP")
    low = Principal("drafter-2", frozenset({Role.DRAFTER}), Confidentiality.THUONG, "CNTT")
    mine = ListFilters(state=State.DRAFT, created_by="drafter-CNTT", returned=True)
    docs = [
        _doc(return_reason="x"),
        _doc(return_reason="x", confidentiality="mat"),
        _doc(return_reason="x", confidentiality="toi_mat"),
        _doc(),
        _doc(return_reason="x", created_by="someone"),
        _doc(return_reason="x", state="submitted"),
    ]
    for principal in (drafter, other, low):
        accepts = list_predicate(principal, mine)
        assert accepts is not None
        assert [accepts(d) for d in docs] == [accepts(open_entry(d)) for d in docs]
    accepts = list_predicate(drafter, mine)
    assert accepts is not None
    assert [accepts(d) for d in docs] == [True, True, False, False, False, False]
