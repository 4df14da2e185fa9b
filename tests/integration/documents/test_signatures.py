"""Issued documents are signed with the issuer's Ed25519 key and can be verified by anyone."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.documents.app import create_app
from shared.contracts import topics
from shared.contracts.models import DocumentSignature
from shared.signing import verify
from tests.integration.documents import support
from tests.integration.documents.support import drafter, with_version
from tests.support.infra import unique
from tests.support.services import running_app

PDF = b"%PDF-1.4\nsigned attachment\n%%EOF"


async def test_a_published_document_verifies_against_the_jwks_and_tampering_fails(
    topic_suffix: str,
) -> None:
    async with support.app_reading(topic_suffix, topics.DOCUMENTS_PUBLIC) as (client, public):
        draft = await support.create(client)
        attached = await client.post(
            f"/api/v1/documents/{draft.json()['id']}/attachments",
            files={"file": ("qd.pdf", PDF, "application/pdf")},
            headers=with_version(drafter(), draft),
        )
        assert attached.status_code == 201
        doc_id = draft.json()["id"]
        await support.issue_draft(client, doc_id)
        record = (await public.wait_for(1))[0]
        event = json.loads(record.value)
        assert event["attachments"][0]["fetch_path"] == (
            f"/api/v1/files/{hashlib.sha256(PDF).hexdigest()}"
        )

        jwks = (await client.get("/.well-known/jwks.json")).json()
        assert [k["kid"] for k in jwks["keys"]] == [event["signature"]["kid"]]
        signature = DocumentSignature(**event["signature"])
        assert verify(event["document"], signature, jwks)

        by_id = (await client.post("/api/v1/verify", json={"document_id": doc_id})).json()
        assert by_id["valid"] is True and by_id["notation"] == event["document"]["notation"]
        pair = {"document": event["document"], "signature": event["signature"]}
        assert (await client.post("/api/v1/verify", json=pair)).json()["valid"] is True

        forged = {**event["document"], "subject": "Nội dung bị sửa"}
        verdict = (
            await client.post(
                "/api/v1/verify", json={"document": forged, "signature": event["signature"]}
            )
        ).json()
        assert verdict["valid"] is False and verdict["signature_valid"] is False

        by_file = (
            await client.post("/api/v1/verify", json={"sha256": hashlib.sha256(PDF).hexdigest()})
        ).json()
        assert by_file["valid"] is True and by_file["documents"][0]["document_id"] == doc_id
        unknown = await client.post("/api/v1/verify", json={"sha256": "0" * 64})
        assert unknown.json()["valid"] is False
        both = await client.post("/api/v1/verify", json={"document_id": doc_id, "sha256": "0" * 64})
        assert both.status_code == 422


async def test_an_internal_document_is_not_confirmed_to_anonymous_callers(
    topic_suffix: str,
) -> None:
    async with running_app(create_app, support.settings(topic_suffix)) as client:
        doc = (await support.issued(client, access="internal")).json()
        anonymous = (await client.post("/api/v1/verify", json={"document_id": doc["id"]})).json()
        assert anonymous["valid"] is False
        staff = await client.post(
            "/api/v1/verify", json={"document_id": doc["id"]}, headers=support.clerk()
        )
        assert staff.json()["valid"] is True


async def test_two_replicas_share_one_generated_key(topic_suffix: str) -> None:
    database = unique("t_documents_")
    config = support.settings(topic_suffix, database)
    async with running_app(create_app, config) as one, running_app(create_app, config) as two:
        first = (await one.get("/.well-known/jwks.json")).json()
        second = (await two.get("/.well-known/jwks.json")).json()
        assert first == second and len(first["keys"]) == 1
        assert first["keys"][0]["kid"].startswith("BNG-20")


async def test_a_configured_pem_key_signs_and_is_published(
    topic_suffix: str, tmp_path: Path
) -> None:
    key = Ed25519PrivateKey.generate()
    pem_path = tmp_path / "issuer.pem"
    pem_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    config = support.settings(
        topic_suffix, signing_key_file=str(pem_path), signing_key_id="BNG-2026-9"
    )
    async with running_app(create_app, config) as client:
        doc = (await support.issued(client)).json()
        assert doc["signature"]["kid"] == "BNG-2026-9"
        jwks = (await client.get("/.well-known/jwks.json")).json()
        assert "BNG-2026-9" in [k["kid"] for k in jwks["keys"]]


def _pem_file(path: Path) -> str:
    key = Ed25519PrivateKey.generate()
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(path)


async def test_after_a_key_rotation_documents_signed_with_the_old_key_still_verify(
    topic_suffix: str, tmp_path: Path
) -> None:
    database = unique("t_documents_")
    old = support.settings(
        topic_suffix,
        database,
        signing_key_file=_pem_file(tmp_path / "old.pem"),
        signing_key_id="BNG-2026-1",
    )
    new = support.settings(
        topic_suffix,
        database,
        signing_key_file=_pem_file(tmp_path / "new.pem"),
        signing_key_id="BNG-2026-2",
    )
    # A rolling restart: a replica on the old key and one on the new key share the database.
    async with running_app(create_app, old) as before, running_app(create_app, new) as after:
        signed_before = (await support.issued(before)).json()
        signed_after = (await support.issued(after)).json()
        assert signed_before["signature"]["kid"] == "BNG-2026-1"
        assert signed_after["signature"]["kid"] == "BNG-2026-2"
        kids = {k["kid"] for k in (await after.get("/.well-known/jwks.json")).json()["keys"]}
        assert {"BNG-2026-1", "BNG-2026-2"} <= kids
        for doc in (signed_before, signed_after):
            verdict = await after.post(
                "/api/v1/verify", json={"document_id": doc["id"]}, headers=drafter()
            )
            assert verdict.status_code == 200, verdict.text
            assert verdict.json()["valid"] is True
