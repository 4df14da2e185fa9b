"""The mission's promise: an issued document appears on the portal and reaches the partner
agencies by itself, exactly as signed; what is not meant for someone never reaches them."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook

from shared.contracts import SignedDocument
from shared.contracts.models import DocumentSignature
from shared.contracts.topics import TOPICS
from shared.signing import verify
from tests.e2e.conftest import RunningPlatform
from tests.e2e.flow import CLERK, LGSP_ADMIN, Partner, draft, issue, register_partner, transition
from tests.support.kafka import TopicReader, eventually
from tests.support.partner_server import PartnerServer, partner_server

pytestmark = pytest.mark.e2e
FEED_CODE = "000.00.00.G22"
ADDRESSEE_CODE = "000.00.00.H26"
BYSTANDER_CODE = "000.00.00.H29"


class World:
    def __init__(self, platform: RunningPlatform) -> None:
        self.platform = platform
        self.documents = httpx.AsyncClient(base_url=platform.url("documents"), timeout=20)
        # The second replicas serve reads: both replicas work on the same state.
        self.portal = httpx.AsyncClient(base_url=platform.replicas("portal")[1].url, timeout=20)
        self.lgsp = httpx.AsyncClient(base_url=platform.replicas("lgsp")[1].url, timeout=20)
        self.feed_server: PartnerServer
        self.addressee_server: PartnerServer
        self.bystander_server: PartnerServer
        self.feed: Partner
        self.addressee: Partner
        self.bystander: Partner

    async def close(self) -> None:
        for client in (self.documents, self.portal, self.lgsp):
            await client.aclose()


@pytest.fixture(scope="module")
async def world(platform: RunningPlatform) -> AsyncIterator[World]:
    world = World(platform)
    async with partner_server() as feed, partner_server() as addressee, partner_server() as other:
        world.feed_server, world.addressee_server, world.bystander_server = feed, addressee, other
        world.feed = await register_partner(
            world.lgsp, FEED_CODE, "Bộ Nội vụ", webhook_url=feed.url, feed=True
        )
        world.addressee = await register_partner(
            world.lgsp,
            ADDRESSEE_CODE,
            "UBND thành phố Hà Nội",
            webhook_url=addressee.url,
            feed=False,
        )
        world.bystander = await register_partner(
            world.lgsp, BYSTANDER_CODE, "UBND tỉnh Bắc Ninh", webhook_url=other.url, feed=False
        )
        try:
            yield world
        finally:
            await world.close()


async def portal_json(world: World, doc_id: str) -> dict[str, Any] | None:
    response = await world.portal.get(f"/api/v1/documents/{doc_id}")
    return response.json() if response.status_code == 200 else None


def verify_webhook(server: PartnerServer, secret: str | None) -> list[dict[str, Any]]:
    assert secret
    hook = Webhook(secret)
    return [hook.verify(r.body, r.headers) for r in server.received]


async def test_a_public_document_appears_on_the_portal_and_reaches_the_subscribed_partner(
    world: World,
) -> None:
    issued = await issue(world.documents, draft())
    doc_id = issued["id"]

    page = await eventually(lambda: portal_json(world, doc_id), timeout=30)
    assert page["notation"] == issued["notation"]
    html = await world.portal.get(page["url"])
    assert html.status_code == 200 and issued["notation"] in html.text

    async def signature_checked() -> dict[str, Any] | None:
        current = await portal_json(world, doc_id)
        return current if current and current["signature"]["status"] != "pending" else None

    assert (await eventually(signature_checked, timeout=30))["signature"]["status"] == "verified"

    def published() -> list[Any]:
        return [
            r
            for r in world.feed_server.of_type("gov.egov.document.published.v1")
            if r.json["subject"] == doc_id
        ]

    async def delivered() -> list[Any]:
        return published()

    await eventually(delivered, timeout=30)
    payloads = verify_webhook(world.feed_server, world.feed.secret)  # Standard Webhooks
    payload = next(p for p in payloads if p["subject"] == doc_id)
    jwks = (await world.documents.get("/.well-known/jwks.json")).json()
    document = SignedDocument.model_validate(payload["data"]["document"])
    signature = DocumentSignature.model_validate(payload["data"]["signature"])
    assert verify(document, signature, jwks), "the partner verifies the document as signed"
    assert document.notation == issued["notation"]


async def test_attachments_travel_by_claim_check_to_the_portal_and_the_partner(
    world: World,
) -> None:
    pdf = b"%PDF-1.4\n% egov e2e\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
    digest = hashlib.sha256(pdf).hexdigest()
    issued = await issue(world.documents, draft(), attachments=[("ke-hoach.pdf", pdf)])
    doc_id = issued["id"]

    async def file_on_portal() -> dict[str, Any] | None:
        page = await portal_json(world, doc_id)
        files = page["attachments"] if page else []
        return files[0] if files and files[0]["available"] else None

    attachment = await eventually(file_on_portal, timeout=40)
    assert attachment["sha256"] == digest
    download = await world.portal.get(attachment["url"])
    assert download.status_code == 200 and download.content == pdf

    async def delivered() -> list[Any]:
        return [
            r
            for r in world.feed_server.of_type("gov.egov.document.published.v1")
            if r.json["subject"] == doc_id
        ]

    received = (await eventually(delivered, timeout=30))[0].json
    (claim,) = received["data"]["attachments"]
    assert claim["sha256"] == digest
    # The partner fetches the bytes from the LGSP with its own key, never from the ministry.
    assert claim["url"].startswith(world.platform.env["EGOV_LGSP_PUBLIC_URL"])
    async with httpx.AsyncClient(timeout=20) as partner:
        fetched = await partner.get(claim["url"], headers={"X-API-Key": world.feed.api_key})
        stranger = await partner.get(claim["url"])
    assert fetched.status_code == 200, fetched.text
    assert hashlib.sha256(fetched.content).hexdigest() == digest
    assert stranger.status_code == 401


async def test_an_internal_document_reaches_its_addressee_only(world: World) -> None:
    issued = await issue(
        world.documents,
        draft(doc_type="cong_van", access="internal", recipients_external=[ADDRESSEE_CODE]),
    )
    doc_id = issued["id"]

    async def dispatched() -> list[Any]:
        return [r for r in world.addressee_server.received if r.json["subject"] == doc_id]

    received = await eventually(dispatched, timeout=30)
    assert received[0].json["type"] == "gov.egov.document.dispatched.v1"
    await asyncio.sleep(2)  # give a wrong delivery time to happen
    for server in (world.feed_server, world.bystander_server):
        assert not [r for r in server.received if r.json["subject"] == doc_id]
    assert await portal_json(world, doc_id) is None
    listing = await world.portal.get("/api/v1/documents", params={"q": issued["subject"]})
    assert all(item["id"] != doc_id for item in listing.json()["items"])


async def test_a_secret_document_leaves_no_trace_outside_the_documents_service(
    world: World,
) -> None:
    issued = await issue(
        world.documents,
        draft(confidentiality="mat", recipients_external=[ADDRESSEE_CODE, FEED_CODE]),
        cleared=True,
    )
    doc_id = issued["id"]
    assert issued["state"] == "issued"
    # A public control document issued after it proves the pipeline was flowing meanwhile.
    control = await issue(world.documents, draft())
    await eventually(lambda: portal_json(world, control["id"]), timeout=30)
    for topic in TOPICS:
        async with TopicReader(topic.name + world.platform.suffix) as reader:
            records = await reader.poll(2.0)
        assert all(dict(r.headers).get("ce_subject") != doc_id.encode() for r in records), (
            topic.name
        )
        assert all(doc_id.encode() not in (r.value or b"") for r in records), topic.name
    assert await portal_json(world, doc_id) is None
    deliveries = await world.lgsp.get(
        "/api/v1/deliveries", params={"document_id": doc_id}, headers=LGSP_ADMIN
    )
    assert deliveries.status_code == 200 and deliveries.json()["items"] == []
    for server in (world.feed_server, world.addressee_server, world.bystander_server):
        assert not [r for r in server.received if r.json["subject"] == doc_id]


async def test_revocation_and_replacement_reach_the_portal_and_the_partner(world: World) -> None:
    old = await issue(world.documents, draft())
    await eventually(lambda: portal_json(world, old["id"]), timeout=30)
    await transition(world.documents, old["id"], "revoke", {"reason": "Ban hành nhầm phụ lục"})

    async def withdrawn() -> dict[str, Any] | None:
        page = await portal_json(world, old["id"])
        return page if page and page["withdrawn"] else None

    page = await eventually(withdrawn, timeout=30)
    assert page["revoked"]["reason"] == "Ban hành nhầm phụ lục"
    html = await world.portal.get(page["url"])
    assert "Ban hành nhầm phụ lục" in html.text

    async def revocation_delivered() -> list[Any]:
        return [
            r
            for r in world.feed_server.of_type("gov.egov.document.revoked.v1")
            if r.json["subject"] == old["id"]
        ]

    await eventually(revocation_delivered, timeout=30)

    first = await issue(world.documents, draft())
    second = await issue(world.documents, draft())
    await transition(
        world.documents, first["id"], "replace", {"replaced_by": second["id"], "reason": "Thay thế"}
    )

    async def linked() -> tuple[dict[str, Any], dict[str, Any]] | None:
        a, b = await portal_json(world, first["id"]), await portal_json(world, second["id"])
        if a and b and a.get("replaced_by") and b.get("replaces"):
            return a, b
        return None

    a, b = await eventually(linked, timeout=30)
    assert a["replaced_by"]["id"] == second["id"] and a["replaced_by"]["url"] == b["url"]
    assert b["replaces"][0]["id"] == first["id"] and b["replaces"][0]["url"] == a["url"]
    html = await world.portal.get(a["url"])
    assert b["url"] in html.text


async def test_a_partner_down_during_issuance_receives_it_once_after_coming_back(
    world: World,
) -> None:
    world.addressee_server.status = 503
    try:
        issued = await issue(
            world.documents, draft(doc_type="cong_van", recipients_external=[ADDRESSEE_CODE])
        )

        async def retrying() -> bool:
            listing = await world.lgsp.get(
                "/api/v1/deliveries", params={"document_id": issued["id"]}, headers=LGSP_ADMIN
            )
            items = listing.json()["items"]
            return bool(items) and items[0]["attempts"] >= 1

        await eventually(retrying, timeout=30)
    finally:
        world.addressee_server.status = 200

    async def delivered() -> list[Any]:
        return [r for r in world.addressee_server.received if r.json["subject"] == issued["id"]]

    received = await eventually(delivered, timeout=40)
    await asyncio.sleep(3)  # any duplicate would arrive now
    received = await delivered()
    ids = [r.headers["webhook-id"] for r in received]
    assert len(ids) == len(set(ids)) == 1

    # The outcome flows back: staff see the delivery as done in the documents service.
    async def staff_see_delivered() -> list[Any]:
        response = await world.documents.get(
            f"/api/v1/documents/{issued['id']}/deliveries", headers=CLERK
        )
        return [
            line
            for line in response.json()["items"]
            if line["recipient_code"] == ADDRESSEE_CODE and line["delivery_state"] == "delivered"
        ]

    await eventually(staff_see_delivered, timeout=30)


async def test_the_correlation_id_of_the_issuing_request_follows_the_document(
    world: World,
) -> None:
    correlation_id = "corr-" + uuid.uuid4().hex
    issued = await issue(world.documents, draft(), correlation_id=correlation_id)
    await eventually(lambda: portal_json(world, issued["id"]), timeout=30)

    async def feed_delivered() -> list[Any]:
        return [r for r in world.feed_server.received if r.json["subject"] == issued["id"]]

    await eventually(feed_delivered, timeout=30)
    for service in ("documents", "portal", "lgsp"):
        lines = [
            json.loads(line)
            for line in world.platform.logs(service).splitlines()
            if correlation_id in line and line.startswith("{")
        ]
        assert lines, f"{service} logged nothing with the issuing request's correlation id"
        assert all(line["correlation_id"] == correlation_id for line in lines)


async def test_a_document_sent_in_by_an_agency_is_registered_and_the_sender_hears_back(
    world: World,
) -> None:
    """Partner → LGSP inbound API → Kafka → documents (attachment by claim check) → a clerk
    accepts it → the status goes back through the outbox, Kafka and the LGSP to the sender."""
    pdf = b"%PDF-1.4 cong van gui Bo Ngoai giao " + uuid.uuid4().hex.encode()
    number = str(uuid.uuid4().int % 9000 + 1000)
    body = {
        "document_id": f"{ADDRESSEE_CODE},2026/11/20,{number}/UBND-VP",
        "header": {
            "from_organ_id": ADDRESSEE_CODE,
            "from_organ_name": "UBND thành phố Hà Nội",
            "to_organ_ids": ["000.00.00.G06"],
            "code_number": number,
            "code_notation": "UBND-VP",
            "promulgation_date": "2026-11-20",
            "document_type": "Công văn",
            "subject": "Về việc phối hợp đón đoàn khách quốc tế",
            "signer": {"position": "Phó Chủ tịch", "full_name": "Lê Hồng"},
            "priority": "khan",
        },
        "body": "Kính gửi: Bộ Ngoại giao.",
        "attachments": [
            {
                "name": f"{number}-UBND-VP.pdf",
                "media_type": "application/pdf",
                "content_base64": base64.b64encode(pdf).decode(),
            }
        ],
    }
    sender = {"X-API-Key": world.addressee.api_key}
    sent = await world.lgsp.post("/api/v1/inbound", json=body, headers=sender)
    assert sent.status_code == 201, sent.text
    receipt = sent.json()
    assert receipt["status"] == "01" and receipt["signature_verdict"] == "unsigned"
    inbound_id = receipt["inbound_id"]

    async def registrable() -> dict[str, Any] | None:
        got = await world.documents.get(f"/api/v1/incoming/{inbound_id}", headers=CLERK)
        ok = got.status_code == 200 and got.json()["state"] == "awaiting_registration"
        return got.json() if ok else None

    doc = await eventually(registrable, timeout=30)
    assert doc["sender_code"] == ADDRESSEE_CODE and doc["urgency"] == "khan"
    [attachment] = doc["attachments"]
    fetched = await world.documents.get(
        f"/api/v1/incoming/{inbound_id}/attachments/{attachment['attachment_id']}", headers=CLERK
    )
    assert fetched.status_code == 200 and fetched.content == pdf
    accepted = await world.documents.post(
        f"/api/v1/incoming/{inbound_id}/accept",
        json={"note": "Đã vào sổ văn bản đến"},
        headers={**CLERK, "If-Match": f'"{doc["version"]}"'},
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["arrival"]["number"] >= 1

    def answered() -> list[Any]:
        return [
            r
            for r in world.addressee_server.of_type("gov.egov.incoming.status_changed.v1")
            if r.json["data"]["inbound_id"] == inbound_id
        ]

    async def sender_heard() -> list[Any]:
        return answered()

    [status] = await eventually(sender_heard, timeout=30)
    assert status.json["data"]["status"] == "03"
    assert status.json["data"]["sender_notation"] == f"{number}/UBND-VP"

    async def listed() -> list[str] | None:
        view = (await world.lgsp.get(f"/api/v1/inbound/{inbound_id}", headers=sender)).json()
        codes = [s["status"] for s in view["statuses"]]
        return codes if "03" in codes else None

    assert await eventually(listed, timeout=30) == ["01", "03"]
    # Sending the same message again changes nothing: the same inbound id, no second document.
    again = await world.lgsp.post("/api/v1/inbound", json=body, headers=sender)
    assert again.status_code == 200 and again.json()["inbound_id"] == inbound_id
