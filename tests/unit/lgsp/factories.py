"""Contract events as the documents service would publish them, for the LGSP's tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from shared.contracts.events import DocumentDispatched, DocumentPublished, DocumentRecalled
from shared.contracts.models import ClaimCheck, DocumentSignature, OrgRef, SignedDocument, Signer
from shared.contracts.vocabulary import Access, DocumentType, Urgency


def signed_document(
    *,
    document_id: str | None = None,
    notation: str = "1637/QĐ-BNG",
    doc_type: DocumentType = DocumentType.QUYET_DINH,
    issuer: str = "000.00.00.G10",
    field: str | None = "ngoai-giao",
    access: Access = Access.PUBLIC,
    urgency: Urgency = Urgency.THUONG,
    recipients: list[str] | None = None,
) -> SignedDocument:
    return SignedDocument(
        document_id=document_id or uuid.uuid4().hex,
        notation=notation,
        number=1637,
        year=2025,
        doc_type=doc_type,
        subject="Về việc cử cán bộ đi công tác",
        issuer=OrgRef(code=issuer, name="Bộ Ngoại giao"),
        signer=Signer(name="Nguyễn Văn A", position="Thứ trưởng"),
        issue_date=dt.date(2025, 3, 1),
        field=field,
        urgency=urgency,
        access=access,
        recipients_external=recipients or [],
    )


def signature() -> DocumentSignature:
    return DocumentSignature(kid="k1", value="c2ln", signed_at=dt.datetime.now(dt.UTC))


def claim_check(content: bytes, document_id: str = "d") -> ClaimCheck:
    sha = hashlib.sha256(content).hexdigest()
    return ClaimCheck(
        attachment_id="a1",
        name="quyet-dinh.pdf",
        media_type="application/pdf",
        size=len(content),
        sha256=sha,
        fetch_path=f"/api/v1/files/{sha}",
    )


def published(
    doc: SignedDocument | None = None, attachments: list[ClaimCheck] | None = None
) -> DocumentPublished:
    doc = doc or signed_document()
    return DocumentPublished(
        document_id=doc.document_id,
        document_version=3,
        document=doc,
        signature=signature(),
        attachments=attachments or [],
        published_at=dt.datetime.now(dt.UTC),
    )


def dispatched(
    recipients: list[str],
    *,
    doc: SignedDocument | None = None,
    urgency: Urgency = Urgency.THUONG,
    attachments: list[ClaimCheck] | None = None,
) -> DocumentDispatched:
    doc = doc or signed_document(access=Access.INTERNAL, recipients=recipients)
    return DocumentDispatched(
        document_id=doc.document_id,
        document_version=3,
        document=doc,
        signature=signature(),
        attachments=attachments or [],
        recipients=recipients,
        urgency=urgency,
        dispatched_at=dt.datetime.now(dt.UTC),
    )


def recalled(document_id: str, recipients: list[str]) -> DocumentRecalled:
    return DocumentRecalled(
        document_id=document_id,
        document_version=4,
        notation="1637/QĐ-BNG",
        reason="Sai sót",
        recipients=recipients,
        recalled_at=dt.datetime.now(dt.UTC),
    )
