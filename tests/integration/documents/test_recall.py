"""Recalling a dispatched document: one request to every recipient, their answers per
recipient, refusals with clear problems, and exactly one event even after a crash."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from services.documents.app import create_app
from services.documents.components import components_of
from shared.auth.principal import Principal, Role
from shared.contracts import topics
from shared.contracts.events import DeliveryStatusChanged
from shared.contracts.vocabulary import Confidentiality, DeliveryState, IncomingStatus
from tests.integration.documents import support
from tests.integration.documents.support import approver, clerk, drafter, with_version
from tests.support.kafka import TopicReader, eventually, header, produce_event
from tests.support.services import auth, running_app

G22, H10 = "000.00.00.G22", "000.00.00.H10"
RECALLED = "gov.egov.document.recalled.v1"
REASON = "Văn bản gửi nhầm nơi nhận"


def admin() -> dict[str, str]:
    return auth(Role.ADMIN, user="admin", clearance=Confidentiality.TUYET_MAT)


async def letter(client: httpx.AsyncClient, **overrides: Any) -> httpx.Response:
    """An internal official letter issued and dispatched to two agencies."""
    values: dict[str, Any] = {
        "doc_type": "cong_van",
        "access": "internal",
        "recipients_external": [G22, H10],
    }
    values.update(overrides)
    return await support.issued(client, **values)


async def recall(
    client: httpx.AsyncClient,
    doc: httpx.Response,
    headers: dict[str, str] | None = None,
    **body: Any,
) -> httpx.Response:
    return await client.post(
        f"/api/v1/documents/{doc.json()['id']}/recall",
        json=body if body else {"reason": REASON},
        headers=with_version(headers or clerk(), doc),
    )


async def fresh(client: httpx.AsyncClient, doc_id: str) -> httpx.Response:
    response = await client.get(f"/api/v1/documents/{doc_id}", headers=clerk())
    assert response.status_code == 200, response.text
    return response


async def lines(client: httpx.AsyncClient, doc_id: str) -> dict[str, dict[str, Any]]:
    response = await client.get(f"/api/v1/documents/{doc_id}/deliveries", headers=clerk())
    assert response.status_code == 200, response.text
    return {line["recipient_code"]: line for line in response.json()["items"]}


def answer(
    doc_id: str, code: str, version: int, *, job: str = "recall", **changes: Any
) -> DeliveryStatusChanged:
    """A status of ``code`` on the job ``job`` (the recall, or the dispatch)."""
    return support.delivery_status(
        doc_id, code, version, delivery_id=f"{job}-{doc_id}:{code}", **changes
    )


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def recalls(records: list[Any]) -> list[dict[str, Any]]:
    return [json.loads(r.value) for r in records if header(r, "ce_type") == RECALLED]


async def test_a_recall_asks_both_recipients_once_and_shows_their_answers(
    topic_suffix: str,
) -> None:
    async with support.app_reading(topic_suffix, topics.DOCUMENTS_EXCHANGE) as (client, exchange):
        issued = await letter(client)
        doc_id = issued.json()["id"]
        await exchange.wait_for(1)
        # The dispatch's own delivery job has already moved on (versions of its own).
        await produce_event(
            answer(doc_id, G22, 2, job="dispatch", state=DeliveryState.DELIVERED), topic_suffix
        )
        await produce_event(
            answer(doc_id, G22, 5, job="dispatch", receiver=IncomingStatus.ACCEPTED), topic_suffix
        )

        recalled = await recall(client, issued)
        assert recalled.status_code == 200, recalled.text
        doc = recalled.json()
        assert doc["state"] == "issued" and doc["notation"] == issued.json()["notation"]
        assert doc["version"] == issued.json()["version"] + 1
        assert recalled.headers["ETag"] == f'"{doc["version"]}"'
        assert doc["recall"]["status"] == "requested"
        assert doc["recall"]["reason"] == REASON
        assert doc["recall"]["requested_by"] == "clerk"
        assert (doc["recall"]["pending"], doc["recall"]["accepted"]) == (2, 0)

        records = await exchange.wait_for(2)
        [event] = recalls(records)
        assert event["recipients"] == [G22, H10]
        assert event["reason"] == REASON
        assert event["document_version"] == doc["version"]
        assert [r.key for r in records] == [doc_id.encode()] * 2

        requested = await lines(client, doc_id)
        for code in (G22, H10):
            assert requested[code]["recall"]["status"] == "13"
            assert requested[code]["recall"]["note"] == REASON

        # The answers come on the recall's own delivery job, whose versions start again.
        await produce_event(
            answer(doc_id, G22, 3, receiver=IncomingStatus.RECALL_ACCEPTED, note="Đã hủy bản"),
            topic_suffix,
        )
        refusal = answer(doc_id, H10, 3, receiver=IncomingStatus.RECALL_REFUSED, note="Đã ban hành")
        refusal_id = await produce_event(refusal, topic_suffix)
        # Duplicates and stragglers never move a recipient back.
        await produce_event(refusal, topic_suffix, event_id=refusal_id)
        await produce_event(
            answer(doc_id, G22, 2, receiver=IncomingStatus.RECALL_REFUSED), topic_suffix
        )
        await produce_event(
            answer(
                doc_id, G22, 6, job="dispatch", receiver=IncomingStatus.IN_PROGRESS, note="xử lý"
            ),
            topic_suffix,
        )

        async def answered() -> dict[str, dict[str, Any]] | None:
            found = await lines(client, doc_id)
            done = found[G22]["note"] == "xử lý" and found[H10]["recall"]["status"] == "16"
            return found if done else None

        found = await eventually(answered)
        assert found[G22]["recall"]["status"] == "15"
        assert found[G22]["recall"]["note"] == "Đã hủy bản"
        assert found[G22]["receiver_status"] == "05"
        assert found[G22]["delivery_state"] == "delivered"
        assert found[H10]["recall"] == {
            "status": "16",
            "note": "Đã ban hành",
            "updated_at": found[H10]["recall"]["updated_at"],
        }
        assert found[H10]["recall"]["updated_at"] is not None

        current = await fresh(client, doc_id)
        summary = current.json()["recall"]
        assert summary["status"] == "refused_by_some"
        assert (summary["pending"], summary["accepted"], summary["refused"]) == (0, 1, 1)

        again = problem(await recall(client, current), 409)
        assert "already recalled" in again["detail"] and "1 recipient(s) refused" in again["detail"]
        assert again["state"] == "issued"

        # Revoking a recalled document asks nobody a second time.
        revoked = await client.post(
            f"/api/v1/documents/{doc_id}/revoke",
            json={"reason": "Thu hồi"},
            headers=with_version(clerk(), current),
        )
        assert revoked.status_code == 200, revoked.text
        assert revoked.json()["recall"]["reason"] == REASON
        await exchange.poll(1.5)
        assert len(recalls(exchange.records)) == 1


async def test_revoking_a_dispatched_document_recalls_it_like_a_recall(
    client: httpx.AsyncClient, module_suffix: str
) -> None:
    issued = await letter(client)
    doc_id = issued.json()["id"]
    revoked = await client.post(
        f"/api/v1/documents/{doc_id}/revoke",
        json={"reason": "Bãi bỏ"},
        headers=with_version(clerk(), issued),
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["state"] == "revoked"
    assert revoked.json()["recall"]["status"] == "requested"
    await produce_event(
        answer(doc_id, H10, 3, receiver=IncomingStatus.RECALL_ACCEPTED, note="đồng ý"),
        module_suffix,
    )

    async def accepted() -> dict[str, dict[str, Any]] | None:
        found = await lines(client, doc_id)
        return found if found[H10]["recall"]["status"] == "15" else None

    found = await eventually(accepted)
    assert found[G22]["recall"] == {
        "status": "13",
        "note": "Bãi bỏ",
        "updated_at": revoked.json()["recall"]["requested_at"],
    }
    trail = (await client.get(f"/api/v1/documents/{doc_id}/audit", headers=clerk())).json()
    assert [e["action"] for e in trail["items"]][-1] == "revoke"


async def test_a_recall_that_cannot_be_made_gets_a_clear_problem(
    client: httpx.AsyncClient,
) -> None:
    # Never issued: a draft (only the admin sees it) and an approved document.
    draft = await support.create(client, recipients_external=[G22])
    body = problem(await recall(client, draft, admin()), 409)
    assert body["state"] == "draft" and "recall" in body["detail"]
    ready = await support.approved(client, recipients_external=[G22])
    assert problem(await recall(client, ready), 409)["state"] == "approved"

    # Issued but never dispatched: no external recipient.
    public = await support.issued(client)
    assert "never dispatched" in problem(await recall(client, public), 409)["detail"]

    # Classified: never dispatched, whoever it names.
    secret = await letter(client, confidentiality="mat")
    assert secret.json()["dispatched"] is False
    assert "classified" in problem(await recall(client, secret), 409)["detail"]

    issued = await letter(client)
    url = f"/api/v1/documents/{issued.json()['id']}/recall"
    headers = with_version(clerk(), issued)
    problem(await client.post(url, json={}, headers=headers), 422)
    problem(await client.post(url, json={"reason": ""}, headers=headers), 422)
    problem(await client.post(url, json={"reason": "x", "extra": 1}, headers=headers), 422)
    for who in (drafter(), approver(), auth(Role.RECORDS_OFFICER, user="records")):
        problem(await recall(client, issued, who), 403)
    problem(await client.post(url, json={"reason": REASON}, headers=clerk()), 428)
    problem(
        await client.post(url, json={"reason": REASON}, headers={**clerk(), "If-Match": '"1"'}), 412
    )
    problem(await client.post(url, json={"reason": REASON}), 401)

    first = await recall(client, issued)
    assert first.status_code == 200, first.text
    twice = problem(await recall(client, first), 409)
    assert "already pending" in twice["detail"] and "2 of 2" in twice["detail"]
    assert twice["version"] == first.json()["version"]
    # Refused attempts wrote nothing: one audit entry for the one recall.
    trail = (await client.get(f"{url[: -len('/recall')]}/audit", headers=clerk())).json()
    assert [e["action"] for e in trail["items"]].count("recall") == 1


async def test_a_crash_between_the_write_and_the_publication_still_publishes_once(
    topic_suffix: str,
) -> None:
    # A short relay lease: the dead writer's lease expires quickly.
    config = support.settings(topic_suffix, outbox_lease_s=1.0, recovery_grace_s=0.5)
    async with (
        running_app(create_app, config) as client,
        TopicReader(topics.DOCUMENTS_EXCHANGE + topic_suffix) as exchange,
    ):
        cases = components_of(support.app_of(client).state.runtime)
        issued = (await letter(client)).json()
        await exchange.wait_for(1)
        principal = Principal(
            user="clerk", roles=frozenset({Role.CLERK}), clearance=Confidentiality.MAT
        )
        with pytest.MonkeyPatch.context() as patch:
            # The recall is written with its pending event; the process dies before sending.
            patch.setattr(cases.trail, "flush", support._dies)
            patch.setattr(cases.relay, "publish_written", support._dies)
            with pytest.raises(support.InjectedCrash):
                await cases.recall.recall(principal, issued["id"], issued["version"], REASON)
        records = await exchange.wait_for(2, timeout=15)
        # Long enough for several sweeps: none may send it again.
        await asyncio.sleep(3)
        await exchange.poll(1.0)
        [event] = recalls(exchange.records)
        assert event["recipients"] == [G22, H10]
        assert len(records) == 2

        async def settled() -> dict[str, Any] | None:
            doc = await cases.documents.get(issued["id"])
            clean = doc is not None and not doc.get("outbox") and not doc.get("audit_pending")
            return doc if clean else None

        doc = await eventually(settled)
        assert doc["recall"]["reason"] == REASON
        assert event["document_version"] == doc["version"]
        verdict = await cases.trail.verify(issued["id"])
        assert verdict.valid
        trail = [e["action"] for e in await cases.trail.trail(issued["id"])]
        assert trail[-1] == "recall"
