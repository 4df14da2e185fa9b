"""The public page of a document: which events may become one, and what it stores."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from typing import Any

import orjson

from services.portal.domain.slug import document_slug
from shared.contracts.events import (
    DocumentPublished,
    DocumentReplaced,
    DocumentRevoked,
    DocumentUnpublished,
)
from shared.contracts.models import DocumentSignature, SignedDocument
from shared.contracts.vocabulary import Access, Confidentiality, DocumentType, type_name
from shared.kit.types import Doc
from shared.signing import canonical_bytes, verify


class SignatureStatus(StrEnum):
    VERIFIED = "verified"
    FAILED = "failed"
    PENDING = "pending"


class FileStatus(StrEnum):
    PENDING = "pending"
    OK = "ok"
    MISMATCH = "mismatch"
    FAILED = "failed"


def refusal(event: DocumentPublished) -> str | None:
    """Why this event must never become a public page, or None when it may."""
    doc = event.document
    if doc.confidentiality != Confidentiality.THUONG:
        return f"document {event.document_id} is classified ({doc.confidentiality})"
    if doc.access != Access.PUBLIC:
        return f"document {event.document_id} is not public (access={doc.access})"
    if doc.document_id != event.document_id:
        return "the signed document's id does not match the event's document_id"
    return None


def sort_key(issue_date: dt.date, published_at: dt.datetime, document_id: str) -> str:
    """One string ordering pages newest first when sorted descending (cursor position)."""
    stamp = published_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"{issue_date.isoformat()}|{stamp}|{document_id}"


def page_fields(event: DocumentPublished) -> Doc:
    """What a DocumentPublished event sets on the page (the ``$set`` of the projection)."""
    doc: SignedDocument = event.document
    fields: Doc = {
        "visible": True,
        "slug": document_slug(doc.notation, doc.year),
        "notation": doc.notation,
        "number": doc.number,
        "year": doc.year,
        "doc_type": str(doc.doc_type),
        "subject": doc.subject,
        "issuer": doc.issuer.model_dump(mode="json"),
        "issue_date": doc.issue_date.isoformat(),
        "effective_date": doc.effective_date.isoformat() if doc.effective_date else None,
        "field": doc.field,
        "published_at": event.published_at.astimezone(dt.UTC).isoformat(),
        "version": event.document_version,
        "sort_key": sort_key(doc.issue_date, event.published_at, event.document_id),
        "signed": signed_text(doc),
        "signature": _compact(event.signature.model_dump(mode="json")),
        "signature_status": str(SignatureStatus.PENDING),
    }
    if event.attachments:  # most documents have none: no empty list stored
        fields["attachments"] = [a.model_dump(mode="json") for a in event.attachments]
    return fields


def _compact(value: object) -> str:
    return orjson.dumps(value).decode()


def fields_to_remove(fields: Doc) -> list[str]:
    """What a publication with these ``fields`` takes off the page: what pages written
    before kept and what this version leaves out (no attachments)."""
    return [name for name in (*LEGACY_FIELDS, "attachments") if name not in fields]


def signature_of(page: Doc) -> dict[str, Any]:
    """The page's signature (one JSON string; pages written before kept an object)."""
    value = page.get("signature")
    if isinstance(value, str):
        parsed: dict[str, Any] = json.loads(value)
        return parsed
    return dict(value or {})


def signed_text(doc: SignedDocument) -> str:
    """The signed document exactly as signed (its RFC 8785 canonical JSON), kept as one
    string: the store converts a record value by value, and nothing reads its fields.

    For JSON of strings, booleans, nulls and integers within ±2^53 under ASCII keys,
    orjson's sorted compact output is byte for byte RFC 8785 (same escapes, same key
    order: ASCII keys sort the same by bytes and by UTF-16 units) and about ten times
    faster than the standard library's; anything else takes the full canonicalisation."""
    data = doc.model_dump(mode="json")
    if _plain(data):
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()
    return canonical_bytes(doc).decode()


