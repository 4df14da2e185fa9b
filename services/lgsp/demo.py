"""Demo partners for `egov demo`, loaded through the LGSP's admin API (idempotent).

Their API keys and webhook secret are written to ``$EGOV_HOME/lgsp-demo-partners.json``, with
each partner's mode (webhook or inbox) and what it is for, so the demo receiver and a
newcomer can use them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx

from services.lgsp.demo_inbound import register_certificate, send_in
from shared import demo
from shared.auth.principal import Role
from shared.auth.tokens import issue_dev_token
from shared.settings import default_home

CREDENTIALS_FILE = "lgsp-demo-partners.json"
WEBHOOK, INBOX = "webhook", "inbox"
# Written beside each partner's credentials, so a newcomer knows which one to use for what.
DEMO_ROLES: dict[str, dict[str, str]] = {
    WEBHOOK: {
        "mode": WEBHOOK,
        "purpose": (
            "receives documents by signed webhook at the demo receiver "
            f"(http://127.0.0.1:{demo.DEMO_RECEIVER_PORT}/received lists them); "
            "webhook_secret verifies them"
        ),
    },
    INBOX: {
        "mode": INBOX,
        "purpose": (
            "has no webhook: reads GET /api/v1/inbox with its api_key (X-API-Key) and "
            "acknowledges items; sends documents in with POST /api/v1/inbound"
        ),
    },
}


def credentials_path() -> Path:
    return default_home() / CREDENTIALS_FILE


def read_credentials() -> dict[str, Any]:
    path = credentials_path()
    if not path.exists():
        return {}
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _write_credentials(value: dict[str, Any]) -> None:
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(value, indent=2, ensure_ascii=False))
    os.chmod(tmp, 0o600)
    tmp.replace(path)


async def _ensure_partner(
    client: httpx.AsyncClient, code: str, name: str, webhook_url: str | None
) -> dict[str, Any]:
    found = (await client.get("/api/v1/partners", params={"code": code})).json()["items"]
    if found:
        partner: dict[str, Any] = found[0]
        return partner
    body: dict[str, Any] = {"code": code, "name": name}
    if webhook_url:
        body["webhook_url"] = webhook_url
    response = await client.post("/api/v1/partners", json=body)
    if response.status_code == 422:
        raise RuntimeError(
            f"the LGSP refused {webhook_url}: {response.json().get('detail')} "
            "(set EGOV_LGSP_ALLOW_PRIVATE_WEBHOOKS=true for a local demo receiver)"
        )
    response.raise_for_status()
    created: dict[str, Any] = response.json()
    return created


async def _setup(
    client: httpx.AsyncClient,
    partner: dict[str, Any],
    known: dict[str, Any],
    *,
    webhook: bool,
) -> dict[str, Any]:
    pid = partner["id"]
    entry: dict[str, Any] = dict(known) if known.get("partner_id") == pid else {}
    entry.update({"partner_id": pid, "code": partner["code"], "name": partner["name"]})
    entry.update(DEMO_ROLES[WEBHOOK if webhook else INBOX])
    if partner.get("webhook_secret"):  # just created: the secret is shown this once
        entry["webhook_secret"] = partner["webhook_secret"]
    for service in ("public-documents-feed", "document-lookup"):
        if service not in partner["grants"]:
            (await client.post(f"/api/v1/partners/{pid}/grants/{service}")).raise_for_status()
    subs = (await client.get(f"/api/v1/partners/{pid}/subscriptions")).json()["items"]
    if not subs:
        (await client.post(f"/api/v1/partners/{pid}/subscriptions", json={})).raise_for_status()
    if not entry.get("api_key"):
        key = await client.post(f"/api/v1/partners/{pid}/keys", json={})
        key.raise_for_status()
        entry["api_key"] = key.json()["api_key"]
    if webhook and (not entry.get("webhook_secret") or not partner["secrets"]):
        secret = await client.post(f"/api/v1/partners/{pid}/secrets", json={})
        secret.raise_for_status()
        entry["webhook_secret"] = secret.json()["secret"]
    return entry


async def load_demo(base_url: str, webhook_url: str) -> None:
    token = issue_dev_token(user="demo", roles=[Role.LGSP_ADMIN], audience=["lgsp"])
    known = read_credentials()
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as client:
        webhook_partner = await _ensure_partner(
            client, demo.WEBHOOK_PARTNER_CODE, demo.WEBHOOK_PARTNER_NAME, webhook_url
        )
        inbox_partner = await _ensure_partner(
            client, demo.INBOX_PARTNER_CODE, demo.INBOX_PARTNER_NAME, None
        )
        partners = {
            demo.WEBHOOK_PARTNER_CODE: await _setup(
                client,
                webhook_partner,
                known.get(demo.WEBHOOK_PARTNER_CODE, {}),
                webhook=True,
            ),
            demo.INBOX_PARTNER_CODE: await _setup(
                client, inbox_partner, known.get(demo.INBOX_PARTNER_CODE, {}), webhook=False
            ),
        }
        # The inbox partner signs its edXML: the LGSP checks it against this certificate.
        await register_certificate(client, str(inbox_partner["id"]))
    _write_credentials({**known, **partners, "lgsp_url": base_url})
    await send_in(base_url, {code: str(entry["api_key"]) for code, entry in partners.items()})
