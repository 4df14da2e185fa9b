"""Unpublishing: a published document taken off the portal for good (`document.unpublished`);
refused for what was never published, twice, or by a role that may not revoke."""

from __future__ import annotations

import json

from services.documents.app import create_app
from shared.auth.principal import Role
from shared.contracts import topics
from tests.integration.documents import support
from tests.integration.documents.support import clerk, with_version
from tests.support.kafka import header
from tests.support.services import auth, running_app


async def test_a_published_document_is_unpublished_once_with_its_explanation(
    topic_suffix: str,
) -> None:
    async with support.app_reading(topic_suffix, topics.DOCUMENTS_PUBLIC) as (client, public):
        doc = (await support.issued(client)).json()
        await public.wait_for(1)
        url = f"/api/v1/documents/{doc['id']}"
        drafter = auth(Role.DRAFTER, unit=doc["drafting_unit"])
        refused = await client.post(
            f"{url}/unpublish",
            json={"reason": "x"},
            headers=with_version(drafter, await client.get(url, headers=clerk())),
        )
        assert refused.status_code in (403, 404)
        done = await client.post(
            f"{url}/unpublish",
            json={"reason": "Đăng nhầm lên Cổng"},
            headers=with_version(clerk(), await client.get(url, headers=clerk())),
        )
        assert done.status_code == 200, done.text
        body = done.json()
        assert (
            body["state"] == "issued" and body["unpublished"]["explanation"] == "Đăng nhầm lên Cổng"
        )
        records = await public.wait_for(2)
        gone = [r for r in records if header(r, "ce_type") == "gov.egov.document.unpublished.v1"]
        assert len(gone) == 1 and gone[0].key == doc["id"].encode()
        data = json.loads(gone[0].value)
        assert data["explanation"] == "Đăng nhầm lên Cổng"
        assert data["document_version"] == body["version"] and data["notation"] == doc["notation"]
        again = await client.post(
            f"{url}/unpublish",
            json={"reason": "lần hai"},
            headers=with_version(clerk(), await client.get(url, headers=clerk())),
        )
        assert again.status_code == 409
        trail = (await client.get(f"{url}/audit", headers=clerk())).json()
        assert any(e.get("action") == "unpublish" for e in trail["items"])


async def test_an_internal_document_cannot_be_unpublished(topic_suffix: str) -> None:
    async with running_app(create_app, support.settings(topic_suffix)) as client:
        issued = await support.issued(client, access="internal")
        url = f"/api/v1/documents/{issued.json()['id']}"
        answer = await client.post(
            f"{url}/unpublish", json={"reason": "x"}, headers=with_version(clerk(), issued)
        )
        assert answer.status_code == 409
        assert "never published" in answer.json()["detail"]
