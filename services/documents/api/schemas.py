"""The documents API's request bodies and response views (JSON names as published)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.contracts.models import ORG_CODE_PATTERN, Signer
from shared.contracts.vocabulary import Access, Confidentiality, DocumentType, Language, Urgency
from shared.kit.types import SHA256_PATTERN, Doc

INTERNAL_FIELDS = frozenset(
    {"_id", "outbox", "outbox_lease", "audit_pending", "search", "signed", "link_pending"}
)

OrgCode = Annotated[str, StringConstraints(pattern=ORG_CODE_PATTERN)]
UnitCode = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class _Body(BaseModel):
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


class VerificationRequest(BaseModel):
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
    issue = view.get("issue")
    if isinstance(issue, dict):
        view["issue"] = {
            k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in issue.items()
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
