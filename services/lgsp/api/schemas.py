"""Request and response bodies of the LGSP's HTTP API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.lgsp.domain.parking import parked_reason
from services.lgsp.domain.partners import PartnerState, PayloadFormat
from shared.contracts.models import ORG_CODE_PATTERN
from shared.contracts.vocabulary import DocumentType

EventName = Literal["document.published", "document.revoked", "document.replaced"]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PartnerCreate(Body):
    code: str = Field(pattern=ORG_CODE_PATTERN, description="organisation code: 000.00.00.G10")
    name: str = Field(min_length=1, max_length=300)
    webhook_url: str | None = Field(default=None, max_length=2000)
    format: PayloadFormat = PayloadFormat.JSON
    state: PartnerState = PartnerState.ACTIVE


class PartnerUpdate(Body):
    code: str | None = Field(default=None, pattern=ORG_CODE_PATTERN)
    name: str | None = Field(default=None, min_length=1, max_length=300)
    webhook_url: str | None = Field(default=None, max_length=2000)
    format: PayloadFormat | None = None
    state: PartnerState | None = None


class KeyRequest(Body):
    revoke_others: bool = Field(default=False, description="rotate: revoke every other key")


class SecretRequest(Body):
    overlap_s: float | None = Field(
        default=None, ge=0, le=30 * 86400, description="how long the previous secret still signs"
    )


class SubscriptionCreate(Body):
    event_types: list[EventName] = Field(default_factory=list, max_length=3)
    doc_types: list[DocumentType] = Field(default_factory=list, max_length=50)
    issuers: list[str] = Field(default_factory=list, max_length=100)
    fields: list[str] = Field(default_factory=list, max_length=100)


class ReplayRequest(Body):
    start: dt.datetime = Field(alias="from")
    end: dt.datetime = Field(alias="to")
    partner_id: str | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class StatusReport(Body):
    status: Literal["01", "02", "03", "04", "05", "06", "15", "16"]
    note: str = Field(default="", max_length=2000)


class DocumentStatusReport(StatusReport):
    document_id: str = Field(min_length=1, max_length=64)


def partner_view(doc: dict[str, Any]) -> dict[str, Any]:
    """A partner as administrators see it: never the webhook secrets themselves."""
    return {
        "id": doc["_id"],
        "code": doc["code"],
        "name": doc["name"],
        "webhook_url": doc.get("webhook_url"),
        "webhook_enabled": doc.get("webhook_enabled", True),
        "format": doc.get("format", "json"),
        "state": doc["state"],
        "grants": sorted(doc.get("grants") or []),
        "secrets": [
            {
                "secret_id": s["secret_id"],
                "created_at": s["created_at"],
                "expires_at": s.get("expires_at"),
            }
            for s in doc.get("secrets") or []
        ],
        "parked_reason": parked_reason(doc, dt.datetime.now(dt.UTC)),
        "version": doc["version"],
        "created_at": doc.get("created_at"),
    }


def with_secret(view: dict[str, Any], secret: str | None) -> dict[str, Any]:
    """A webhook signing secret just generated: in this one response, never again."""
    if secret is None:
        return view
    return {
        **view,
        "webhook_secret": secret,
        "note": "the webhook secret is shown only once; store it now",
    }


def delivery_view(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": doc["_id"],
        "event_id": doc["event_id"],
        "event_type": doc["event_type"],
        "partner_id": doc["partner_id"],
        "partner_code": doc["partner_code"],
        "document_id": doc["document_id"],
        "mode": doc["mode"],
        "state": doc["state"],
        "priority": doc["priority"],
        "attempts": doc.get("attempts", 0),
        "attempt_log": doc.get("attempt_log") or [],
        "last_error": doc.get("last_error"),
        "receiver_status": doc.get("receiver_status"),
        "created_at": doc["created_at"],
        "due_at": doc.get("due_at"),
        "give_up_at": doc.get("give_up_at"),
        "delivered_at": doc.get("delivered_at"),
        "version": doc["version"],
    }


def subscription_view(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": doc["_id"],
        "partner_id": doc["partner_id"],
        "event_types": doc.get("event_types") or [],
        "doc_types": doc.get("doc_types") or [],
        "issuers": doc.get("issuers") or [],
        "fields": doc.get("fields") or [],
        "created_at": doc.get("created_at"),
    }
