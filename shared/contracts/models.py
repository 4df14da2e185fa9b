"""Building blocks shared by the event contracts."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.vocabulary import (
    Access,
    Confidentiality,
    DocumentType,
    Language,
    Urgency,
)

SHA256_PATTERN = r"^[0-9a-f]{64}$"
# Organisation codes of the national directory contain dots: 000.00.00.G10
ORG_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9.\-_]{0,63}$"
ORG_CODE_RE = re.compile(ORG_CODE_PATTERN)


class ContractModel(BaseModel):
    """Strict, immutable: an event means exactly what it says."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class OrgRef(ContractModel):
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=300)


class Signer(ContractModel):
    name: str = Field(min_length=1, max_length=200)
    position: str = Field(min_length=1, max_length=200)
    competence: str | None = Field(default=None, max_length=200, description="e.g. KT. BỘ TRƯỞNG")


class Attachment(ContractModel):
    attachment_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=255)
    media_type: str = Field(min_length=3, max_length=127)
    size: int = Field(ge=0)
    sha256: str = Field(pattern=SHA256_PATTERN)


class ClaimCheck(Attachment):
    """Where a consumer fetches the bytes of an attachment; files never travel in Kafka."""

    fetch_path: str = Field(min_length=1, max_length=500, description="path on the producer")


class SignedDocument(ContractModel):
    """Exactly what the issuer signed: canonical JSON (RFC 8785) of this object."""

    document_id: str = Field(min_length=1, max_length=64)
    notation: str = Field(min_length=1, max_length=100, description="số, ký hiệu: 1637/QĐ-BNG")
    number: int = Field(ge=1)
    year: int = Field(ge=1945, le=2200)
    doc_type: DocumentType
    subject: str = Field(min_length=1, max_length=2000, description="trích yếu")
    issuer: OrgRef
    drafting_unit: OrgRef | None = None
    signer: Signer
    issue_date: dt.date
    effective_date: dt.date | None = None
    field: str | None = Field(default=None, max_length=200, description="lĩnh vực")
    urgency: Urgency = Urgency.THUONG
    confidentiality: Confidentiality = Confidentiality.THUONG
    access: Access
    language: Language = Language.VI
    body: str = Field(default="", max_length=500_000)
    recipients_internal: list[str] = Field(default_factory=list)
    recipients_external: list[str] = Field(default_factory=list)
    attachments: list[Attachment] = Field(default_factory=list)


# A compact JWS with a detached payload: base64url header, two dots, base64url signature.
DETACHED_JWS_PATTERN = r"^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$"


class DocumentSignature(ContractModel):
    """Ed25519 over the canonical JSON of the ``SignedDocument`` (docs/architecture.md §10)."""

    alg: str = Field(default="EdDSA", pattern=r"^EdDSA$")
    kid: str = Field(min_length=1, max_length=100)
    value: str = Field(
        min_length=1,
        max_length=200,
        description="base64url (no padding) of the signature over the canonical JSON itself",
    )
    signed_at: dt.datetime
    # Added to the .v1 contracts as an optional field: documents signed before it have none,
    # and it is left out of the JSON when absent so their events read exactly as before.
    jws: str | None = Field(
        default=None,
        max_length=600,
        pattern=DETACHED_JWS_PATTERN,
        exclude_if=lambda value: value is None,
        description=(
            "JWS (RFC 7515) compact serialization with a detached payload: "
            "<header>..<signature>; the payload is the RFC 8785 canonical JSON of the "
            "signed document, verifiable against /.well-known/jwks.json"
        ),
    )
