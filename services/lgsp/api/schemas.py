"""Request and response bodies of the LGSP's HTTP API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import ConfigDict, Field, RootModel, model_validator

from services.lgsp.domain.inbound import current_status, history
from services.lgsp.domain.message_log import body_text
from services.lgsp.domain.parking import parked_reason
from services.lgsp.domain.partners import PartnerState
from services.lgsp.domain.replays import progress
from shared.contracts.events import EdxmlHeader
from shared.contracts.vocabulary import DocumentType, IncomingStatus, MessageFormat
from shared.http.patch import refuse_cleared
from shared.http.text import TextBody
from shared.http.views import OpenView, Timestamp, View
from shared.kit.clock import as_utc

EventName = Literal["document.published", "document.revoked", "document.replaced"]


# The registry's form of an agency's electronic code (three groups of digits, then a letter
# and two digits): 000.00.00.G10, 000.00.31.H01.
PARTNER_CODE_PATTERN = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$"


class Body(TextBody):
    model_config = ConfigDict(extra="forbid")


class PartnerCreate(Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "code": "000.00.00.G22",
                    "name": "Bộ Tư pháp",
                    "webhook_url": "https://lgsp.moj.gov.vn/hooks/egov",
                    "format": "json",
                }
            ]
        },
    )

    code: str = Field(
        pattern=PARTNER_CODE_PATTERN,
        description="electronic organisation code of the national registry: 000.00.00.G10",
    )
    name: str = Field(min_length=1, max_length=300)
    webhook_url: str | None = Field(default=None, max_length=2000)
    format: MessageFormat = Field(
        default=MessageFormat.JSON,
        description="what the partner receives: json (CloudEvents-style) or edxml (signed)",
    )
    state: PartnerState = PartnerState.ACTIVE


class PartnerUpdate(Body):
    code: str | None = Field(default=None, pattern=PARTNER_CODE_PATTERN)
    name: str | None = Field(default=None, min_length=1, max_length=300)
    webhook_url: str | None = Field(default=None, max_length=2000)
    format: MessageFormat | None = None
    state: PartnerState | None = None

    @model_validator(mode="after")
    def _only_the_webhook_may_be_cleared(self) -> PartnerUpdate:
        refuse_cleared(self, clearable={"webhook_url"})
        return self


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
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "event_types": ["document.published"],
                    "doc_types": ["thong_tu", "quyet_dinh"],
                    "issuers": ["000.00.00.G06"],
                    "fields": ["Đối ngoại"],
                }
            ]
        },
    )

    event_types: list[EventName] = Field(default_factory=list, max_length=3)
    doc_types: list[DocumentType] = Field(default_factory=list, max_length=50)
    issuers: list[str] = Field(default_factory=list, max_length=100)
    fields: list[str] = Field(default_factory=list, max_length=100)


class ReplayRequest(Body):
    """Re-send the events received in [from, to) to the partners they were routed to (or to
    one partner). The window is at most EGOV_LGSP_REPLAY_MAX_WINDOW_S long (7 days)."""

    start: dt.datetime = Field(alias="from", description="RFC 3339; times without a zone are UTC")
    end: dt.datetime = Field(alias="to", description="RFC 3339, after from")
    partner_id: str | None = Field(default=None, min_length=1, max_length=100)

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {"from": "2026-03-02T00:00:00Z", "to": "2026-03-03T00:00:00Z"},
                {
                    "from": "2026-03-02T08:00:00Z",
                    "to": "2026-03-02T12:00:00Z",
                    "partner_id": "p-01J9Z8Q4W6V3T5R2N1M0K9H8G7",
                },
            ]
        },
    )


class StatusReport(Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "03", "note": "Đã vào sổ văn bản đến"}]},
    )

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
INBOUND_EXAMPLE: dict[str, Any] = {
    "document_id": "G22-2026-000154",
    "header": {
        "from_organ_id": "000.00.00.G22",
        "from_organ_name": "Bộ Tư pháp",
        "to_organ_ids": ["000.00.00.G06"],
        "code_number": "154",
        "code_notation": "BTP-PLQT",
        "promulgation_place": "Hà Nội",
        "promulgation_date": "2026-03-02",
        "document_type": "CV",
        "subject": "Về việc góp ý dự thảo Hiệp định tương trợ tư pháp",
        "signer": {"full_name": "Trần Văn C", "position": "Vụ trưởng"},
        "priority": "thuong",
        "confidentiality": "thuong",
    },
    "body": "Kính gửi Bộ Ngoại giao, ...",
    "attachments": [
        {
            "name": "cong-van-154.pdf",
            "media_type": "application/pdf",
            "content_base64": "JVBERi0xLjQKJcOkw7zDtsOfCg==",
        }
    ],
}


class InboundAttachmentCreate(Body):
    name: str = Field(min_length=1, max_length=255)
    media_type: str = Field(min_length=3, max_length=127, description="application/pdf")
    # No length of its own: the whole request is limited (EGOV_LGSP_MAX_INBOUND_BYTES) and
    # the decoded file by EGOV_LGSP_MAX_FILE_BYTES.
    content_base64: str = Field(description="the file's bytes, standard base64")


class InboundCreate(Body):
    """A document a partner agency sends in as JSON: the fields of an edXML message."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [INBOUND_EXAMPLE]})

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


