"""Documents sent in by partner agencies: the rules, whatever format they came in.

A message is known by its sender and the sender's own id of it (edXML ``DocumentId``): its
inbound id is derived from both, so a resend finds the record the first sending made. The
record keeps the statuses the sender is told: 01 (arrived) at once, then the ministry's
handling statuses (02–06, 15, 16) and the sender's recall requests (13).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from services.lgsp.errors import (
    AttachmentTooLarge,
    BadAttachment,
    InboundInvalid,
    NotAddressedToUs,
    SenderMismatch,
)
from shared.contracts.events import EdxmlHeader, InboundRecallRequested, InboundReceived
from shared.contracts.models import ClaimCheck
from shared.contracts.vocabulary import IncomingStatus, MessageFormat, SignatureVerdict
from shared.kit.clock import as_utc

INBOUND_ID_PREFIX = "in-"
FILES_PATH = "/api/v1/inbound-files"
MEDIA_TYPE_RE = re.compile(r"^[A-Za-z0-9][\w.+-]{0,62}/[A-Za-z0-9][\w.+-]{0,62}$")
NAME_MAX = 255


class Recall:
    """Where the sender's recall of a document stands."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"

    # A new recall may be asked for when none was, or the last one was refused.
    OPEN_TO_REQUEST: tuple[str | None, ...] = (None, REFUSED)


def inbound_id_for(sender_code: str, sender_document_id: str) -> str:
    """Deterministic: every replica, and every resend, arrives at the same id."""
    digest = hashlib.sha256(f"{sender_code}|{sender_document_id}".encode()).hexdigest()
    return INBOUND_ID_PREFIX + digest[:40]


def file_path(sha256: str) -> str:
    return f"{FILES_PATH}/{sha256}"


@dataclass(frozen=True)
class IncomingFile:
    """An attachment's bytes as the message carried them."""

    name: str
    media_type: str
    data: bytes
    content_id: str = ""

    @functools.cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class EncodedFile:
    """An attachment of a JSON message, still in base64."""

    name: str
    media_type: str
    content_base64: str


@dataclass(frozen=True)
class InboundMessage:
    """A document sent in, in either format: what the record, the receipt and the event need."""

    sender_document_id: str
    message_format: MessageFormat
    header: EdxmlHeader
    body: str
    files: tuple[IncomingFile, ...]
    signature_verdict: SignatureVerdict
    signature_note: str = ""


# Checks -------------------------------------------------------------------------------
def check_addressing(header: EdxmlHeader, caller_code: str, organisation_code: str) -> None:
    """The sender must be the caller, and the ministry one of the receivers."""
    if header.from_organ_id != caller_code:
        raise SenderMismatch(header.from_organ_id, caller_code)
    if organisation_code not in header.to_organ_ids:
        raise NotAddressedToUs(organisation_code)


