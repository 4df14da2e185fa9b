"""Bad inbound events and requests: held as needs attention with the reason, dead-lettered
when unreadable, 4xx for requests; nothing half-written, no number consumed."""

from __future__ import annotations

import datetime as dt
import hashlib

import httpx

from shared.contracts import topics
from shared.messaging.envelope import build_record
from tests.integration.documents import support
from tests.integration.documents.support import approver, clerk
from tests.integration.documents.test_incoming import (
    ORG,
    PDF,
    LgspFiles,
    app,
    claim,
    files,
    inbound,
    read,
    step,
    until_state,
)
from tests.integration.documents.test_incoming_recall import recall
from tests.support.kafka import TopicReader, header, produce_event, produce_raw

__all__ = ["app", "files"]  # the module's fixtures


async def held(client: httpx.AsyncClient, inbound_id: str) -> list[str]:
    doc = (await until_state(client, inbound_id, "needs_attention")).json()
    reasons: list[str] = doc["attention"]
    return reasons


async def test_each_bad_inbound_event_is_held_with_its_reason(
    app: httpx.AsyncClient, module_suffix: str, files: LgspFiles
) -> None:
    stranger = inbound(sender_code="000.00.00.H99")
    elsewhere = inbound(to=("000.00.00.G01",))
    overdue_before_sent = inbound(due_date=dt.date.today() - dt.timedelta(days=30))
    missing = inbound(attachments=[claim(b"%PDF-1.7 never uploaded")])
    tampered_bytes = b"%PDF-1.7 the real bytes"
    tampered = inbound(attachments=[claim(b"%PDF-1.7 what the sender signed")])
    files.files[tampered.attachments[0].sha256] = tampered_bytes
    for event in (stranger, elsewhere, overdue_before_sent, missing, tampered):
        await produce_event(event, module_suffix, source="urn:egov:lgsp")

    assert "unknown sender" in (await held(app, stranger.inbound_id))[0]
    assert ORG in (await held(app, elsewhere.inbound_id))[0]
    assert "due_date" in (await held(app, overdue_before_sent.inbound_id))[0]
    assert "missing at the LGSP" in (await held(app, missing.inbound_id))[0]
    assert "sha256 mismatch" in (await held(app, tampered.inbound_id))[0]
    # Bytes that do not match were never stored.
    bad_sha = hashlib.sha256(tampered_bytes).hexdigest()
    store = support.app_of(app).state.runtime.db["attachments.content"]
    assert await store.find_one({"_id": bad_sha}) is None
    assert await store.find_one({"_id": tampered.attachments[0].sha256}) is None

    # Clerks see them in their list, cannot register them, and may reject them.
    listed = await app.get("/api/v1/incoming?state=needs_attention", headers=clerk())
    assert stranger.inbound_id in [i["id"] for i in listed.json()["items"]]
    current = await read(app, stranger.inbound_id)
    assert (await step(app, stranger.inbound_id, "accept", clerk(), current)).status_code == 409
    rejected = await step(
        app, stranger.inbound_id, "reject", clerk(), current, {"reason": "Không rõ nơi gửi"}
    )
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    assert "arrival" not in rejected.json()


async def test_the_lgsp_down_delays_the_attachments_until_it_is_back(
    app: httpx.AsyncClient, module_suffix: str, files: LgspFiles
) -> None:
    data = PDF + b"later"
    event = inbound(attachments=[claim(data)])
    files.files[event.attachments[0].sha256] = data
    files.status = 503
    try:
        await produce_event(event, module_suffix, source="urn:egov:lgsp")
        await until_state(app, event.inbound_id, "receiving")
        jobs = support.app_of(app).state.runtime.db["incoming_fetches"]
        job = await jobs.find_one({"_id": event.inbound_id})
    finally:
        files.status = 200
    assert job is not None
    await until_state(app, event.inbound_id, "awaiting_registration")


async def test_unreadable_records_and_recalls_of_nothing_go_to_the_dead_letter_topic(
    app: httpx.AsyncClient, module_suffix: str
) -> None:
    topic = topics.LGSP_INBOUND + module_suffix
    valid = build_record(inbound(), source="urn:egov:lgsp")
    await produce_raw(topic, b"{not json", key=valid.key.encode(), headers=valid.headers)
    broken = valid.value.replace(b'"inbound_version":1', b'"inbound_version":0')
    assert broken != valid.value
    await produce_raw(topic, broken, key=valid.key.encode(), headers=valid.headers)
    await produce_event(recall("in-never-received"), module_suffix, source="urn:egov:lgsp")
    async with TopicReader(topic + ".dlq") as dlq:
        records = await dlq.wait_for(3)
    assert len(records) == 3
    reasons = {r.value: header(r, "dlq_reason") or "" for r in records}
    assert reasons[b"{not json"] and reasons[broken]
    recall_reason = next(v for k, v in reasons.items() if k not in (b"{not json", broken))
    assert "no such incoming document to recall" in recall_reason
    # Nothing half-written: the broken event made no document.
    assert (await read(app, valid.key)).status_code == 404


async def test_bad_requests_get_4xx_problems(app: httpx.AsyncClient, module_suffix: str) -> None:
    event = inbound()
    await produce_event(event, module_suffix, source="urn:egov:lgsp")
    waiting = await until_state(app, event.inbound_id, "awaiting_registration")
    url = f"/api/v1/incoming/{event.inbound_id}"
    no_version = await app.post(f"{url}/accept", headers=clerk())
    assert no_version.status_code == 428
    stale = await app.post(f"{url}/accept", headers={**clerk(), "If-Match": '"9"'})
    assert stale.status_code == 412
    empty_reason = await step(app, event.inbound_id, "reject", clerk(), waiting, {"reason": ""})
    assert empty_reason.status_code == 422
    assert empty_reason.headers["content-type"] == "application/problem+json"
    accepted = await step(app, event.inbound_id, "accept", clerk(), waiting)
    assert accepted.status_code == 200
    past = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    for body in (
        {"lead_unit": "CNTT", "deadline": past, "handler": "drafter-CNTT"},
        {
            "lead_unit": "CNTT",
            "deadline": "2999-01-01",
            "handler": "x",
            "supporting_units": ["NOPE"],
        },
        {"lead_unit": "CNTT", "deadline": "2999-01-01", "handler": "x", "extra": 1},
    ):
        bad = await step(app, event.inbound_id, "assign", approver(), accepted, body)
        assert bad.status_code == 422, bad.text
    assert (await app.get("/api/v1/incoming?cursor=%%%", headers=clerk())).status_code == 400
    assert (await app.get("/api/v1/incoming", headers={})).status_code == 401
    assert (await app.get("/api/v1/incoming/nope", headers=clerk())).status_code == 404
    assert (await app.get("/api/v1/incoming?sender=a%20b", headers=clerk())).status_code == 422
