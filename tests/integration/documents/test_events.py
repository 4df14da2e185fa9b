"""What reaches Kafka: published, dispatched, revoked, recalled — and nothing secret."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.documents.app import create_app
from services.documents.components import components_of
from shared.auth.principal import Principal, Role
from shared.contracts import topics
from shared.contracts.vocabulary import Confidentiality
from tests.integration.documents import support
from tests.integration.documents.support import clerk, with_version
from tests.support.kafka import TopicReader, header
from tests.support.services import running_app

PARTNER = "000.00.00.G22"


def by_type(records: list[Any], ce_type: str) -> list[Any]:
    return [r for r in records if header(r, "ce_type") == ce_type]


async def test_an_issued_public_document_is_published_with_its_envelope(
    topic_suffix: str,
) -> None:
    async with support.app_reading(topic_suffix, topics.DOCUMENTS_PUBLIC) as (client, public):
        doc = (await support.issued(client)).json()
        records = await public.wait_for(1)
        assert len(records) == 1
        record = records[0]
        assert record.key == doc["id"].encode()
        assert header(record, "ce_type") == "gov.egov.document.published.v1"
        assert header(record, "ce_source") == "urn:egov:documents"
        assert header(record, "ce_subject") == doc["id"]
        assert header(record, "ce_specversion") == "1.0"
        assert header(record, "traceparent")
        data = json.loads(record.value)
        assert data["document_version"] == doc["version"]
        assert data["document"]["notation"] == doc["notation"]
        assert data["signature"] == doc["signature"]

        revoked = await client.post(
            f"/api/v1/documents/{doc['id']}/revoke",
            json={"reason": "Ban hành nhầm"},
            headers=with_version(
                clerk(), await client.get(f"/api/v1/documents/{doc['id']}", headers=clerk())
            ),
        )
        records = await public.wait_for(2)
        revocation = by_type(records, "gov.egov.document.revoked.v1")
        assert len(revocation) == 1
        assert json.loads(revocation[0].value)["document_version"] == revoked.json()["version"]


async def test_a_letter_to_an_agency_is_dispatched_and_recalled_on_revocation(
    topic_suffix: str,
) -> None:
    async with (
        support.app_reading(topic_suffix, topics.DOCUMENTS_EXCHANGE) as (client, exchange),
        TopicReader(topics.DOCUMENTS_PUBLIC + topic_suffix) as public,
    ):
        issued = await support.issued(
            client, doc_type="cong_van", access="internal", recipients_external=[PARTNER]
        )
        records = await exchange.wait_for(1)
        dispatched = json.loads(records[0].value)
        assert header(records[0], "ce_type") == "gov.egov.document.dispatched.v1"
        assert dispatched["recipients"] == [PARTNER]
        assert dispatched["document"]["notation"].endswith("/BNG-CNTT")
        await client.post(
            f"/api/v1/documents/{issued.json()['id']}/revoke",
            json={"reason": "Thu hồi"},
            headers=with_version(clerk(), issued),
        )
        records = await exchange.wait_for(2)
        recalled = by_type(records, "gov.egov.document.recalled.v1")
        assert json.loads(recalled[0].value)["recipients"] == [PARTNER]
        assert await public.poll(1.0) == [], "an internal document is never published"


async def test_a_secret_document_produces_no_record_on_any_topic(topic_suffix: str) -> None:
    async with (
        support.app_reading(topic_suffix, topics.DOCUMENTS_EXCHANGE) as (client, exchange),
        TopicReader(topics.DOCUMENTS_PUBLIC + topic_suffix) as public,
    ):
        secret = await support.issued(
            client, confidentiality="mat", access="public", recipients_external=[PARTNER]
        )
        assert secret.json()["book"] == "secret"
        await client.post(
            f"/api/v1/documents/{secret.json()['id']}/revoke",
            json={"reason": "Thu hồi"},
            headers=with_version(clerk(), secret),
        )
        # A normal document afterwards proves the topics are being read at all.
        await support.issued(client)
        records = await public.wait_for(1)
        assert [json.loads(r.value)["document"]["confidentiality"] for r in records] == ["thuong"]
        assert await exchange.poll(1.0) == []


async def test_replacing_a_published_document_announces_the_replacement(
    topic_suffix: str,
) -> None:
    async with support.app_reading(topic_suffix, topics.DOCUMENTS_PUBLIC) as (client, public):
        old = await support.issued(client)
        newer = (await support.issued(client)).json()
        replaced = await client.post(
            f"/api/v1/documents/{old.json()['id']}/replace",
            json={"replaced_by": newer["id"], "reason": "Đính chính"},
            headers=with_version(clerk(), old),
        )
        records = await public.wait_for(3)
        replacement = by_type(records, "gov.egov.document.replaced.v1")
        assert len(replacement) == 1
        data = json.loads(replacement[0].value)
        assert data["replaced_by_id"] == newer["id"]
        assert data["replaced_by_notation"] == newer["notation"]
        assert data["document_version"] == replaced.json()["version"]
        assert replacement[0].key == old.json()["id"].encode()


async def test_events_left_behind_by_a_crash_are_sent_by_the_sweeper(topic_suffix: str) -> None:
    # A short relay lease: the dead writer's lease expires quickly.
    config = support.settings(topic_suffix, outbox_lease_s=1.0, recovery_grace_s=0.5)
    async with (
        running_app(create_app, config) as client,
        TopicReader(topics.DOCUMENTS_PUBLIC + topic_suffix) as public,
    ):
        cases = components_of(support.app_of(client).state.runtime)
        ready = (await support.approved(client)).json()
        clerk_principal = Principal(
            user="clerk", roles=frozenset({Role.CLERK}), clearance=Confidentiality.MAT
        )
        with pytest.MonkeyPatch.context() as patch:
            # The document is written with its pending event; nothing is published.
            support.crash_after_issuance_step(patch, cases, 3)
            with pytest.raises(support.InjectedCrash):
                await cases.issuance.issue(clerk_principal, ready["id"], ready["version"])
        records = await public.wait_for(1, timeout=15)
        assert [header(r, "ce_type") for r in records] == ["gov.egov.document.published.v1"]
        assert records[0].key == ready["id"].encode()
