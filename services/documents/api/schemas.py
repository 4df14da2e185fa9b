"""The documents API's request bodies and response views (JSON names as published)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from services.documents.domain.audit import ChainVerdict
from services.documents.domain.files import DOCX, JPEG, ODT, PDF, PNG
from services.documents.domain.incoming import is_overdue, is_urgent, recall_pending
from shared.contracts.models import ORG_CODE_PATTERN, Signer
from shared.contracts.vocabulary import Access, Confidentiality, DocumentType, Language, Urgency
from shared.http.patch import refuse_cleared
from shared.http.text import TextBody
from shared.http.views import OpenView, Timestamp, View, binary_response
from shared.kit.types import SHA256_PATTERN, Doc

INTERNAL_FIELDS = frozenset(
    {"_id", "outbox", "outbox_lease", "audit_pending", "search", "signed", "link_pending"}
)

OrgCode = Annotated[str, StringConstraints(pattern=ORG_CODE_PATTERN)]
UnitCode = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class _Body(TextBody):
    model_config = ConfigDict(extra="forbid")


DOCUMENT_CREATE_EXAMPLE: Doc = {
    "doc_type": "quyet_dinh",
    "subject": "Quyết định về việc cử cán bộ đi công tác nước ngoài",
    "drafting_unit": "CNTT",
    "signer": {"name": "Nguyễn Văn A", "position": "Thứ trưởng", "competence": "KT. BỘ TRƯỞNG"},
    "field": "Đối ngoại",
    "recipients_internal": ["VP"],
    "recipients_external": ["000.00.00.G22"],
    "access": "public",
    "body": "Điều 1. Cử ông Nguyễn Văn B đi công tác tại Nhật Bản.",
}


class DocumentCreate(_Body):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [DOCUMENT_CREATE_EXAMPLE]}
    )

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

    @model_validator(mode="after")
    def _only_optional_fields_may_be_cleared(self) -> DocumentUpdate:
        refuse_cleared(self, clearable={"signer", "effective_date", "field"})
        return self


class DocumentReason(_Body):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "Sai thẩm quyền ban hành"}]}
    )

    reason: str = Field(min_length=1, max_length=2000)


class DocumentIssue(_Body):
    signer: Signer | None = None


class DocumentReplace(_Body):
    replaced_by: str = Field(min_length=1, max_length=64, description="the newer issued document")
    reason: str = Field(default="", max_length=2000)


class VerificationRequest(TextBody):
    """Exactly one of: a document id; a signed document with its signature; a file hash."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"document_id": "01J9Z8Q4W6V3T5R2N1M0K9H8G7"},
                {"sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
            ]
        },
    )

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


def chain_verdict_view(verdict: ChainVerdict) -> Doc:
    return {
        "valid": verdict.valid,
        "entries": verdict.entries,
        "broken_at": verdict.broken_at,
        "reason": verdict.reason,
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
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "lead_unit": "CNTT",
                    "supporting_units": ["VP"],
                    "deadline": "2026-07-15",
                    "handler": "nguyen.van.b",
                    "note": "Đã giao đơn vị xử lý",
                    "instruction": "Đề nghị CNTT chủ trì, báo cáo trước hạn.",
                }
            ]
        },
    )

    lead_unit: UnitCode
    supporting_units: list[UnitCode] = Field(default_factory=list, max_length=50)
    deadline: dt.date
    handler: str = Field(
        min_length=1, max_length=200, description="user id of a drafter of the lead unit"
    )
    note: str = Field(default="", max_length=2000, description="sent to the sender")
    instruction: str = Field(
        default="",
        max_length=2000,
        description="the leader's instruction to the units; kept inside the ministry",
    )


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


# Response views ----------------------------------------------------------------------------
FILE_RESPONSE = binary_response("the file's bytes", (PDF, DOCX, ODT, PNG, JPEG))


class AttachmentView(View):
    attachment_id: str
    name: str = Field(description="the stored name, with the extension its content proves")
    media_type: str
    size: int
    sha256: str


class AttachmentList(View):
    items: list[AttachmentView]


