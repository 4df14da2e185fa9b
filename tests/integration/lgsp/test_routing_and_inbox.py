"""What goes to whom, end to end: feed by subscription, dispatch only to its addressees."""

from __future__ import annotations

import datetime as dt
import json

from services.lgsp.app import create_app
from shared.contracts.events import IncomingStatusChanged
from shared.contracts.topics import LGSP_STATUS
from shared.contracts.vocabulary import DocumentType, Urgency
from tests.integration.lgsp.support import (
    ADMIN,
    deliveries,
    lgsp_settings,
    partner_server,
    register,
)
from tests.support.kafka import TopicReader, eventually, produce_event, produce_raw
from tests.support.services import running_app
from tests.unit.lgsp.factories import (
    claim_check,
    dispatched,
    published,
    recalled,
    signed_document,
)

G22, H26, C01 = "000.00.00.G22", "000.00.00.H26", "000.00.00.C01"


async def test_feed_subscribers_get_matching_notices_signed_with_files_on_the_lgsp(
    topic_suffix: str,
) -> None:
    async with partner_server() as srv:
        pdf = b"%PDF-1.7 quyet dinh"
        attachment = claim_check(pdf)
        srv.files[attachment.sha256] = pdf
        settings = lgsp_settings(topic_suffix, documents_url=srv.base)
        async with running_app(create_app, settings) as client:
            feed = ("public-documents-feed", "document-lookup")
            a, a_key, a_secret = await register(
                client,
                G22,
                webhook_url=srv.url("a"),
                grants=feed,
                subscription={"doc_types": ["quyet_dinh"]},
            )
            await register(
                client,
                H26,
                webhook_url=srv.url("b"),
                grants=feed,
                subscription={"doc_types": ["cong_van"]},
            )
            # Subscribed but never granted: receives nothing.
            await register(client, C01, webhook_url=srv.url("c"), subscription={})
            doc = signed_document(doc_type=DocumentType.QUYET_DINH)
            event_id = await produce_event(published(doc, [attachment]), topic_suffix)
            await produce_raw(f"egov.documents.public.v1{topic_suffix}", b"garbage")

            await eventually(lambda: _async(len(srv.delivered("a")) == 1))
            assert a_secret is not None
            [payload] = srv.verified("a", a_secret)
            assert payload["id"] == event_id
            assert payload["type"] == "gov.egov.document.published.v1"
            assert payload["subject"] == doc.document_id
            [link] = payload["data"]["attachments"]
            assert link["url"] == f"https://lgsp.example/api/v1/files/{attachment.sha256}"
            assert srv.delivered("a")[0].headers["webhook-id"] == event_id

            # The file was fetched by claim check with the LGSP's service token.
            assert srv.file_requests[0]["authorization"].startswith("Bearer ")
            got = await client.get(
                f"/api/v1/files/{attachment.sha256}", headers={"X-API-Key": a_key}
            )
            assert got.status_code == 200 and got.content == pdf

            # The lookup service finds the published document.
            found = await client.get(
                "/api/v1/lookup",
                params={"notation": "1637/QĐ-BNG", "year": 2025},
                headers={"X-API-Key": a_key},
            )
            assert found.status_code == 200, found.text
            assert found.json()["document"]["document_id"] == doc.document_id

            # The status of the delivery is published.
            async with TopicReader(LGSP_STATUS + topic_suffix) as reader:
                await reader.wait_for(1)
                states = [json.loads(r.value) for r in reader.records]
            assert states[0]["delivery_state"] == "delivered"
            assert states[0]["recipient_code"] == G22

            # The malformed record went to the dead-letter topic.
            async with TopicReader(f"egov.documents.public.v1{topic_suffix}.dlq") as dlq:
                assert len(await dlq.wait_for(1)) == 1

            jobs = await deliveries(client)
            assert [j["partner_id"] for j in jobs] == [a]
            assert srv.delivered("b") == [] and srv.delivered("c") == []


