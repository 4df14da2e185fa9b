"""The documents API's request bodies and response views (JSON names as published)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from services.documents.domain.incoming import is_overdue, is_urgent, recall_pending
from shared.contracts.models import ORG_CODE_PATTERN, Signer
from shared.contracts.vocabulary import Access, Confidentiality, DocumentType, Language, Urgency
from shared.http.text import TextBody
from shared.kit.types import SHA256_PATTERN, Doc

INTERNAL_FIELDS = frozenset(
    {"_id", "outbox", "outbox_lease", "audit_pending", "search", "signed", "link_pending"}
)

OrgCode = Annotated[str, StringConstraints(pattern=ORG_CODE_PATTERN)]
UnitCode = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class _Body(TextBody):
    model_config = ConfigDict(extra="forbid")


class DocumentCreate(_Body):
    doc_type: DocumentType
    subject: str = Field(min_length=1, max_length=2000, description="trích yếu")
    drafting_unit: UnitCode
    signer: Signer | None = None
    effective_date: dt.date | None = None
    field: str | None = Field(default=None, max_length=200, description="lĩnh vực")
    recipients_internal: list[UnitCode] = Field(default_factory=list, max_length=200)
    recipients_external: list[OrgCode] = Field(default_factory=list, max_length=200)
    urgency: Urgency = Urgency.THUONG
    confidentiality: Confidentiality = Confidentiality.THUONG
    access: Access = Access.INTERNAL
    language: Language = Language.VI
    body: str = Field(default="", max_length=500_000)


class DocumentUpdate(_Body):
    """Every field optional; the drafting unit cannot move (it decides who may see it)."""

    doc_type: DocumentType | None = None
    subject: str | None = Field(default=None, min_length=1, max_length=2000)
    signer: Signer | None = None
    effective_date: dt.date | None = None
    field: str | None = Field(default=None, max_length=200)
    recipients_internal: list[UnitCode] | None = Field(default=None, max_length=200)
    recipients_external: list[OrgCode] | None = Field(default=None, max_length=200)
    urgency: Urgency | None = None
    confidentiality: Confidentiality | None = None
    access: Access | None = None
    language: Language | None = None
    body: str | None = Field(default=None, max_length=500_000)


class DocumentReason(_Body):
    reason: str = Field(min_length=1, max_length=2000)


class DocumentIssue(_Body):
    signer: Signer | None = None


class DocumentReplace(_Body):
    replaced_by: str = Field(min_length=1, max_length=64, description="the newer issued document")
    reason: str = Field(default="", max_length=2000)


class VerificationRequest(TextBody):
    """Exactly one of: a document id; a signed document with its signature; a file hash."""

    model_config = ConfigDict(extra="forbid")

    document_id: str | None = Field(default=None, min_length=1, max_length=64)
    document: dict[str, Any] | None = None
    signature: dict[str, Any] | None = None
    sha256: str | None = Field(default=None, pattern=SHA256_PATTERN)

    @model_validator(mode="after")
    def _exactly_one(self) -> VerificationRequest:
        forms = [
            self.document_id is not None,
            self.document is not None or self.signature is not None,
            self.sha256 is not None,
        ]
        if sum(forms) != 1:
            raise ValueError("send exactly one of document_id, document+signature or sha256")
        if (self.document is None) != (self.signature is None):
            raise ValueError("document and signature go together")
        return self


def document_view(doc: Doc) -> Doc:
    view: Doc = {"id": doc["_id"]}
    for key, value in doc.items():
        if key in INTERNAL_FIELDS:
            continue
        view[key] = value.isoformat() if hasattr(value, "isoformat") else value
    # Nested records with times: the issuance intent, the recall request and its standing.
    for nested in ("issue", "recall"):
        record = view.get(nested)
        if isinstance(record, dict):
            view[nested] = {
                k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in record.items()
            }
    return view


def register_entry(doc: Doc) -> Doc:
    return {
        "number": doc.get("number"),
        "notation": doc.get("notation"),
        "document_id": doc["_id"],
        "doc_type": doc["doc_type"],
        "subject": doc["subject"],
        "issue_date": doc.get("issue_date"),
        "drafting_unit": doc["drafting_unit"],
        "confidentiality": doc["confidentiality"],
        "state": doc["state"],
    }


def audit_view(entry: Doc) -> Doc:
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in entry.items() if k != "_id"
    }


# Incoming documents (văn bản đến).

INCOMING_INTERNAL_FIELDS = frozenset(
    {"_id", "outbox", "outbox_lease", "audit_pending", "registration"}
)


class IncomingNote(_Body):
    note: str = Field(default="", max_length=2000, description="sent to the sender with the status")


class IncomingReason(_Body):
    reason: str = Field(min_length=1, max_length=2000, description="sent to the sender")


class IncomingAssign(_Body):
    lead_unit: UnitCode
    supporting_units: list[UnitCode] = Field(default_factory=list, max_length=50)
    deadline: dt.date
    handler: str = Field(
        min_length=1, max_length=200, description="user id of a drafter of the lead unit"
    )
    note: str = Field(default="", max_length=2000, description="sent to the sender")


class IncomingComplete(_Body):
    answer_document_id: str | None = Field(
        default=None, min_length=1, max_length=64, description="the outgoing document answering"
    )
    note: str = Field(default="", max_length=2000, description="sent to the sender")


class IncomingRecallAnswer(_Body):
    accept: bool = Field(description="true: withdraw the copy (15); false: refuse (16)")
    reason: str = Field(default="", max_length=2000, description="required when refusing")


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def incoming_view(doc: Doc, *, today: dt.date, with_body: bool = True) -> Doc:
    """An incoming document as staff see it: urgency, overdue and the signature plainly."""
    view: Doc = {"id": doc["_id"]}
    for key, value in doc.items():
        if key in INCOMING_INTERNAL_FIELDS or (key == "body" and not with_body):
            continue
        view[key] = _plain(value)
    view["urgent"] = is_urgent(doc)
    view["overdue"] = is_overdue(doc, today)
    view["recall_pending"] = recall_pending(doc)
    return view


def incoming_register_entry(doc: Doc) -> Doc:
    arrival = doc.get("arrival") or {}
    return {
        "number": arrival.get("number"),
        "arrival_date": arrival.get("date"),
        "inbound_id": doc["_id"],
        "sender_code": doc["sender_code"],
        "sender_name": doc["sender_name"],
        "sender_notation": doc["sender_notation"],
        "promulgation_date": doc["promulgation_date"],
        "document_type": doc["document_type"],
        "subject": doc["subject"],
        "urgency": doc["urgency"],
        "confidentiality": doc["confidentiality"],
        "state": doc["state"],
    }
