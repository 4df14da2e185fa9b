"""The partner registry: keys, secrets, grants, subscriptions and every bad-input class."""

from __future__ import annotations

from services.lgsp.app import create_app
from shared.auth.principal import Role
from tests.integration.lgsp.support import ADMIN, lgsp_settings, register
from tests.support.services import auth, running_app


async def test_registry_refuses_bad_input_and_rotates_keys_and_secrets(topic_suffix: str) -> None:
    settings = lgsp_settings(topic_suffix, allow_private_webhooks=False)
    async with running_app(create_app, settings) as client:
        # Administrators only.
        assert (await client.get("/api/v1/services")).status_code == 401
        clerk = auth(Role.CLERK)
        assert (await client.get("/api/v1/services", headers=clerk)).status_code == 403
        catalogue = (await client.get("/api/v1/services", headers=ADMIN)).json()["items"]
        assert {s["id"] for s in catalogue} >= {"public-documents-feed", "document-lookup"}

        # The SSRF guard, malformed bodies, duplicates.
        for url in ["http://127.0.0.1:9/h", "http://localhost/h", "http://10.0.0.8/h"]:
            refused = await client.post(
                "/api/v1/partners",
                json={"code": "000.00.00.X01", "name": "X", "webhook_url": url},
                headers=ADMIN,
            )
            assert refused.status_code == 422, refused.text
            assert refused.headers["content-type"].startswith("application/problem+json")
        malformed = await client.post(
            "/api/v1/partners", json={"code": "bad code!", "name": ""}, headers=ADMIN
        )
        assert malformed.status_code == 422
        assert {e["field"] for e in malformed.json()["errors"]} == {"code", "name"}
        assert (
            await client.post("/api/v1/partners", content=b"{not json", headers=ADMIN)
        ).status_code == 422
        pid, key, _ = await register(client, "000.00.00.G10")
        again = await client.post(
            "/api/v1/partners", json={"code": "000.00.00.G10", "name": "Y"}, headers=ADMIN
        )
        assert again.status_code == 409

        # Optimistic concurrency on PATCH.
        partner = await client.get(f"/api/v1/partners/{pid}", headers=ADMIN)
        assert partner.json()["code"] == "000.00.00.G10" and partner.json()["grants"] == []
        patch = {"name": "Bộ Ngoại giao"}
        missing = await client.patch(f"/api/v1/partners/{pid}", json=patch, headers=ADMIN)
        assert missing.status_code == 428
        stale = await client.patch(
            f"/api/v1/partners/{pid}", json=patch, headers={**ADMIN, "If-Match": '"99"'}
        )
        assert stale.status_code == 412
        ok = await client.patch(
            f"/api/v1/partners/{pid}",
            json=patch,
            headers={**ADMIN, "If-Match": partner.headers["ETag"]},
        )
        assert ok.status_code == 200 and ok.json()["name"] == "Bộ Ngoại giao"

        # Keys: unknown and revoked keys are 401; no grant is 403; rotation.
        lookup = "/api/v1/lookup?notation=1637/QĐ-BNG&year=2025"
        assert (await client.get(lookup)).status_code == 401
        assert (await client.get(lookup, headers={"X-API-Key": "lgsp_nope"})).status_code == 401
        assert (await client.get(lookup, headers={"X-API-Key": key})).status_code == 403
        assert (await client.get("/api/v1/inbox", headers={"X-API-Key": key})).status_code == 200
        rotated = await client.post(
            f"/api/v1/partners/{pid}/keys", json={"revoke_others": True}, headers=ADMIN
        )
        new_key = rotated.json()["api_key"]
        assert rotated.json()["revoked"] == 1
        bearer = {"Authorization": f"Bearer {key}"}
        assert (await client.get("/api/v1/inbox", headers=bearer)).status_code == 401
        new_bearer = {"Authorization": f"Bearer {new_key}"}
        assert (await client.get("/api/v1/inbox", headers=new_bearer)).status_code == 200
        keys = (await client.get(f"/api/v1/partners/{pid}/keys", headers=ADMIN)).json()["items"]
        assert all("hash" not in k and "api_key" not in k for k in keys)
        key_id = rotated.json()["key_id"]
        revoked = await client.delete(f"/api/v1/partners/{pid}/keys/{key_id}", headers=ADMIN)
        assert revoked.status_code == 204
        assert (await client.get("/api/v1/inbox", headers=new_bearer)).status_code == 401

        # Grants: unknown service 404; granting unlocks the lookup (404: nothing published).
        unknown = await client.post(f"/api/v1/partners/{pid}/grants/nothing", headers=ADMIN)
        assert unknown.status_code == 404
        await client.post(f"/api/v1/partners/{pid}/grants/document-lookup", headers=ADMIN)
        third = (await client.post(f"/api/v1/partners/{pid}/keys", headers=ADMIN)).json()
        assert (
            await client.get(lookup, headers={"X-API-Key": third["api_key"]})
        ).status_code == 404
        await client.delete(f"/api/v1/partners/{pid}/grants/document-lookup", headers=ADMIN)
        assert (
            await client.get(lookup, headers={"X-API-Key": third["api_key"]})
        ).status_code == 403

        # A suspended partner's key is refused.
        current = await client.get(f"/api/v1/partners/{pid}", headers=ADMIN)
        await client.patch(
            f"/api/v1/partners/{pid}",
            json={"state": "suspended"},
            headers={**ADMIN, "If-Match": current.headers["ETag"]},
        )
        assert (
            await client.get("/api/v1/inbox", headers={"X-API-Key": third["api_key"]})
        ).status_code == 403

        # Secrets: rotation keeps the previous one for the overlap window.
        first = await client.post(f"/api/v1/partners/{pid}/secrets", headers=ADMIN)
        assert first.json()["secret"].startswith("whsec_")
        second = await client.post(
            f"/api/v1/partners/{pid}/secrets", json={"overlap_s": 3600}, headers=ADMIN
        )
        assert second.json()["previous_valid_until"] is not None
        view = (await client.get(f"/api/v1/partners/{pid}", headers=ADMIN)).json()
        assert len(view["secrets"]) == 2 and "secret" not in view["secrets"][0]

        # Subscriptions: filters validated.
        bad_sub = await client.post(
            f"/api/v1/partners/{pid}/subscriptions",
            json={"doc_types": ["no_such_type"]},
            headers=ADMIN,
        )
        assert bad_sub.status_code == 422
        listed = await client.get(f"/api/v1/partners/{pid}/subscriptions", headers=ADMIN)
        assert listed.json()["items"] == []
        assert (await client.get("/api/v1/partners/nope", headers=ADMIN)).status_code == 404
        bad_cursor = await client.get("/api/v1/deliveries?cursor=%%%", headers=ADMIN)
        assert bad_cursor.status_code == 400