# Response views ----------------------------------------------------------------------------
class ServiceView(View):
    id: str
    title: str
    description: str


class ServiceCatalogue(View):
    items: list[ServiceView]


class SecretInfoView(View):
    secret_id: str
    created_at: Timestamp
    expires_at: Timestamp | None


class PartnerView(View):
    """A partner as administrators see it; the webhook secret only in the answer that made it."""

    id: str
    code: str
    name: str
    webhook_url: str | None
    webhook_enabled: bool
    format: str
    state: str
    grants: list[str]
    secrets: list[SecretInfoView]
    parked_reason: str | None
    version: int
    created_at: Timestamp | None
    webhook_secret: str | None = Field(default=None, description="shown once, when generated")
    note: str | None = None


class PartnerList(View):
    items: list[PartnerView]
    next_cursor: str | None


class KeyIssuedView(View):
    key_id: str
    api_key: str = Field(description="shown only once")
    revoked: int = Field(description="how many other keys this rotation revoked")
    note: str


class KeyView(View):
    key_id: str
    created_at: Timestamp
    revoked_at: Timestamp | None
    last_used_at: Timestamp | None


class KeyList(View):
    items: list[KeyView]


class SecretRotatedView(View):
    secret_id: str
    secret: str = Field(description="shown only once")
    previous_valid_until: Timestamp | None
    note: str


class CertificateView(View):
    fingerprint: str
    subject: str
    issuer: str
    serial_number: str
    not_before: Timestamp
    not_after: Timestamp
    expired: bool
    added_at: Timestamp | None
    pem: str


class CertificateList(View):
    items: list[CertificateView]


class SubscriptionView(View):
    id: str
    partner_id: str
    event_types: list[str]
    doc_types: list[str]
    issuers: list[str]
    fields: list[str]
    created_at: Timestamp | None


class SubscriptionList(View):
    items: list[SubscriptionView]


class AttemptView(View):
    at: Timestamp
    result: str
    detail: str


class DeliveryView(View):
    id: str
    event_id: str
    event_type: str
    partner_id: str
    partner_code: str
    document_id: str
    mode: str
    state: str
    priority: int
    attempts: int
    attempt_log: list[AttemptView]
    last_error: str | None
    receiver_status: str | None
    created_at: Timestamp
    due_at: Timestamp | None
    give_up_at: Timestamp | None
    delivered_at: Timestamp | None
    version: int


class DeliveryList(View):
    items: list[DeliveryView]
    next_cursor: str | None


class ReplayView(View):
    """A replay job: it walks the window minute by minute and re-queues what it finds."""

    id: str
    state: Literal["running", "done"]
    start: Timestamp = Field(serialization_alias="from")
    end: Timestamp = Field(serialization_alias="to")
    partner_id: str | None
    requested_by: str
    created_at: Timestamp
    updated_at: Timestamp
    finished_at: Timestamp | None
    minutes_total: int = Field(description="minutes of the window (up to when it was asked)")
    minutes_done: int
    progress: float = Field(ge=0, le=1)
    events: int = Field(description="events of the window found so far")
    created: int = Field(description="jobs created (the partner had none for the event)")
    requeued: int = Field(description="finished jobs sent again")
    skipped: int = Field(description="stored events that could not be read")


class InboxItemView(View):
    delivery_id: str
    event_type: str
    document_id: str
    created_at: Timestamp
    payload: dict[str, Any] | None = Field(
        default=None, description="JSON partners: the CloudEvents 1.0 event (as the webhook body)"
    )
    format: str | None = Field(default=None, description="edXML partners: edxml")
    content_type: str | None = None
    content_url: str | None = Field(default=None, description="edXML partners: the message")


class InboxView(View):
    items: list[InboxItemView]
    next_cursor: str | None


