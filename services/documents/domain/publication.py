"""Which issued document goes where, and the events that say so (docs/architecture.md §4).

A document with any confidentiality mark produces no event at all: it never leaves this
service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from services.documents.domain.organisation import Organisation
from shared.contracts.events import (
    DocumentDispatched,
    DocumentPublished,
    DocumentRecalled,
    DocumentReplaced,
    DocumentRevoked,
    DocumentUnpublished,
    EventData,
)
from shared.contracts.models import (
    Attachment,
    ClaimCheck,
    DocumentSignature,
    SignedDocument,
    Signer,
)
from shared.contracts.vocabulary import Access, Confidentiality

Doc = Mapping[str, Any]


def is_classified(doc: Doc) -> bool:
    return str(doc.get("confidentiality")) != Confidentiality.THUONG.value


def is_public(doc: Doc) -> bool:
    return not is_classified(doc) and str(doc.get("access")) == Access.PUBLIC.value


def is_dispatchable(doc: Doc) -> bool:
    return not is_classified(doc) and bool(doc.get("recipients_external"))


def fetch_path(sha256: str) -> str:
    return f"/api/v1/files/{sha256}"


def claim_checks(doc: Doc) -> list[ClaimCheck]:
    return [
        ClaimCheck(**Attachment(**a).model_dump(), fetch_path=fetch_path(a["sha256"]))
        for a in doc.get("attachments", [])
    ]


def signed_document(
    doc: Doc, org: Organisation, *, number: int, notation: str, year: int, issue_date: dt.date
) -> SignedDocument:
    signer: Mapping[str, Any] = doc.get("issue", {}).get("signer") or doc["signer"]
    unit = str(doc["drafting_unit"])
    return SignedDocument(
        document_id=str(doc["_id"]),
        notation=notation,
        number=number,
        year=year,
        doc_type=doc["doc_type"],
        subject=doc["subject"],
        issuer=org.ref,
        drafting_unit=org.unit_ref(unit) if org.has_unit(unit) else None,
        signer=Signer(**signer),
        issue_date=issue_date,
        effective_date=doc.get("effective_date"),
        field=doc.get("field"),
        urgency=doc["urgency"],
        confidentiality=doc["confidentiality"],
        access=doc["access"],
        language=doc["language"],
        body=doc.get("body", ""),
        recipients_internal=list(doc.get("recipients_internal", [])),
        recipients_external=list(doc.get("recipients_external", [])),
        attachments=[Attachment(**a) for a in doc.get("attachments", [])],
    )


def on_issue(
    doc: Doc,
    version: int,
    signed: SignedDocument,
    signature: DocumentSignature,
    now: dt.datetime,
) -> list[EventData]:
    # Both events carry the same signed content: the portal and the recipients verify alike.
    content: dict[str, Any] = {
        "document_id": signed.document_id,
        "document_version": version,
        "document": signed,
        "signature": signature,
        "attachments": claim_checks(doc),
    }
    events: list[EventData] = []
    if is_public(doc):
        events.append(DocumentPublished(**content, published_at=now))
    if is_dispatchable(doc):
        events.append(
            DocumentDispatched(
                **content,
                recipients=list(doc["recipients_external"]),
                urgency=doc["urgency"],
                dispatched_at=now,
            )
        )
    return events


def recall_refusal(doc: Doc) -> str | None:
    """Why the external recipients of ``doc`` cannot be asked to give it back; None if
    they can (its state is checked apart, like any action's)."""
    if is_classified(doc):
        return "a classified document never leaves this service, so it cannot be recalled"
    if not doc.get("dispatched"):
        return "this document was never dispatched to external recipients, so it cannot be recalled"
    if doc.get("recall"):
        return "a recall of this document was already requested"
    return None


def recall_record(doc: Doc, reason: str, actor: str, now: dt.datetime) -> Doc:
    """The request kept on the document; the recipients' answers are kept per recipient."""
    return {
        "reason": reason,
        "requested_at": now,
        "requested_by": actor,
        "recipients": list(doc["recipients_external"]),
    }


def _issued(doc: Doc, version: int) -> dict[str, Any]:
    """The fields every event about an issued document starts with."""
    return {
        "document_id": str(doc["_id"]),
        "document_version": version,
        "notation": str(doc["notation"]),
    }


def on_recall(doc: Doc, version: int, reason: str, now: dt.datetime) -> list[EventData]:
    """Status 13 to every external recipient: the one builder of ``document.recalled``,
    whether staff recall the document or revoke it."""
    return [
        DocumentRecalled(
            **_issued(doc, version),
            reason=reason,
            recipients=list(doc["recipients_external"]),
            recalled_at=now,
        )
    ]


def on_revoke(doc: Doc, version: int, reason: str, now: dt.datetime) -> list[EventData]:
    events: list[EventData] = []
    if doc.get("published"):
        events.append(DocumentRevoked(**_issued(doc, version), reason=reason, revoked_at=now))
    # A document recalled before its revocation was already asked back: no second request.
    if recall_refusal(doc) is None:
        events.extend(on_recall(doc, version, reason, now))
    return events


def on_replace(
    doc: Doc, version: int, newer: Doc, reason: str, now: dt.datetime
) -> list[EventData]:
    if not doc.get("published"):
        return []
    return [
        DocumentReplaced(
            **_issued(doc, version),
            replaced_by_id=str(newer["_id"]),
            replaced_by_notation=str(newer["notation"]),
            reason=reason,
            replaced_at=now,
        )
    ]


def unpublish_refusal(doc: Doc) -> str | None:
    """Why this document cannot be taken off the public portal, or None when it can."""
    if not doc.get("published"):
        return "this document was never published on the portal"
    if doc.get("unpublished"):
        return "this document was already taken off the portal"
    return None


def on_unpublish(doc: Doc, version: int, explanation: str, now: dt.datetime) -> list[EventData]:
    """Gone from the portal for good (its page answers 410 with ``explanation``); the
    document itself keeps its state, number and audit trail here."""
    unpublished = DocumentUnpublished(
        **_issued(doc, version), explanation=explanation, unpublished_at=now
    )
    return [unpublished]
