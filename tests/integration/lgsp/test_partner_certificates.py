"""Administrators register the certificates partners sign their edXML with."""

from __future__ import annotations

from services.lgsp.app import create_app
from shared.auth.principal import Role
from tests.integration.lgsp.support import ADMIN, lgsp_settings, register
from tests.support.certificates import key_and_certificate
from tests.support.services import auth, running_app

G22 = "000.00.00.G22"


async def test_certificates_are_registered_listed_and_removed(topic_suffix: str) -> None:
    async with running_app(create_app, lgsp_settings(topic_suffix)) as client:
        pid, _, _ = await register(client, G22)
        base = f"/api/v1/partners/{pid}/certificates"
        _, pem = key_and_certificate("Sở Tài chính tỉnh Hà Nam")

        added = await client.post(base, json={"pem": pem}, headers=ADMIN)
        assert added.status_code == 201, added.text
        view = added.json()
        assert len(view["fingerprint"]) == 64
        assert view["subject"] == "CN=Sở Tài chính tỉnh Hà Nam"
        assert view["expired"] is False and view["not_after"] > view["not_before"]
        again = await client.post(base, json={"pem": pem}, headers=ADMIN)
        assert again.status_code == 200 and again.json()["fingerprint"] == view["fingerprint"]
        _, second = key_and_certificate("Sở Tài chính (mới)")
        assert (await client.post(base, json={"pem": second}, headers=ADMIN)).status_code == 201

        listed = (await client.get(base, headers=ADMIN)).json()["items"]
        assert len(listed) == 2 and listed[0]["fingerprint"] == view["fingerprint"]
        assert listed[0]["pem"].strip() == pem.strip()

        gone = await client.delete(f"{base}/{view['fingerprint']}", headers=ADMIN)
        assert gone.status_code == 204
        assert (
            await client.delete(f"{base}/{view['fingerprint']}", headers=ADMIN)
        ).status_code == 404
        assert len((await client.get(base, headers=ADMIN)).json()["items"]) == 1


async def test_a_bad_pem_is_422_and_only_lgsp_admins_may(topic_suffix: str) -> None:
    async with running_app(create_app, lgsp_settings(topic_suffix)) as client:
        pid, _, _ = await register(client, G22)
        base = f"/api/v1/partners/{pid}/certificates"
        bad = await client.post(
            base,
            json={"pem": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"},
            headers=ADMIN,
        )
        assert bad.status_code == 422, bad.text
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert "certificate" in bad.json()["detail"]
        assert (await client.post(base, json={"pem": "hello"}, headers=ADMIN)).status_code == 422
        _, pem = key_and_certificate()
        clerk = auth(Role.CLERK, audience=("lgsp",))
        assert (await client.post(base, json={"pem": pem}, headers=clerk)).status_code == 403
        assert (await client.get(base, headers=clerk)).status_code == 403
        assert (await client.delete(f"{base}/{'0' * 64}", headers=clerk)).status_code == 403
        assert (await client.post(base, json={"pem": pem})).status_code == 401
        missing = await client.post(
            "/api/v1/partners/nope/certificates", json={"pem": pem}, headers=ADMIN
        )
        assert missing.status_code == 404
