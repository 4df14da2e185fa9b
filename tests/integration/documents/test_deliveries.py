"""Delivery statuses from the LGSP: shown per recipient, never regressed, bad records parked."""

from __future__ import annotations

from typing import Any

import httpx

from shared.contracts import topics
from shared.contracts.events import DeliveryStatusChanged
from shared.contracts.vocabulary import DeliveryState, IncomingStatus
from shared.messaging.envelope import build_record
from tests.integration.documents import support
from tests.integration.documents.support import drafter
from tests.support.kafka import TopicReader, eventually, header, produce_event, produce_raw

PARTNER = "000.00.00.G22"
OTHER = "000.00.00.H10"


def status(
    doc_id: str, version: int, *, code: str = PARTNER, **changes: Any
) -> DeliveryStatusChanged:
    """A status of the delivery job of ``code``."""
    return support.delivery_status(
        doc_id, code, version, delivery_id=f"job-{doc_id}-{code}", **changes
    )


async def deliveries(
    client: httpx.AsyncClient, doc_id: str, headers: dict[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    response = await client.get(
        f"/api/v1/documents/{doc_id}/deliveries", headers=headers or drafter()
    )
    assert response.status_code == 200, response.text
    return {item["recipient_code"]: item for item in response.json()["items"]}


async def until_note(client: httpx.AsyncClient, doc_id: str, note: str) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        line = (await deliveries(client, doc_id))[PARTNER]
        return line if line["note"] == note else None

    found: dict[str, Any] = await eventually(check)
    return found


async def test_statuses_from_the_lgsp_appear_per_recipient_and_never_regress(
    client: httpx.AsyncClient, module_suffix: str
) -> None:
    issued = await support.issued(
        client, doc_type="cong_van", access="internal", recipients_external=[PARTNER, OTHER]
    )
    doc_id = issued.json()["id"]
    before = await deliveries(client, doc_id)
    assert before[OTHER] == {
        "recipient_code": OTHER,
        "delivery_state": "pending",  # issued, nothing reported by the LGSP yet
        "receiver_status": None,
        "note": "",
        "updated_at": None,
    }

    await produce_event(status(doc_id, 1, state=DeliveryState.RETRYING), module_suffix)
    await produce_event(status(doc_id, 2, state=DeliveryState.DELIVERED), module_suffix)
    await produce_event(
        status(doc_id, 3, receiver=IncomingStatus.ACCEPTED, note="Đã vào sổ"), module_suffix
    )
    line = await until_note(client, doc_id, "Đã vào sổ")
    assert line["delivery_state"] == "delivered"
    assert line["receiver_status"] == "03"
    assert line["updated_at"] is not None

    # Stale per concern, and a redelivered older event: all on the document's key, so they
    # are consumed before the marker that follows them on the same partition.
    failed = status(doc_id, 5, state=DeliveryState.FAILED, note="hỏng")
    failed_id = await produce_event(failed, module_suffix)
    await produce_event(status(doc_id, 6, state=DeliveryState.DELIVERED), module_suffix)
    await produce_event(failed, module_suffix, event_id=failed_id)
    await produce_event(status(doc_id, 4, state=DeliveryState.DEAD), module_suffix)
    await produce_event(status(doc_id, 2, receiver=IncomingStatus.REJECTED), module_suffix)
    await produce_event(status(doc_id, 6, receiver=IncomingStatus.ARRIVED), module_suffix)
    await produce_event(
        status(doc_id, 7, receiver=IncomingStatus.IN_PROGRESS, note="đang xử lý"), module_suffix
    )
    line = await until_note(client, doc_id, "đang xử lý")
    assert line["delivery_state"] == "delivered"
    assert line["receiver_status"] == "05"
    assert (await deliveries(client, doc_id))[OTHER]["delivery_state"] == "pending"


async def test_deliveries_are_read_like_the_document_and_classified_ones_have_none(
    client: httpx.AsyncClient, module_suffix: str
) -> None:
    secret = await support.create(
        client, confidentiality="mat", access="internal", recipients_external=[PARTNER]
    )
    doc_id = secret.json()["id"]
    await produce_event(status(doc_id, 1, state=DeliveryState.DELIVERED), module_suffix)
    db = support.app_of(client).state.runtime.db

    async def stored() -> Any:
        return await db["delivery_statuses"].find_one({"_id": f"{doc_id}:{PARTNER}"})

    await eventually(stored)
    assert await deliveries(client, doc_id) == {}
    other_unit = await client.get(f"/api/v1/documents/{doc_id}/deliveries", headers=drafter("VP"))
    assert other_unit.status_code == 404
    assert other_unit.headers["content-type"] == "application/problem+json"
    missing = await client.get("/api/v1/documents/nope/deliveries", headers=drafter())
    assert missing.status_code == 404
    # A draft is not sent yet: its recipients have no delivery state at all.
    draft = await support.create(client, access="internal", recipients_external=[PARTNER])
    assert (await deliveries(client, draft.json()["id"]))[PARTNER]["delivery_state"] is None


async def test_a_malformed_status_record_goes_to_the_dead_letter_topic(
    client: httpx.AsyncClient, module_suffix: str
) -> None:
    topic = topics.LGSP_STATUS + module_suffix
    valid = build_record(status("bad-doc", 1, state=DeliveryState.DELIVERED), source="urn:x")
    await produce_raw(topic, b"{not json", key=b"bad-doc", headers=valid.headers)
    wrong = valid.value.replace(PARTNER.encode(), b"no dots here")
    await produce_raw(topic, wrong, key=b"bad-doc", headers=valid.headers)
    async with TopicReader(topic + ".dlq") as dlq:
        records = await dlq.wait_for(2)
    assert [r.value for r in records[:2]] == [b"{not json", wrong]
    for record in records[:2]:
        assert header(record, "dlq_consumer") == "documents"
        assert header(record, "dlq_reason")
        assert header(record, "dlq_original_topic") == topic
