"""The permission matrix over HTTP: every role against every action, plus clearance.

Documents a user may not know about answer 404 (existence is not revealed); documents a
user may see but not act on answer 403.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shared.contracts.vocabulary import Confidentiality
from tests.integration.documents import support
from tests.integration.documents.support import UNIT, drafter, with_version
from tests.support.services import auth

ROLES = ["drafter", "approver", "clerk", "records_officer", "admin"]
PDF = b"%PDF-1.7\n%%EOF"

# action -> (state to start from, expected status per role in ROLES order)
MATRIX: dict[str, tuple[str, tuple[int, ...]]] = {
    "create": ("none", (201, 403, 403, 403, 201)),
    "read": ("draft", (200, 404, 404, 200, 200)),
    "edit": ("draft", (200, 404, 404, 403, 200)),
    "attach": ("draft", (201, 404, 404, 403, 201)),
    "submit": ("draft", (200, 404, 404, 403, 200)),
    "approve": ("submitted", (403, 200, 404, 403, 200)),
    "return": ("submitted", (403, 200, 404, 403, 200)),
    "issue": ("approved", (403, 403, 200, 403, 200)),
    "revoke": ("issued", (403, 403, 200, 403, 200)),
    "replace": ("issued", (403, 403, 200, 403, 200)),
}
CELLS = [
    (action, role, statuses[i])
    for action, (_, statuses) in MATRIX.items()
    for i, role in enumerate(ROLES)
]


def actor(role: str) -> dict[str, str]:
    return auth(role, user=f"{role}-1", unit=UNIT, clearance=support.SECRET)


async def in_state(client: httpx.AsyncClient, state: str) -> httpx.Response:
    if state == "draft":
        return await support.create(client)
    if state == "submitted":
        created = await support.create(client)
        return await client.post(
            f"/api/v1/documents/{created.json()['id']}/submit",
            headers=with_version(drafter(), created),
        )
    if state == "approved":
        return await support.approved(client)
    return await support.issued(client)


async def attempt(
    client: httpx.AsyncClient, action: str, role: str, current: httpx.Response | None
) -> httpx.Response:
    headers = actor(role)
    if current is None:
        return await client.post("/api/v1/documents", json=support.body(), headers=headers)
    url = f"/api/v1/documents/{current.json()['id']}"
    headers = with_version(headers, current)
    if action == "read":
        return await client.get(url, headers=headers)
    if action == "edit":
        return await client.patch(url, json={"subject": "Sửa trích yếu"}, headers=headers)
    if action == "attach":
        files = {"file": ("a.pdf", PDF, "application/pdf")}
        return await client.post(f"{url}/attachments", files=files, headers=headers)
    body: dict[str, Any] | None = None
    if action in ("return", "revoke"):
        body = {"reason": "Lý do"}
    if action == "replace":
        newer = await support.issued(client)
        body = {"replaced_by": newer.json()["id"]}
    return await client.post(f"{url}/{action}", json=body, headers=headers)


@pytest.mark.parametrize(("action", "role", "status"), CELLS)
async def test_each_role_gets_what_the_matrix_says(
    client: httpx.AsyncClient, action: str, role: str, status: int
) -> None:
    state = MATRIX[action][0]
    current = None if state == "none" else await in_state(client, state)
    response = await attempt(client, action, role, current)
    assert response.status_code == status, response.text
    if status >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("role", ["drafter", "approver"])
async def test_another_units_staff_do_not_learn_a_document_exists(
    client: httpx.AsyncClient, role: str
) -> None:
    submitted = await in_state(client, "submitted")
    stranger = auth(role, unit="VP", clearance=support.SECRET)
    url = f"/api/v1/documents/{submitted.json()['id']}"
    assert (await client.get(url, headers=stranger)).status_code == 404
    assert (
        await client.post(f"{url}/approve", headers=with_version(stranger, submitted))
    ).status_code == 404
    listed = await client.get("/api/v1/documents", params={"unit": UNIT}, headers=stranger)
    assert listed.json()["items"] == []


@pytest.mark.parametrize(
    ("clearance", "visible"),
    [("thuong", False), ("mat", False), ("toi_mat", True), ("tuyet_mat", True)],
)
async def test_nobody_sees_a_document_above_their_clearance(
    client: httpx.AsyncClient, clearance: str, visible: bool
) -> None:
    secret = await support.issued(client, confidentiality="toi_mat", subject="Mật lệnh 77")
    reader = auth("records_officer", clearance=Confidentiality(clearance))
    doc_id = secret.json()["id"]
    read = await client.get(f"/api/v1/documents/{doc_id}", headers=reader)
    assert read.status_code == (200 if visible else 404)
    found = await client.get("/api/v1/documents", params={"q": "mat lenh 77"}, headers=reader)
    assert (doc_id in [d["id"] for d in found.json()["items"]]) == visible
    year = secret.json()["year"]
    register = await client.get(f"/api/v1/registers/BNG/secret/{year}", headers=reader)
    assert (doc_id in [e["document_id"] for e in register.json()["items"]]) == visible


async def test_a_drafter_cannot_create_a_draft_above_their_clearance(
    client: httpx.AsyncClient,
) -> None:
    low = drafter(clearance=Confidentiality.MAT)
    refused = await client.post(
        "/api/v1/documents", json=support.body(confidentiality="toi_mat"), headers=low
    )
    assert refused.status_code == 403
