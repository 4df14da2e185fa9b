"""Issued documents carry a detached JWS that JOSE libraries verify against the JWKS, with
the README's own snippet; documents signed in the original form still verify."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import rfc8785
from joserfc import jws as joserfc_jws
from joserfc.jwk import KeySet

from shared.contracts import topics
from tests.integration.documents import support
from tests.integration.documents.support import drafter, with_version

README = Path(__file__).parents[3] / "README.md"
PDF = b"%PDF-1.4\nsigned attachment\n%%EOF"


def readme_snippet() -> dict[str, Any]:
    """Run the README's Python block under "Verify a document with a JOSE library"."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Verify a document with a JOSE library", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the README shows the snippet"
    namespace: dict[str, Any] = {}
    exec(compile(match.group(1), "README.md", "exec"), namespace)
    return namespace


async def issued_with_attachment(client: httpx.AsyncClient) -> dict[str, Any]:
    draft = await support.create(client)
    doc_id = draft.json()["id"]
    attached = await client.post(
        f"/api/v1/documents/{doc_id}/attachments",
        files={"file": ("qd.pdf", PDF, "application/pdf")},
        headers=with_version(drafter(), draft),
    )
    assert attached.status_code == 201, attached.text
    current = await client.get(f"/api/v1/documents/{doc_id}", headers=drafter())
    submitted = await client.post(
        f"/api/v1/documents/{doc_id}/submit", headers=with_version(drafter(), current)
    )
    approved = await client.post(
        f"/api/v1/documents/{doc_id}/approve", headers=with_version(support.approver(), submitted)
    )
    issued = await client.post(
        f"/api/v1/documents/{doc_id}/issue", headers=with_version(support.clerk(), approved)
    )
    assert issued.status_code == 200, issued.text
    result: dict[str, Any] = issued.json()
    return result


async def test_a_partner_verifies_an_issued_document_with_the_readme_snippet(
    topic_suffix: str,
) -> None:
    verify_document = readme_snippet()["verify_document"]
    async with support.app_reading(topic_suffix, topics.DOCUMENTS_PUBLIC) as (client, public):
        issued = await issued_with_attachment(client)
        event = json.loads((await public.wait_for(1))[0].value)
        jwks = (await client.get("/.well-known/jwks.json")).json()

        signature = event["signature"]
        assert signature["jws"] == issued["signature"]["jws"]
        header = verify_document(event["document"], signature["jws"], jwks)
        assert header == {"alg": "EdDSA", "kid": signature["kid"]}

        # A second library, taking the detached payload as it is.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # joserfc flags "EdDSA" as superseded (RFC 9864)
            joserfc_jws.deserialize_compact(
                signature["jws"],
                KeySet.import_key_set(jwks),
                algorithms=["EdDSA"],
                payload=rfc8785.dumps(event["document"]),
            )

        changed = {**event["document"], "subject": "Nội dung bị sửa"}
        with pytest.raises(jwt.InvalidSignatureError):
            verify_document(changed, signature["jws"], jwks)
        # The attachments' hashes are signed too: another file does not pass.
        attachments = [{**a, "sha256": "0" * 64} for a in event["document"]["attachments"]]
        assert attachments
        with pytest.raises(jwt.InvalidSignatureError):
            verify_document(
                {**event["document"], "attachments": attachments}, signature["jws"], jwks
            )


async def test_verify_relies_on_the_jws_and_still_accepts_the_original_form(
    topic_suffix: str,
) -> None:
    async with support.app_reading(topic_suffix, topics.DOCUMENTS_PUBLIC) as (client, public):
        doc = (await support.issued(client)).json()
        event = json.loads((await public.wait_for(1))[0].value)
        doc["signed"], signature = event["document"], event["signature"]

        by_id = (await client.post("/api/v1/verify", json={"document_id": doc["id"]})).json()
        assert by_id["valid"] is True and by_id["signature_form"] == "jws"
        pair = {"document": doc["signed"], "signature": signature}
        verdict = (await client.post("/api/v1/verify", json=pair)).json()
        assert verdict["valid"] is True and verdict["signature_form"] == "jws"

        # A JWS whose signature was altered fails, even beside a valid original form.
        head, _, sig = signature["jws"].partition("..")
        flipped = ("A" if sig[0] != "A" else "B") + sig[1:]
        forged = {**signature, "jws": f"{head}..{flipped}"}
        verdict = (
            await client.post(
                "/api/v1/verify", json={"document": doc["signed"], "signature": forged}
            )
        ).json()
        assert verdict["valid"] is False and verdict["signature_valid"] is False

        # The original form alone: what documents signed before the JWS carry.
        legacy = {k: v for k, v in signature.items() if k != "jws"}
        verdict = (
            await client.post(
                "/api/v1/verify", json={"document": doc["signed"], "signature": legacy}
            )
        ).json()
        assert verdict["valid"] is True and verdict["signature_form"] == "ed25519-jcs"

        # A document stored before the JWS existed still verifies by its id.
        db = support.app_of(client).state.runtime.db
        await db["documents"].update_one({"_id": doc["id"]}, {"$unset": {"signature.jws": ""}})
        by_id = (await client.post("/api/v1/verify", json={"document_id": doc["id"]})).json()
        assert by_id["valid"] is True and by_id["signature_form"] == "ed25519-jcs"

        not_detached = {**signature, "jws": signature["jws"].replace("..", ".e30.")}
        refused = await client.post(
            "/api/v1/verify", json={"document": doc["signed"], "signature": not_detached}
        )
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith("application/problem+json")
