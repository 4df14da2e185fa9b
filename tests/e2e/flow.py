"""What a ministry's staff and an integrator do, through the public HTTP interfaces only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from shared.auth.principal import Role
from shared.contracts.vocabulary import Confidentiality
from tests.support.services import auth

DRAFTER = auth(Role.DRAFTER, user="lan", unit="CNTT")
APPROVER = auth(Role.APPROVER, user="son", unit="CNTT")
CLERK = auth(Role.CLERK, user="thu", unit="VP")
LGSP_ADMIN = auth(Role.LGSP_ADMIN, user="ops")
_MAT = Confidentiality.MAT
CLEARED = {
    "drafter": auth(Role.DRAFTER, user="lan", unit="CNTT", clearance=_MAT),
    "approver": auth(Role.APPROVER, user="son", unit="CNTT", clearance=_MAT),
    "clerk": auth(Role.CLERK, user="thu", unit="VP", clearance=_MAT),
}


def draft(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "doc_type": "quyet_dinh",
        "subject": "Về việc tổ chức tập huấn chuyển đổi số " + uuid.uuid4().hex[:6],
        "drafting_unit": "CNTT",
        "signer": {"name": "Bùi Thanh Sơn", "position": "Bộ trưởng"},
        "field": "Chuyển đổi số",
        "access": "public",
        "body": "Điều 1. Tổ chức tập huấn kỹ năng số cho cán bộ, công chức.",
    }
    body.update(overrides)
    return body


async def issue(
    client: httpx.AsyncClient,
    body: dict[str, Any],
    *,
    correlation_id: str | None = None,
    cleared: bool = False,
    attachments: list[tuple[str, bytes]] | None = None,
) -> dict[str, Any]:
    """Create, submit, approve and issue a document; return it as issued."""
    headers = {"X-Correlation-ID": correlation_id} if correlation_id else {}
    drafter, approver, clerk = (
        (CLEARED["drafter"], CLEARED["approver"], CLEARED["clerk"])
        if cleared
        else (DRAFTER, APPROVER, CLERK)
    )
    created = await client.post("/api/v1/documents", json=body, headers={**drafter, **headers})
    assert created.status_code == 201, created.text
    doc_id = created.json()["id"]
    etag = created.headers["etag"]
    for name, content in attachments or []:
        uploaded = await client.post(
            f"/api/v1/documents/{doc_id}/attachments",
            files={"file": (name, content, "application/pdf")},
            headers={**drafter, "If-Match": etag},
        )
        assert uploaded.status_code == 201, uploaded.text
        etag = (await client.get(f"/api/v1/documents/{doc_id}", headers=drafter)).headers["etag"]
    for action, who in (("submit", drafter), ("approve", approver), ("issue", clerk)):
        response = await client.post(
            f"/api/v1/documents/{doc_id}/{action}",
            json={},
            headers={**who, **headers, "If-Match": etag},
        )
        assert response.status_code == 200, (action, response.text)
        etag = response.headers["etag"]
    issued: dict[str, Any] = response.json()
    return issued


async def transition(
    client: httpx.AsyncClient, doc_id: str, action: str, body: dict[str, Any]
) -> dict[str, Any]:
    current = await client.get(f"/api/v1/documents/{doc_id}", headers=CLERK)
    response = await client.post(
        f"/api/v1/documents/{doc_id}/{action}",
        json=body,
        headers={**CLERK, "If-Match": current.headers["etag"]},
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


@dataclass
class Partner:
    id: str
    code: str
    secret: str | None
    api_key: str


async def register_partner(
    lgsp: httpx.AsyncClient,
    code: str,
    name: str,
    *,
    webhook_url: str | None,
    feed: bool,
    subscription: dict[str, Any] | None = None,
) -> Partner:
    body: dict[str, Any] = {"code": code, "name": name}
    if webhook_url:
        body["webhook_url"] = webhook_url
    created = await lgsp.post("/api/v1/partners", json=body, headers=LGSP_ADMIN)
    assert created.status_code == 201, created.text
    partner_id = created.json()["id"]
    secret = None
    if webhook_url:
        rotated = await lgsp.post(
            f"/api/v1/partners/{partner_id}/secrets", json={}, headers=LGSP_ADMIN
        )
        assert rotated.status_code == 201, rotated.text
        secret = rotated.json()["secret"]
    key = await lgsp.post(f"/api/v1/partners/{partner_id}/keys", json={}, headers=LGSP_ADMIN)
    assert key.status_code == 201, key.text
    if feed:
        granted = await lgsp.post(
            f"/api/v1/partners/{partner_id}/grants/public-documents-feed", headers=LGSP_ADMIN
        )
        assert granted.status_code == 200, granted.text
        subscribed = await lgsp.post(
            f"/api/v1/partners/{partner_id}/subscriptions",
            json=subscription or {},
            headers=LGSP_ADMIN,
        )
        assert subscribed.status_code == 201, subscribed.text
    return Partner(partner_id, code, secret, key.json()["api_key"])