class AckView(View):
    delivery_id: str
    state: str


class LookupView(OpenView):
    """The document's status (published, revoked, replaced, unpublished) and the data of its
    latest publication event, attachments linked on the LGSP."""

    status: str
    document_id: str


class InboundAttachmentView(View):
    attachment_id: str
    name: str
    media_type: str
    size: int
    sha256: str


class InboundReceiptView(View):
    inbound_id: str
    status: str = Field(description="01: arrived")
    received_at: Timestamp
    signature_verdict: str
    attachments: list[InboundAttachmentView]


class InboundStatusView(View):
    status: str
    at: Timestamp
    note: str
    by: str


class InboundView(View):
    inbound_id: str
    sender_code: str
    sender_document_id: str
    message_format: str
    notation: str | None
    subject: str | None
    received_at: Timestamp
    signature_verdict: str
    signature_note: str
    attachments: list[InboundAttachmentView]
    status: str
    recall: str | None = Field(description="the sender's recall: pending, accepted, refused")
    statuses: list[InboundStatusView]
    version: int


class InboundAnswer(RootModel[InboundReceiptView | DeliveryView]):
    """200: a resend (the first receipt again), or an edXML status message (its delivery)."""


class MessageLogEntryView(View):
    seq: int
    at: Timestamp
    partner_id: str
    partner_code: str
    direction: str
    kind: str
    outcome: str
    ref: str | None
    headers: dict[str, str]
    payload_sha256: str
    payload_size: int
    body_kept: bool
    body_truncated: bool
    hash: str
    prev_hash: str
    body: str | None = Field(default=None, description="with with_body=true")
    body_encoding: str | None = Field(default=None, description="utf-8 or base64")


class MessageLogPage(View):
    items: list[MessageLogEntryView]
    next_cursor: str | None


class FindingView(View):
    seq: int
    problem: str
    last_seq: int | None = None
    detail: str


class ChainVerdictView(View):
    chain: str
    ok: bool
    floor_seq: int
    last_seq: int
    checked: int
    next_seq: int | None
    problems: list[FindingView]


class ChainsVerdictView(View):
    ok: bool
    chains: list[ChainVerdictView]


class AdminAuditEntryView(View):
    seq: int
    at: Timestamp
    actor: str
    action: str
    target: str
    details: dict[str, Any]
    hash: str
    prev_hash: str


class AdminAuditPage(View):
    items: list[AdminAuditEntryView]
    next_cursor: str | None


def replay_view(job: dict[str, Any]) -> dict[str, Any]:
    done, total = int(job.get("minutes_done", 0)), int(job["minutes_total"])
    if job["state"] == "done":
        done = total
    return {
        "id": job["_id"],
        "state": job["state"],
        "start": job["start"],
        "end": job["end"],
        "partner_id": job.get("partner_id"),
        "requested_by": job["requested_by"],
        "created_at": job["created_at"],
        "updated_at": job["updated_at"],
        "finished_at": job.get("finished_at"),
        "minutes_total": total,
        "minutes_done": done,
        "progress": progress(done, total),
        "events": job["events"],
        "created": job["created"],
        "requeued": job["requeued"],
        "skipped": job["skipped"],
    }


class WebhookEvent(View):
    """The body of a webhook call (and of a JSON inbox item's ``payload``): one CloudEvents 1.0
    event in structured JSON mode, signed by Standard Webhooks headers."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "specversion": "1.0",
                    "id": "6f0c1b8e-4a0e-4a55-9a7e-1d3c0f6b2a91",
                    "source": "urn:egov:documents",
                    "type": "gov.egov.document.published.v1",
                    "subject": "01J9Z8Q4W6V3T5R2N1M0K9H8G7",
                    "time": "2026-03-02T08:15:00Z",
                    "datacontenttype": "application/json",
                    "data": {"document_id": "01J9Z8Q4W6V3T5R2N1M0K9H8G7", "document_version": 7},
                }
            ]
        }
    )

    specversion: Literal["1.0"]
    id: str = Field(description="the event's id; equal to the webhook-id header")
    source: str = Field(description="where the event happened: urn:egov:<service>")
    type: str = Field(description="gov.egov.<event name>.v1")
    subject: str = Field(description="the aggregate: a document id, or an inbound id")
    time: str = Field(description="RFC 3339, UTC")
    datacontenttype: Literal["application/json"]
    data: dict[str, Any] = Field(
        description="the event's data (its JSON Schema per type is published with the "
        "contracts); each attachment carries the url to fetch it from the LGSP"
    )