_SAFE_INTEGER = 2**53 - 1


def _plain(value: object) -> bool:
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -_SAFE_INTEGER <= value <= _SAFE_INTEGER
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(k.isascii() and _plain(v) for k, v in value.items())
    return False


def signed_document(page: Doc) -> dict[str, Any]:
    """The signed document of a page, parsed for the one reader that needs it (the
    signature check); pages written before kept it as a nested object."""
    value = page["signed"]
    if isinstance(value, str):
        parsed: dict[str, Any] = json.loads(value)
        return parsed
    return dict(value)


def signed_payload(page: Doc) -> bytes:
    """What the signature covers: the stored signed copy is its canonical JSON already
    (``signed_text``), so it is checked as it is; pages written before kept an object."""
    value = page["signed"]
    if isinstance(value, str):
        return value.encode()
    return canonical_bytes(dict(value))


def signature_verdict(
    page: Doc, signature: DocumentSignature, jwks: dict[str, Any]
) -> SignatureStatus:
    """Whether the page's stored signed copy verifies under ``signature`` and the key set."""
    valid = verify(signed_payload(page), signature, jwks)
    return SignatureStatus.VERIFIED if valid else SignatureStatus.FAILED


# Shown on the document's own page only, and already in the signed copy: not stored beside
# it (the body would be stored twice), read from it when the page is shown or indexed.
FROM_SIGNED_COPY: dict[str, Any] = {
    "body": "",
    "drafting_unit": None,
    "signer": {},
    "language": "vi",
}
# What pages written before also kept: these four, and the type's names (now derived from
# ``doc_type`` when shown). A publication removes them, so no stale copy outlives it.
LEGACY_FIELDS = (*FROM_SIGNED_COPY, "type_name", "type_name_en")


def with_signed_fields(page: Doc) -> Doc:
    """The page with the fields it takes from its signed copy (parsed once, and only when
    one is missing: a page written before kept them all)."""
    missing = [name for name in FROM_SIGNED_COPY if name not in page]
    if not missing:
        return page
    signed = signed_document(page) if page.get("signed") else {}
    return {**page, **{name: signed.get(name, FROM_SIGNED_COPY[name]) for name in missing}}


def page_body(page: Doc) -> str:
    """The body of a page: its own field on a page written before, else the signed copy's."""
    if "body" in page:
        return str(page["body"] or "")
    if not page.get("signed"):
        return ""
    return str(signed_document(page).get("body") or "")


def type_label(page: Doc, language: str = "vi") -> str:
    """The name of the page's document type (stored on pages written before)."""
    stored = page.get("type_name_en" if language == "en" else "type_name")
    if stored:
        return str(stored)
    try:
        return type_name(DocumentType(str(page.get("doc_type") or "")), language)
    except ValueError:
        return str(page.get("doc_type") or "")


def revoked_fields(event: DocumentRevoked) -> Doc:
    return {
        "revoked": {
            "at": event.revoked_at.astimezone(dt.UTC).isoformat(),
            "reason": event.reason,
            "notation": event.notation,
        }
    }


def replaced_fields(event: DocumentReplaced) -> Doc:
    return {
        "replaced_by": {
            "id": event.replaced_by_id,
            "notation": event.replaced_by_notation,
            "at": event.replaced_at.astimezone(dt.UTC).isoformat(),
            "reason": event.reason,
        }
    }


def gone_fields(event: DocumentUnpublished) -> Doc:
    """Taken off the site for good: the page stops being shown and answers 410 with why.
    Written under the page's own version guard, so no older publication brings it back."""
    return {
        "visible": False,
        "gone": {
            "at": event.unpublished_at.astimezone(dt.UTC).isoformat(),
            "explanation": event.explanation,
            "notation": event.notation,
        },
    }


def back_link(event: DocumentReplaced) -> Doc:
    """Stored on the replacement: the document it replaces."""
    return {"id": event.document_id, "notation": event.notation}
