"""The portal's signature badge relies on the document's JWS when it has one."""

from __future__ import annotations

import datetime as dt

from shared.contracts.events import DocumentPublished
from shared.contracts.models import SignedDocument
from shared.signing import sign, signature_for
from tests.integration.portal.conftest import Portal
from tests.integration.portal.support import DocumentsStandIn, signed_document


def published_with_jws(
    server: DocumentsStandIn, document: SignedDocument, *, jws_over: SignedDocument | None = None
) -> DocumentPublished:
    """Signed as the documents service signs; ``jws_over``: a JWS of other content beside a
    valid original-form signature."""
    now = dt.datetime.now(dt.UTC)
    signature = signature_for(jws_over or document, server.key, server.kid, now)
    if jws_over is not None:
        signature = signature.model_copy(update={"value": sign(document, server.key)})
    return DocumentPublished(
        document_id=document.document_id,
        document_version=5,
        document=document,
        signature=signature,
        published_at=now,
    )


async def test_a_document_signed_with_a_jws_gets_the_verified_badge(portal: Portal) -> None:
    doc = signed_document(notation="1711/QĐ-BNG")
    event = published_with_jws(portal.documents, doc)
    assert event.signature.jws
    await portal.publish(event)
    body = await portal.document(doc.document_id, lambda b: b["signature"]["status"] != "pending")
    assert body["signature"]["status"] == "verified"
    assert "Chữ ký số hợp lệ" in (await portal.client.get(body["url"])).text


async def test_a_jws_that_does_not_match_fails_even_beside_a_valid_original_form(
    portal: Portal,
) -> None:
    doc = signed_document(notation="1712/QĐ-BNG")
    other = doc.model_copy(update={"subject": "khác"})
    await portal.publish(published_with_jws(portal.documents, doc, jws_over=other))
    body = await portal.document(doc.document_id, lambda b: b["signature"]["status"] != "pending")
    assert body["signature"]["status"] == "failed"
