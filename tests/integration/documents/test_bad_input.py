"""Bad input of every kind gets a 4xx problem naming the problem, and changes nothing."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from shared.auth.devkeys import key_id, load_or_create_dev_key
from shared.auth.principal import Role
from shared.auth.tokens import issue_dev_token
from tests.integration.documents import support
from tests.integration.documents.support import clerk, drafter, with_version


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    return body


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"subject": 123}, "subject"),
        ({"doc_type": "bogus"}, "doc_type"),
        ({"urgency": "very"}, "urgency"),
        ({"confidentiality": "top_secret"}, "confidentiality"),
        ({"recipients_external": ["not a code!"]}, "recipients_external.0"),
        ({"effective_date": "31/12/2025"}, "effective_date"),
        ({"surprise": True}, "surprise"),
        ({"signer": {"name": "A"}}, "signer.position"),
    ],
)
async def test_a_malformed_draft_names_the_offending_field(
    client: httpx.AsyncClient, change: dict[str, Any], field: str
) -> None:
    body = problem(
        await client.post("/api/v1/documents", json=support.body(**change), headers=drafter()),
        422,
    )
    assert field in [e["field"] for e in body["errors"]]


async def test_missing_fields_and_non_json_bodies_are_refused(client: httpx.AsyncClient) -> None:
    data = support.body()
    del data["doc_type"]
    body = problem(await client.post("/api/v1/documents", json=data, headers=drafter()), 422)
    assert "doc_type" in body["detail"]
    problem(
        await client.post(
            "/api/v1/documents",
            content=b"{not json",
            headers={**drafter(), "content-type": "application/json"},
        ),
        422,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"drafting_unit": "NOPE"}, "drafting_unit"),
        ({"recipients_internal": ["XX"]}, "recipients_internal"),
    ],
)
async def test_units_must_exist_in_the_organisation(
    client: httpx.AsyncClient, change: dict[str, Any], field: str
) -> None:
    headers = drafter(change.get("drafting_unit", support.UNIT))
    body = problem(
        await client.post("/api/v1/documents", json=support.body(**change), headers=headers), 422
    )
    assert body["errors"][0]["field"] == field


def forged_token() -> str:
    stranger = ec.generate_private_key(ec.SECP256R1())
    real_kid = key_id(load_or_create_dev_key().public_key())
    now = int(time.time())
    claims = {
        "iss": "urn:egov:dev-idp",
        "sub": "mallory",
        "aud": ["documents"],
        "iat": now,
        "exp": now + 600,
        "roles": ["admin"],
        "clearance": "tuyet_mat",
    }
    return jwt.encode(claims, stranger, algorithm="ES256", headers={"kid": real_kid})


@pytest.mark.parametrize(
    ("token", "words"),
    [
        (None, "bearer token is required"),
        ("garbage", "not a well-formed JWT"),
        ("forged", "invalid"),
        ("expired", "expired"),
        ("audience", "not meant for the documents service"),
    ],
)
async def test_bad_tokens_are_refused_with_the_reason(
    client: httpx.AsyncClient, token: str | None, words: str
) -> None:
    tokens = {
        "garbage": "garbage",
        "forged": forged_token(),
        "expired": issue_dev_token(user="u", roles=[Role.ADMIN], ttl_s=-60),
        "audience": issue_dev_token(user="u", roles=[Role.ADMIN], audience=["portal"]),
    }
    headers = {"Authorization": f"Bearer {tokens[token]}"} if token else {}
    body = problem(await client.get("/api/v1/documents", headers=headers), 401)
    assert words in body["detail"]


async def test_issuing_without_a_signer_is_refused_and_leaves_the_document_approved(
    client: httpx.AsyncClient,
) -> None:
    ready = await support.approved(client, signer=None)
    url = f"/api/v1/documents/{ready.json()['id']}"
    body = problem(await client.post(f"{url}/issue", headers=with_version(clerk(), ready)), 422)
    assert body["errors"][0]["field"] == "signer"
    after = (await client.get(url, headers=clerk())).json()
    assert after["state"] == "approved" and after["version"] == ready.json()["version"]
    fixed = await client.post(
        f"{url}/issue",
        json={"signer": {"name": "Lê Thị B", "position": "Chánh Văn phòng"}},
        headers=with_version(clerk(), ready),
    )
    assert fixed.status_code == 200 and fixed.json()["signer"]["name"] == "Lê Thị B"


async def test_a_replacement_must_be_another_issued_document(client: httpx.AsyncClient) -> None:
    old = await support.issued(client)
    draft = await support.create(client)
    url = f"/api/v1/documents/{old.json()['id']}/replace"
    headers = with_version(clerk(), old)
    problem(await client.post(url, json={"replaced_by": old.json()["id"]}, headers=headers), 422)
    problem(await client.post(url, json={"replaced_by": draft.json()["id"]}, headers=headers), 404)
    problem(await client.post(url, json={}, headers=headers), 422)
    still = (await client.get(f"/api/v1/documents/{old.json()['id']}", headers=clerk())).json()
    assert still["state"] == "issued"


async def test_unknown_documents_and_nonsense_versions(client: httpx.AsyncClient) -> None:
    problem(await client.get("/api/v1/documents/nope", headers=drafter()), 404)
    draft = await support.create(client)
    url = f"/api/v1/documents/{draft.json()['id']}/submit"
    problem(await client.post(url, headers={**drafter(), "If-Match": "yesterday"}), 412)
    problem(await client.get("/api/v1/documents", params={"state": "lost"}, headers=drafter()), 422)
