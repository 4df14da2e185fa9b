"""Administrators' actions go to their own hash-chained audit log, never with secrets."""

from __future__ import annotations

import json

from services.lgsp.app import create_app
from shared.auth.principal import Role
from shared.http.concurrency import etag
from tests.integration.lgsp.support import ADMIN, lgsp_settings, register
from tests.support.services import auth, running_app

G22 = "000.00.00.G22"


async def test_admin_actions_are_audited_newest_first_without_secrets(topic_suffix: str) -> None:
    async with running_app(create_app, lgsp_settings(topic_suffix)) as client:
        pid, api_key, secret = await register(
            client,
            G22,
            webhook_url="https://hooks.example/g22",
            grants=("public-documents-feed",),
            subscription={"doc_types": ["quyet_dinh"]},
        )
        partner = (await client.get(f"/api/v1/partners/{pid}", headers=ADMIN)).json()
        suspended = await client.patch(
            f"/api/v1/partners/{pid}",
            json={"state": "suspended"},
            headers={**ADMIN, "If-Match": etag(partner["version"])},
        )
        assert suspended.status_code == 200, suspended.text
        rotated = await client.post(f"/api/v1/partners/{pid}/secrets", headers=ADMIN)
        assert rotated.status_code == 201
        key_id = api_key.split("_")[1]
        revoked = await client.delete(f"/api/v1/partners/{pid}/keys/{key_id}", headers=ADMIN)
        assert revoked.status_code == 204

        listed = await client.get("/api/v1/admin-audit", params={"limit": 4}, headers=ADMIN)
        assert listed.status_code == 200, listed.text
        newest = listed.json()["items"]
        assert [e["action"] for e in newest] == [
            "api_key.revoked",
            "webhook_secret.rotated",
            "partner.suspended",
            "api_key.issued",
        ]
        assert all(e["actor"] == "tester" and e["target"] == pid for e in newest)
        assert newest[0]["details"] == {"key_id": key_id}
        assert newest[1]["details"]["secret_id"] == rotated.json()["secret_id"]
        rest = await client.get(
            "/api/v1/admin-audit", params={"cursor": listed.json()["next_cursor"]}, headers=ADMIN
        )
        assert [e["action"] for e in rest.json()["items"]] == [
            "subscription.added",
            "grant.added",
            "partner.created",
        ]
        assert rest.json()["next_cursor"] is None
        assert [e["seq"] for e in newest + rest.json()["items"]] == [7, 6, 5, 4, 3, 2, 1]

        text = json.dumps(newest + rest.json()["items"])
        assert secret is not None and secret not in text
        assert rotated.json()["secret"] not in text
        assert api_key not in text and api_key.split("_", 2)[2] not in text

        verified = await client.get("/api/v1/admin-audit/verify", headers=ADMIN)
        assert verified.json()["ok"] is True
        assert verified.json()["chains"][0]["last_seq"] == 7

        # The message log holds messages only: no chain for the administrators' actions.
        log = await client.get("/api/v1/message-log/verify", headers=ADMIN)
        assert log.json() == {"ok": True, "chains": []}
        empty = await client.get("/api/v1/message-log", params={"partner": G22}, headers=ADMIN)
        assert empty.json()["items"] == []

        clerk = auth(Role.CLERK, audience=("lgsp",))
        for path in ("/api/v1/admin-audit", "/api/v1/admin-audit/verify"):
            assert (await client.get(path, headers=clerk)).status_code == 403
