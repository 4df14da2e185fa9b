"""A sender recalls a document it sent in: a clerk accepts (15, the copy is withdrawn and
marked so) or refuses (16, with the reason); while a recall waits, nothing else moves."""

from __future__ import annotations

import datetime as dt

import httpx

from shared.contracts import topics
from shared.contracts.events import InboundRecallRequested
from tests.integration.documents.support import clerk
from tests.integration.documents.test_incoming import (
    SENDER,
    app,
    files,
    inbound,
    read,
    statuses,
    step,
    until_state,
)
from tests.support.kafka import TopicReader, eventually, produce_event

__all__ = ["app", "files"]  # the module's fixtures


def recall(inbound_id: str, version: int = 2, sender: str = SENDER) -> InboundRecallRequested:
    return InboundRecallRequested(
        inbound_id=inbound_id,
        inbound_version=version,
        sender_code=sender,
        reason="Gửi nhầm văn bản",
        requested_at=dt.datetime.now(dt.UTC),
    )


async def until_recall(client: httpx.AsyncClient, inbound_id: str) -> httpx.Response:
    async def check() -> httpx.Response | None:
        response = await read(client, inbound_id)
        return response if response.json()["recall_pending"] else None

    found: httpx.Response = await eventually(check)
    return found


async def test_an_accepted_recall_withdraws_the_copy_and_a_refused_one_keeps_it(
    app: httpx.AsyncClient, module_suffix: str
) -> None:
    withdrawn, kept = inbound(), inbound()
    for event in (withdrawn, kept):
        await produce_event(event, module_suffix, source="urn:egov:lgsp")
    await until_state(app, withdrawn.inbound_id, "awaiting_registration")
    kept_now = await until_state(app, kept.inbound_id, "awaiting_registration")
    kept_now = await step(app, kept.inbound_id, "accept", clerk(), kept_now)
    assert kept_now.status_code == 200

    async with TopicReader(topics.DOCUMENTS_EXCHANGE + module_suffix) as exchange:
        await produce_event(recall(withdrawn.inbound_id), module_suffix, source="urn:egov:lgsp")
        await produce_event(recall(kept.inbound_id), module_suffix, source="urn:egov:lgsp")
        # A redelivered recall changes nothing.
        await produce_event(recall(kept.inbound_id), module_suffix, source="urn:egov:lgsp")
        pending = await until_recall(app, withdrawn.inbound_id)
        assert pending.json()["recall"]["reason"] == "Gửi nhầm văn bản"
        assert (
            await step(app, withdrawn.inbound_id, "accept", clerk(), pending)
        ).status_code == 409
        open_list = await app.get("/api/v1/incoming", headers=clerk())
        assert withdrawn.inbound_id in [i["id"] for i in open_list.json()["items"]]

        answered = await step(
            app, withdrawn.inbound_id, "recall-answer", clerk(), pending, {"accept": True}
        )
        assert answered.status_code == 200, answered.text
        assert answered.json()["state"] == "withdrawn"
        assert answered.json()["withdrawn"]["from_state"] == "awaiting_registration"
        assert answered.json()["recall"]["status"] == "accepted"
        again = await step(
            app, withdrawn.inbound_id, "recall-answer", clerk(), answered, {"accept": True}
        )
        assert again.status_code == 409

        kept_pending = await until_recall(app, kept.inbound_id)
        no_reason = await step(
            app, kept.inbound_id, "recall-answer", clerk(), kept_pending, {"accept": False}
        )
        assert no_reason.status_code == 422
        refused = await step(
            app,
            kept.inbound_id,
            "recall-answer",
            clerk(),
            kept_pending,
            {"accept": False, "reason": "Văn bản đã được phân công xử lý"},
        )
        assert refused.status_code == 200, refused.text
        assert refused.json()["state"] == "accepted"
        assert refused.json()["recall"]["status"] == "refused"
        first = await statuses(exchange, withdrawn.inbound_id, 1)
        second = await statuses(exchange, kept.inbound_id, 2)
    assert [s["status"] for s in first] == ["15"]
    assert [(s["status"], s["note"]) for s in second] == [
        ("03", ""),
        ("16", "Văn bản đã được phân công xử lý"),
    ]
    # Withdrawn documents leave the open list; the history shows them as withdrawn.
    open_list = await app.get("/api/v1/incoming", headers=clerk())
    assert withdrawn.inbound_id not in [i["id"] for i in open_list.json()["items"]]
    history = await app.get("/api/v1/incoming?state=withdrawn", headers=clerk())
    assert [i["id"] for i in history.json()["items"]] == [withdrawn.inbound_id]
    trail = await app.get(f"/api/v1/incoming/{kept.inbound_id}/audit", headers=clerk())
    actions = [e["action"] for e in trail.json()["items"]]
    assert actions == ["receive", "accept", "recall-requested", "recall-refused"]
