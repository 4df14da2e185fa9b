"""What a document sent in by a partner agency becomes when it arrives: its stored form and
the reasons, if any, to hold it for a clerk's attention instead of offering it for registration."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.documents.domain.incoming import IncomingState
from services.documents.domain.numbering import local_date
from shared.contracts.events import InboundReceived
from shared.contracts.vocabulary import SignatureVerdict
from shared.kit.clock import as_utc
from shared.kit.types import Doc

# A promulgation date this far after the arrival is a wrong field, not a time zone.
DATE_SLACK = dt.timedelta(days=1)

# The sender-signature verdict as staff read it.
SIGNATURE_LABELS: dict[SignatureVerdict, str] = {
    SignatureVerdict.VALID: "Chữ ký số hợp lệ (valid signature)",
    SignatureVerdict.INVALID: "Chữ ký số KHÔNG hợp lệ (invalid signature)",
    SignatureVerdict.UNSIGNED: "Không có chữ ký số (unsigned)",
    SignatureVerdict.UNKNOWN_CERTIFICATE: (
        "Chứng thư số không xác định (certificate not recognised)"
    ),
}


def _is_path(fetch_path: str) -> bool:
    return fetch_path.startswith("/") and not fetch_path.startswith("//") and "\\" not in fetch_path


def intake_problems(event: InboundReceived, organisation_code: str, max_bytes: int) -> list[str]:
    """Why the document cannot simply await registration (empty when it can)."""
    header = event.header
    problems: list[str] = []
    if event.sender_code != header.from_organ_id:
        problems.append(
            f"unknown sender: the LGSP names {event.sender_code} but the document says "
            f"{header.from_organ_id}"
        )
    if organisation_code not in header.to_organ_ids:
        problems.append(
            f"not addressed to this organisation ({organisation_code}): "
            f"to {', '.join(header.to_organ_ids)[:300]}"
        )
    if header.promulgation_date > local_date(as_utc(event.received_at) + DATE_SLACK):
        problems.append(
            f"invalid field promulgation_date: {header.promulgation_date} is after its arrival"
        )
    if header.due_date is not None and header.due_date < header.promulgation_date:
        problems.append(
            f"invalid field due_date: {header.due_date} is before the promulgation date"
        )
    seen: set[str] = set()
    for item in event.attachments:
        if item.attachment_id in seen:
            problems.append(f"invalid field attachments: {item.attachment_id} appears twice")
        seen.add(item.attachment_id)
        if not _is_path(item.fetch_path):
            problems.append(f"attachment {item.name}: fetch path not allowed")
        if item.size > max_bytes:
            problems.append(f"attachment {item.name}: {item.size} bytes, over {max_bytes}")
    return problems


def received_document(event: InboundReceived, problems: list[str], now: dt.datetime) -> Doc:
    """The stored incoming document, keyed by the inbound id so its events stay in order."""
    header = event.header
    if problems:
        state = IncomingState.NEEDS_ATTENTION
    elif event.attachments:
        state = IncomingState.RECEIVING
    else:
        state = IncomingState.AWAITING_REGISTRATION
    attachments: list[dict[str, Any]] = [
        {
            "attachment_id": a.attachment_id,
            "name": a.name,
            "media_type": a.media_type,
            "size": a.size,
            "sha256": a.sha256,
            "fetch_path": a.fetch_path,
        }
        for a in event.attachments
    ]
    return {
        "_id": event.inbound_id,
        "version": 1,
        "state": state.value,
        "inbound_version": event.inbound_version,
        "sender_code": event.sender_code,
        "sender_name": header.from_organ_name,
        "sender_document_id": event.sender_document_id,
        "message_format": event.message_format.value,
        "to_organ_ids": list(header.to_organ_ids),
        "code_number": header.code_number,
        "code_notation": header.code_notation,
        "sender_notation": f"{header.code_number}/{header.code_notation}",
        "document_type": header.document_type,
        "subject": header.subject,
        "promulgation_place": header.promulgation_place,
        "promulgation_date": header.promulgation_date.isoformat(),
        "signer": header.signer.model_dump(mode="json"),
        "due_date": header.due_date.isoformat() if header.due_date else None,
        "urgency": header.priority.value,
        "confidentiality": header.confidentiality.value,
        "steering_type": header.steering_type,
        "trace": [hop.model_dump(mode="json") for hop in header.trace],
        "body": event.body,
        "attachments": attachments,
        "signature_verdict": event.signature_verdict.value,
        "signature_label": SIGNATURE_LABELS[event.signature_verdict],
        "signature_note": event.signature_note,
        "attention": list(problems),
        "received_at": as_utc(event.received_at),
        "received_year": local_date(as_utc(event.received_at)).year,
        "created_at": now,
        "updated_at": now,
    }