def clean_name(name: str, position: int) -> str:
    """The file name without any path, control characters or excess length."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    if base in ("", ".", ".."):
        return f"attachment-{position + 1}"
    return base[:NAME_MAX]


def check_media_type(media_type: str, position: int) -> str:
    value = media_type.split(";", 1)[0].strip().lower()
    if not MEDIA_TYPE_RE.match(value):
        raise BadAttachment(
            f"attachment {position + 1}: {media_type!r} is not a media type",
            field=f"attachments.{position}.media_type",
        )
    return value


def check_size(size: int, limit: int, position: int, name: str) -> None:
    if size > limit:
        raise AttachmentTooLarge(
            f"attachment {position + 1} ({name}) is larger than {limit} bytes",
            field=f"attachments.{position}",
        )


def decode_attachment(
    position: int, name: str, media_type: str, content_base64: str, limit: int
) -> IncomingFile:
    """One JSON attachment: its size is checked before decoding, its base64 strictly."""
    shown = clean_name(name, position)
    text = "".join(content_base64.split())  # line breaks are common in base64
    check_size(len(text) // 4 * 3, limit + 3, position, shown)
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadAttachment(
            f"attachment {position + 1} ({shown}): content_base64 is not valid base64",
            field=f"attachments.{position}.content_base64",
        ) from exc
    check_size(len(data), limit, position, shown)
    return IncomingFile(shown, check_media_type(media_type, position), data)


def checked_file(position: int, file: IncomingFile, limit: int) -> IncomingFile:
    """An attachment taken from an edXML message: the same rules as a JSON one."""
    shown = clean_name(file.name, position)
    check_size(len(file.data), limit, position, shown)
    return IncomingFile(
        shown, check_media_type(file.media_type, position), file.data, file.content_id
    )


# The event and the record -------------------------------------------------------------
def attachment_id(position: int, file: IncomingFile) -> str:
    """The sender's content id when it fits, otherwise the attachment's position."""
    cid = file.content_id.strip()
    return cid if 0 < len(cid) <= 64 else f"att-{position + 1}"


def claim_checks(files: Sequence[IncomingFile]) -> list[ClaimCheck]:
    return [
        ClaimCheck(
            attachment_id=attachment_id(i, f),
            name=f.name,
            media_type=f.media_type,
            size=len(f.data),
            sha256=f.sha256,
            fetch_path=file_path(f.sha256),
        )
        for i, f in enumerate(files)
    ]


def received_event(
    inbound_id: str, message: InboundMessage, sender_code: str, received_at: dt.datetime
) -> InboundReceived:
    """The contract event; a message the contract cannot carry is refused, not stored."""
    try:
        return _received_event(inbound_id, message, sender_code, received_at)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise InboundInvalid(f"{where}: {first.get('msg', 'invalid')}", field=where) from exc


def _received_event(
    inbound_id: str, message: InboundMessage, sender_code: str, received_at: dt.datetime
) -> InboundReceived:
    return InboundReceived(
        inbound_id=inbound_id,
        inbound_version=1,
        sender_code=sender_code,
        sender_document_id=message.sender_document_id,
        message_format=message.message_format,
        header=message.header,
        body=message.body,
        attachments=claim_checks(message.files),
        signature_verdict=message.signature_verdict,
        signature_note=message.signature_note[:500],
        received_at=received_at,
    )


def new_record(event: InboundReceived, partner_id: str) -> dict[str, Any]:
    """The inbound record at version 1 (the version ``inbound.received`` carries)."""
    return {
        "_id": event.inbound_id,
        "version": 1,
        "partner_id": partner_id,
        "sender_code": event.sender_code,
        "sender_document_id": event.sender_document_id,
        "message_format": event.message_format.value,
        "notation": f"{event.header.code_number}/{event.header.code_notation}",
        "subject": event.header.subject,
        "signature_verdict": event.signature_verdict.value,
        "signature_note": event.signature_note,
        "attachments": [c.model_dump(mode="json") for c in event.attachments],
        "received_at": event.received_at,
        "recall": None,
        "recall_requested_at": None,
        "statuses": [
            status_entry(IncomingStatus.ARRIVED.value, event.received_at, version=1, source="lgsp")
        ],
    }


def status_entry(
    status: str, at: dt.datetime, *, version: int, source: str, note: str = ""
) -> dict[str, Any]:
    """One line of the sender's status history; equal for a redelivered event, so the
    repository can add it idempotently."""
    return {"status": status, "at": at, "version": version, "source": source, "note": note}


def recall_event(
    record: Mapping[str, Any], reason: str, requested_at: dt.datetime
) -> InboundRecallRequested:
    return InboundRecallRequested(
        inbound_id=str(record["_id"]),
        inbound_version=int(record["version"]) + 1,
        sender_code=str(record["sender_code"]),
        reason=reason,
        requested_at=requested_at,
    )


def recall_answer(status: str) -> str | None:
    if status == IncomingStatus.RECALL_ACCEPTED.value:
        return Recall.ACCEPTED
    if status == IncomingStatus.RECALL_REFUSED.value:
        return Recall.REFUSED
    return None


def history(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The statuses so far, 01 first and the newest last."""
    entries = list(record.get("statuses") or [])
    entries.sort(
        key=lambda e: (
            e["status"] != IncomingStatus.ARRIVED.value,
            as_utc(e["at"]),
            e.get("source") != "lgsp",
            int(e.get("version", 0)),
        )
    )
    return entries


def current_status(record: Mapping[str, Any]) -> str:
    entries = history(record)
    return str(entries[-1]["status"]) if entries else IncomingStatus.ARRIVED.value
