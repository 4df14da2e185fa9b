"""Request and response bodies of the LGSP's HTTP API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.lgsp.domain.inbound import current_status, history
from services.lgsp.domain.message_log import body_text
from services.lgsp.domain.parking import parked_reason
from services.lgsp.domain.partners import PartnerState
from shared.contracts.events import EdxmlHeader
from shared.contracts.models import ORG_CODE_PATTERN
from shared.contracts.vocabulary import DocumentType, IncomingStatus, MessageFormat
from shared.kit.clock import as_utc

EventName = Literal["document.published", "document.revoked", "document.replaced"]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PartnerCreate(Body):
    code: str = Field(pattern=ORG_CODE_PATTERN, description="organisation code: 000.00.00.G10")
    name: str = Field(min_length=1, max_length=300)
    webhook_url: str | None = Field(default=None, max_length=2000)
    format: MessageFormat = Field(
        default=MessageFormat.JSON,
        description="what the partner receives: json (CloudEvents-style) or edxml (signed)",
    )
    state: PartnerState = PartnerState.ACTIVE


class PartnerUpdate(Body):
    code: str | None = Field(default=None, pattern=ORG_CODE_PATTERN)
    name: str | None = Field(default=None, min_length=1, max_length=300)
    webhook_url: str | None = Field(default=None, max_length=2000)
    format: MessageFormat | None = None
    state: PartnerState | None = None


class KeyRequest(Body):
    revoke_others: bool = Field(default=False, description="rotate: revoke every other key")


class SecretRequest(Body):
    overlap_s: float | None = Field(
        default=None, ge=0, le=30 * 86400, description="how long the previous secret still signs"
    )


class CertificateCreate(Body):
    pem: str = Field(
        min_length=1,
        max_length=20_000,
        description="one X.509 certificate (PEM) the partner signs its edXML messages with",
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


def certificate_view(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "fingerprint": entry["fingerprint"],
        "subject": entry["subject"],
        "issuer": entry.get("issuer", ""),
        "serial_number": entry.get("serial_number", ""),
        "not_before": entry["not_before"],
        "not_after": entry["not_after"],
        "expired": as_utc(entry["not_after"]) <= dt.datetime.now(dt.UTC),
        "added_at": entry.get("added_at"),
        "pem": entry["pem"],
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


# Documents sent in ----------------------------------------------------------------------
class InboundAttachmentCreate(Body):
    name: str = Field(min_length=1, max_length=255)
    media_type: str = Field(min_length=3, max_length=127, description="application/pdf")
    # No length of its own: the whole request is limited (EGOV_LGSP_MAX_INBOUND_BYTES) and
    # the decoded file by EGOV_LGSP_MAX_FILE_BYTES.
    content_base64: str = Field(description="the file's bytes, standard base64")


class InboundCreate(Body):
    """A document a partner agency sends in as JSON: the fields of an edXML message."""

    document_id: str = Field(
        min_length=1,
        max_length=300,
        description="the sender's own id of this message (edXML DocumentId), unique per sender",
    )
    header: EdxmlHeader
    body: str = Field(default="", max_length=500_000)
    attachments: list[InboundAttachmentCreate] = Field(default_factory=list, max_length=100)


class RecallCreate(Body):
    reason: str = Field(min_length=1, max_length=2000)


def _inbound_attachments(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The claim checks without their path: the fetch route is for the documents service."""
    return [
        {k: v for k, v in a.items() if k != "fetch_path"} for a in record.get("attachments") or []
    ]


def inbound_receipt_view(record: dict[str, Any]) -> dict[str, Any]:
    """What the sender gets at once: the document arrived (01)."""
    return {
        "inbound_id": record["_id"],
        "status": IncomingStatus.ARRIVED.value,
        "received_at": record["received_at"],
        "signature_verdict": record["signature_verdict"],
        "attachments": _inbound_attachments(record),
    }


def inbound_view(record: dict[str, Any]) -> dict[str, Any]:
    """A document sent in as its sender sees it, with every status so far (newest last)."""
    return {
        "inbound_id": record["_id"],
        "sender_code": record["sender_code"],
        "sender_document_id": record["sender_document_id"],
        "message_format": record["message_format"],
        "notation": record.get("notation"),
        "subject": record.get("subject"),
        "received_at": record["received_at"],
        "signature_verdict": record["signature_verdict"],
        "signature_note": record.get("signature_note", ""),
        "attachments": _inbound_attachments(record),
        "status": current_status(record),
        "recall": record.get("recall"),
        "statuses": [
            {"status": e["status"], "at": e["at"], "note": e.get("note", ""), "by": e["source"]}
            for e in history(record)
        ],
        "version": record["version"],
    }


def message_log_view(doc: dict[str, Any], with_body: bool = False) -> dict[str, Any]:
    """One message of the message log; the body only when asked for (pages stay small)."""
    view: dict[str, Any] = {
        "seq": doc["seq"],
        "at": doc["at"],
        "partner_id": doc["partner_id"],
        "partner_code": doc["partner_code"],
        "direction": doc["direction"],
        "kind": doc["kind"],
        "outcome": doc["outcome"],
        "ref": doc.get("ref"),
        "headers": {h["name"]: h["value"] for h in doc.get("headers") or []},
        "payload_sha256": doc["payload_sha256"],
        "payload_size": doc["payload_size"],
        "body_kept": doc.get("body") is not None,
        "body_truncated": bool(doc.get("body_truncated")),
        "hash": doc["hash"],
        "prev_hash": doc["prev_hash"],
    }
    if with_body and doc.get("body") is not None:
        view["body"], view["body_encoding"] = body_text(bytes(doc["body"]))
    return view


def admin_audit_view(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "seq": doc["seq"],
        "at": doc["at"],
        "actor": doc["actor"],
        "action": doc["action"],
        "target": doc["target"],
        "details": doc.get("details") or {},
        "hash": doc["hash"],
        "prev_hash": doc["prev_hash"],
    }
