"""Settings of the documents service: environment variables prefixed EGOV_DOCUMENTS_."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.demo import (
    INBOX_PARTNER_CODE,
    INBOX_PARTNER_NAME,
    WEBHOOK_PARTNER_CODE,
    WEBHOOK_PARTNER_NAME,
)
from shared.settings import ServiceSettings

DEFAULT_UNITS: dict[str, str] = {
    "CNTT": "Cục Cơ yếu - Công nghệ thông tin",
    "VP": "Văn phòng Bộ",
    "TCCB": "Vụ Tổ chức cán bộ",
    "PL": "Vụ Luật pháp và Điều ước quốc tế",
    "TTBC": "Vụ Thông tin báo chí",
}

# The demo's partner agencies (`egov demo` registers them in the LGSP).
DEFAULT_PARTNERS: dict[str, str] = {
    WEBHOOK_PARTNER_CODE: WEBHOOK_PARTNER_NAME,
    INBOX_PARTNER_CODE: INBOX_PARTNER_NAME,
}


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EGOV_DOCUMENTS_", extra="ignore")

    service_name: str = "documents"
    port: int = 8001
    verify_rate_per_min: int = Field(
        default=60,
        ge=1,
        description="POST /api/v1/verify per minute of one client (by address), per replica",
    )

    issuer_code: str = Field(default="BNG", description="abbreviation of the issuing body")
    issuer_name: str = Field(default="Bộ Ngoại giao", description="name of the issuing body")
    units: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_UNITS),
        description="JSON object: unit abbreviation -> unit name",
    )
    partners: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_PARTNERS),
        description=(
            "JSON object: organisation code -> name of the partner agencies staff pick as "
            "external recipients in the workspace (the LGSP's partner registry stays the "
            "authority: any other code may still be typed)"
        ),
    )
    register_starts: dict[str, int] = Field(
        default_factory=dict,
        description=(
            'JSON object "ISSUER:book:YEAR" -> first number of that register '
            '(go-live in mid-year), e.g. {"BNG:outgoing:2026": 1637}'
        ),
    )
    max_attachment_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    upload_overhead_bytes: int = Field(
        default=16 * 1024,
        ge=0,
        description=(
            "multipart framing allowed on top of max_attachment_bytes before an upload is "
            "refused (413) from its Content-Length or while it streams"
        ),
    )
    idempotency_ttl_s: float = Field(
        default=86400.0, gt=0, description="age after which Idempotency-Key records are deleted"
    )
    idempotency_sweep_interval_s: float = Field(
        default=600.0, gt=0, description="how often expired Idempotency-Key records are swept"
    )
    signing_key_file: str = Field(
        default="", description="PEM (PKCS#8) Ed25519 private key; empty = generated in Mongo"
    )
    signing_key_id: str = Field(default="", description="kid of the key in signing_key_file")
    recovery_interval_s: float = Field(
        default=5.0, gt=0, description="how often left-behind issuances are completed"
    )
    recovery_grace_s: float = Field(
        default=10.0, ge=0, description="age after which an unfinished issuance is recovered"
    )
    # Incoming documents (văn bản đến) sent in by partner agencies through the LGSP.
    organisation_code: str = Field(
        default="000.00.00.G06",
        description=(
            "the ministry's code in the national directory of organisations: documents sent "
            "in must be addressed to it"
        ),
    )
    lgsp_url: str = Field(
        default="http://127.0.0.1:8002",
        description="base URL of the LGSP, where the attachments of documents sent in are fetched",
    )
    incoming_fetch_interval_s: float = Field(
        default=2.0, gt=0, description="how often attachment fetches that wait are retried"
    )
    incoming_fetch_timeout_s: float = Field(
        default=30.0, gt=0, description="timeout of one attachment fetch from the LGSP"
    )
    incoming_fetch_give_up_s: float = Field(
        default=6 * 3600.0,
        gt=0,
        description=(
            "after this long without all its attachments a document sent in is held for a "
            "clerk's attention"
        ),
    )