class DocumentView(OpenView):
    """A document as its reader may see it. Besides the fields named here, a document carries
    what its state gave it: ``number``, ``notation``, ``book``, ``year``, ``issue_date``,
    ``signature`` once issued; ``published``, ``dispatched``; ``issue`` (the issuance intent);
    ``recall`` with where it stands; ``revocation_reason``, ``replaced_by``, …"""

    id: str
    version: int
    state: str
    doc_type: str
    subject: str
    drafting_unit: str
    confidentiality: str
    access: str
    urgency: str | None = None
    language: str | None = None
    signer: dict[str, Any] | None = None
    effective_date: str | None = None
    field: str | None = None
    recipients_internal: list[str] = Field(default_factory=list)
    recipients_external: list[str] = Field(default_factory=list)
    body: str | None = None
    issuer_code: str | None = None
    attachments: list[AttachmentView] = Field(default_factory=list)
    number: int | None = None
    notation: str | None = None
    issue_date: str | None = None
    created_by: str | None = None
    created_at: Timestamp
    updated_at: Timestamp | None = None


class DocumentList(View):
    items: list[DocumentView]
    next_cursor: str | None


class AuditEntryView(OpenView):
    """One entry of a hash-chained audit trail."""

    seq: int
    at: Timestamp
    actor: str
    action: str
    reason: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    prev_hash: str | None = None
    hash: str | None = None


class AuditTrailView(View):
    items: list[AuditEntryView]


class ChainVerdictView(View):
    valid: bool
    entries: int = Field(description="entries checked")
    broken_at: int | None = Field(description="the first entry that does not chain")
    reason: str | None


class RecallLineView(View):
    status: str = Field(description="13 asked, 15 given back, 16 refused")
    note: str
    updated_at: str | None


class DeliveryLineView(View):
    recipient_code: str
    delivery_state: str | None = Field(
        description=(
            "pending (sent, nothing reported yet), retrying, delivered, failed or dead; "
            "null while the document is not issued"
        )
    )
    receiver_status: str | None
    note: str
    updated_at: str | None
    recall: RecallLineView | None = None


class DeliveryList(View):
    items: list[DeliveryLineView]


class RegisterEntryView(View):
    number: int | None
    notation: str | None
    document_id: str
    doc_type: str
    subject: str
    issue_date: str | None
    drafting_unit: str
    confidentiality: str
    state: str


class IncomingRegisterEntryView(View):
    number: int | None
    arrival_date: str | None
    inbound_id: str
    sender_code: str
    sender_name: str
    sender_notation: str
    promulgation_date: str
    document_type: str
    subject: str
    urgency: str
    confidentiality: str
    state: str


class RegisterView(View):
    issuer: str
    book: str
    year: int
    items: list[RegisterEntryView] | list[IncomingRegisterEntryView]
    next_cursor: str | None


class IncomingView(OpenView):
    """An incoming document as staff see it. Besides the fields named here: its header
    (``to_organ_ids``, ``code_number``, ``code_notation``, ``signer``, ``trace``, …), the
    ``arrival`` number once accepted, the ``assignment``, the ``recall`` of its sender and
    the ``statuses`` sent back."""

    id: str
    version: int
    state: str
    sender_code: str
    sender_name: str
    sender_document_id: str
    sender_notation: str
    subject: str
    urgency: str
    confidentiality: str
    signature_verdict: str
    received_at: Timestamp
    urgent: bool
    overdue: bool
    recall_pending: bool
    body: str | None = None


class IncomingList(View):
    items: list[IncomingView]
    next_cursor: str | None


class JwksView(View):
    keys: list[dict[str, Any]] = Field(description="the issuer's public keys (RFC 7517)")


class VerificationView(OpenView):
    """The verdict; by id or signature it names the document (``document_id``, ``notation``,
    ``state``, ``issue_date``, ``kid``), by file hash the ``documents`` that carry it."""

    valid: bool
    reason: str | None = None
    signature_form: Literal["jws", "ed25519-jcs"] | None = Field(
        default=None,
        description="the signature's form that was checked: its JWS when it has one, else "
        "the original Ed25519 over the canonical JSON (docs/architecture.md §10)",
    )
