"""Delivery statuses: which concern an event touches, and the line staff see."""

from __future__ import annotations

import datetime as dt

from services.documents.domain.deliveries import (
    DELIVERY,
    RECEIVER,
    concern_updates,
    delivery_key,
    delivery_view,
)
from shared.contracts.events import DeliveryStatusChanged
from shared.contracts.vocabulary import DeliveryState, IncomingStatus

AT = dt.datetime(2026, 5, 4, 8, 30, tzinfo=dt.UTC)


def event(
    state: DeliveryState | None = None, receiver: IncomingStatus | None = None
) -> DeliveryStatusChanged:
    return DeliveryStatusChanged(
        document_id="d1",
        delivery_id="job-1",
        delivery_version=3,
        recipient_code="000.00.00.G22",
        delivery_state=state,
        receiver_status=receiver,
        note="ghi chú",
        changed_at=AT,
    )


def test_a_record_key_keeps_the_dotted_agency_code_as_a_value_suffix() -> None:
    assert delivery_key("d1", "000.00.00.G22") == "d1:000.00.00.G22"


def test_each_concern_an_event_carries_is_updated_on_its_own() -> None:
    both = concern_updates(event(DeliveryState.DELIVERED, IncomingStatus.ARRIVED))
    assert [u.concern for u in both] == [DELIVERY, RECEIVER]
    assert both[0].fields["delivery_state"] == "delivered"
    assert "receiver_status" not in both[0].fields
    assert both[1].fields["receiver_status"] == "01"
    assert "delivery_state" not in both[1].fields
    assert concern_updates(event()) == []


def test_the_line_shows_the_note_and_time_of_the_latest_change() -> None:
    record = {
        "delivery_state": "delivered",
        "delivery_note": "đã chuyển",
        "delivery_changed_at": AT,
        "receiver_status": "05",
        "receiver_note": "đang xử lý",
        "receiver_changed_at": AT + dt.timedelta(hours=1),
    }
    line = delivery_view("000.00.00.G22", record)
    assert line == {
        "recipient_code": "000.00.00.G22",
        "delivery_state": "delivered",
        "receiver_status": "05",
        "note": "đang xử lý",
        "updated_at": (AT + dt.timedelta(hours=1)).isoformat(),
    }
    only_delivery = delivery_view("x", {k: v for k, v in record.items() if "receiver" not in k})
    assert only_delivery["note"] == "đã chuyển" and only_delivery["receiver_status"] is None
    assert delivery_view("x", None)["updated_at"] is None


def test_a_sent_delivery_nothing_was_reported_on_is_pending_and_an_unsent_one_has_no_state() -> (
    None
):
    assert delivery_view("x", None)["delivery_state"] == "pending"
    assert delivery_view("x", {"receiver_status": "01"})["delivery_state"] == "pending"
    assert delivery_view("x", None, sent=False)["delivery_state"] is None
    reported = delivery_view("x", {"delivery_state": "retrying"}, sent=True)
    assert reported["delivery_state"] == "retrying"