async def test_a_dispatch_reaches_only_its_addressee_and_the_inbox_pages_and_acks(
    topic_suffix: str,
) -> None:
    async with partner_server() as srv:
        settings = lgsp_settings(topic_suffix, inbox_visibility_s=1.0)
        async with running_app(create_app, settings) as client:
            a, a_key, a_secret = await register(client, G22, webhook_url=srv.url("a"))
            b, b_key, _ = await register(client, H26)  # pull only
            headers_b = {"X-API-Key": b_key}
            to_b = dispatched([H26])
            to_b_2 = dispatched([H26, "000.99.99.Z99"])
            await produce_event(to_b, topic_suffix)
            await produce_event(to_b_2, topic_suffix)
            urgent_to_a = dispatched([G22], urgency=Urgency.HOA_TOC)
            await produce_event(urgent_to_a, topic_suffix)
            await produce_event(recalled(urgent_to_a.document_id, [G22]), topic_suffix)
            status_in = IncomingStatusChanged(
                inbound_id="in-1",
                incoming_version=2,
                sender_code=G22,
                sender_document_id=f"{G22},2026/11/20,12/UBND-VP",
                sender_notation="12/UBND-VP",
                promulgation_date=dt.date(2026, 11, 20),
                status="03",
                changed_at=dt.datetime.now(dt.UTC),
            )
            await produce_event(status_in, topic_suffix)

            await eventually(lambda: _async(len(srv.delivered("a")) == 3))
            assert a_secret is not None
            received = srv.verified("a", a_secret)
            types = sorted(p["type"] for p in received)
            assert types == [
                "gov.egov.document.dispatched.v1",
                "gov.egov.document.recalled.v1",
                "gov.egov.incoming.status_changed.v1",
            ]
            assert {p["subject"] for p in received} == {urgent_to_a.document_id, "in-1"}

            # Pull inbox: page by cursor, items come back until acknowledged.
            page1 = (await client.get("/api/v1/inbox?limit=1", headers=headers_b)).json()
            assert len(page1["items"]) == 1 and page1["next_cursor"]
            page2 = await client.get(
                f"/api/v1/inbox?limit=1&cursor={page1['next_cursor']}", headers=headers_b
            )
            items = page1["items"] + page2.json()["items"]
            assert {i["document_id"] for i in items} == {to_b.document_id, to_b_2.document_id}
            assert (await client.get("/api/v1/inbox", headers=headers_b)).json()["items"] == []
            first = items[0]["delivery_id"]
            acked = await client.post(f"/api/v1/inbox/{first}/ack", headers=headers_b)
            assert acked.json()["state"] == "delivered"
            back = await eventually(lambda: _inbox(client, headers_b), timeout=5)
            assert [i["delivery_id"] for i in back] == [items[1]["delivery_id"]]

            # Nobody else's deliveries: A cannot ack B's item nor B report on A's.
            a_headers = {"X-API-Key": a_key}
            other = await client.post(f"/api/v1/inbox/{first}/ack", headers=a_headers)
            assert other.status_code == 404

            # B reports its handling status; it goes out on the status topic.
            bad = await client.post(
                f"/api/v1/deliveries/{first}/status", json={"status": "99"}, headers=headers_b
            )
            assert bad.status_code == 422
            reported = await client.post(
                "/api/v1/statuses",
                json={"document_id": items[0]["document_id"], "status": "03", "note": "ok"},
                headers=headers_b,
            )
            assert reported.status_code == 200, reported.text
            assert reported.json()["receiver_status"] == "03"

            async with TopicReader(LGSP_STATUS + topic_suffix) as reader:
                await eventually(lambda: _has_receiver_status(reader), timeout=15)
                events = [json.loads(r.value) for r in reader.records]
            mine = [e for e in events if e["receiver_status"] == "03"]
            assert mine[0]["recipient_code"] == H26
            assert all(e["recipient_code"] in (G22, H26) for e in events)

            jobs = await deliveries(client)
            assert {(j["partner_id"], j["document_id"]) for j in jobs} == {
                (b, to_b.document_id),
                (b, to_b_2.document_id),
                (a, urgent_to_a.document_id),
                (a, "in-1"),
            }
            urgent = [j for j in jobs if j["event_type"] == "document.dispatched"]
            assert max(j["priority"] for j in urgent) == 3
            filtered = await deliveries(client, partner_id=b, state="delivered")
            assert [j["id"] for j in filtered] == [first]
            assert (await client.get("/api/v1/deliveries/x:y", headers=ADMIN)).status_code == 404


async def _async(value: bool) -> bool:
    return value


async def _inbox(client: object, headers: dict[str, str]) -> list[dict[str, object]]:
    import httpx

    assert isinstance(client, httpx.AsyncClient)
    items: list[dict[str, object]] = (await client.get("/api/v1/inbox", headers=headers)).json()[
        "items"
    ]
    return items


async def _has_receiver_status(reader: TopicReader) -> bool:
    await reader.poll(0.5)
    return any(json.loads(r.value).get("receiver_status") for r in reader.records)
