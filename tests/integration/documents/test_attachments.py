"""Attachments: limits, types by content, safe names, GridFS bytes and claim-check access."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest

from tests.integration.documents import support
from tests.integration.documents.support import drafter, with_version
from tests.support.services import auth
from tests.unit.documents.test_search_and_files import PNG_BYTES, docx_bytes

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF"


async def attach(
    client: httpx.AsyncClient,
    current: httpx.Response,
    name: str,
    data: bytes,
    mime: str = "application/pdf",
) -> httpx.Response:
    return await client.post(
        f"/api/v1/documents/{current.json()['id']}/attachments",
        files={"file": (name, data, mime)},
        headers=with_version(drafter(), current),
    )


async def test_an_attachment_is_stored_by_hash_with_a_harmless_name(
    client: httpx.AsyncClient,
) -> None:
    draft = await support.create(client)
    added = await attach(client, draft, "../../etc/Quyết định.pdf", PDF)
    assert added.status_code == 201, added.text
    item = added.json()
    assert item["name"] == "Quyết định.pdf"
    assert item["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert item["media_type"] == "application/pdf" and item["size"] == len(PDF)
    assert added.headers["ETag"] == '"2"'
    doc_id = draft.json()["id"]
    listed = await client.get(f"/api/v1/documents/{doc_id}/attachments", headers=drafter())
    assert listed.json()["items"] == [item]
    download = await client.get(
        f"/api/v1/documents/{doc_id}/attachments/{item['attachment_id']}", headers=drafter()
    )
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    other_unit = await client.get(
        f"/api/v1/documents/{doc_id}/attachments/{item['attachment_id']}",
        headers=drafter("VP"),
    )
    assert other_unit.status_code == 404


@pytest.mark.parametrize(
    ("name", "data", "mime", "status"),
    [
        ("big.pdf", b"%PDF-" + b"0" * (64 * 1024), "application/pdf", 413),
        ("virus.pdf", b"MZ\x90\x00 executable", "application/pdf", 415),
        ("page.html", b"<html><script>alert(1)</script></html>", "text/html", 415),
        ("empty.pdf", b"", "application/pdf", 422),
    ],
)
async def test_oversized_mistyped_or_empty_uploads_are_refused_and_nothing_stays(
    client: httpx.AsyncClient, name: str, data: bytes, mime: str, status: int
) -> None:
    draft = await support.create(client)
    refused = await attach(client, draft, name, data, mime)
    assert refused.status_code == status, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    after = await client.get(f"/api/v1/documents/{draft.json()['id']}", headers=drafter())
    assert after.json()["attachments"] == [] and after.json()["version"] == 1


async def test_only_drafts_take_attachments_and_only_with_the_current_version(
    client: httpx.AsyncClient,
) -> None:
    draft = await support.create(client)
    first = await attach(client, draft, "a.png", PNG_BYTES, "image/png")
    assert first.status_code == 201
    stale = await attach(client, draft, "b.png", PNG_BYTES, "image/png")
    assert stale.status_code == 412
    ready = await support.approved(client)
    late = await client.post(
        f"/api/v1/documents/{ready.json()['id']}/attachments",
        files={"file": ("x.pdf", PDF, "application/pdf")},
        headers=with_version(auth("admin"), ready),
    )
    assert late.status_code == 409


async def issued_with(
    client: httpx.AsyncClient, data: bytes, name: str, **overrides: Any
) -> dict[str, Any]:
    draft = await support.create(client, **overrides)
    added = await attach(client, draft, name, data)
    assert added.status_code == 201, added.text
    issued = await support.issue_draft(client, draft.json()["id"])
    result: dict[str, Any] = issued.json()
    return result


async def test_claim_checks_follow_who_may_fetch_what(client: httpx.AsyncClient) -> None:
    public = await issued_with(client, PDF + b"public", "public.pdf", access="public")
    dispatched = await issued_with(
        client,
        PDF + b"dispatched",
        "letter.pdf",
        access="internal",
        doc_type="cong_van",
        recipients_external=["000.00.00.G22"],
    )
    internal = await issued_with(client, docx_bytes(), "internal.docx", access="internal")
    secret = await issued_with(
        client, PDF + b"secret", "secret.pdf", access="public", confidentiality="mat"
    )
    sha = {
        name: doc["attachments"][0]["sha256"]
        for name, doc in {
            "public": public,
            "dispatched": dispatched,
            "internal": internal,
            "secret": secret,
        }.items()
    }
    portal = auth("service_portal")
    lgsp = auth("service_lgsp")
    records = auth("records_officer", clearance=support.SECRET)
    expected = {
        # who: (public, dispatched, internal, secret)
        "anonymous": ({}, (200, 404, 404, 404)),
        "portal": (portal, (200, 404, 404, 404)),
        "lgsp": (lgsp, (200, 200, 404, 404)),
        "records officer": (records, (200, 200, 200, 200)),
        "uncleared records officer": (auth("records_officer"), (200, 200, 200, 404)),
    }
    for who, (headers, statuses) in expected.items():
        got = []
        for kind in ("public", "dispatched", "internal", "secret"):
            response = await client.get(f"/api/v1/files/{sha[kind]}", headers=headers)
            got.append(response.status_code)
        assert tuple(got) == statuses, who
    body = await client.get(f"/api/v1/files/{sha['public']}")
    assert body.content == PDF + b"public"
    assert (await client.get("/api/v1/files/not-a-hash")).status_code == 422
    forged = {"Authorization": "Bearer not.a.token"}
    assert (await client.get(f"/api/v1/files/{sha['public']}", headers=forged)).status_code == 401
