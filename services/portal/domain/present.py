"""What the public sees of a page: the JSON API body, also handed to the templates."""

from __future__ import annotations

from services.portal.domain.page import FileStatus, signature_of, type_label, with_signed_fields
from shared.kit.types import Doc


def document_url(slug: str) -> str:
    return f"/van-ban/{slug}"


def summary(page: Doc) -> Doc:
    return {
        "id": str(page["_id"]),
        "slug": page["slug"],
        "url": document_url(page["slug"]),
        "notation": page["notation"],
        "number": page["number"],
        "year": page["year"],
        "type": page["doc_type"],
        "type_name": type_label(page),
        "type_name_en": type_label(page, "en"),
        "subject": page["subject"],
        "issuer": page["issuer"],
        "field": page.get("field"),
        "issue_date": page["issue_date"],
        "effective_date": page.get("effective_date"),
        "published_at": page["published_at"],
        "version": page["version"],
        "withdrawn": page.get("revoked") is not None,
        "replaced": page.get("replaced_by") is not None,
    }


def detail(page: Doc, file_statuses: dict[str, str], slugs: dict[str, str]) -> Doc:
    page = with_signed_fields(page)
    body = summary(page)
    base = document_url(page["slug"])
    attachments = []
    for att in page.get("attachments", []):
        available = file_statuses.get(att["sha256"]) == str(FileStatus.OK)
        attachments.append(
            {
                "name": att["name"],
                "media_type": att["media_type"],
                "size": att["size"],
                "sha256": att["sha256"],
                "available": available,
                "url": f"{base}/files/{att['sha256']}" if available else None,
            }
        )
    replaced_by = page.get("replaced_by")
    if replaced_by is not None:
        slug = slugs.get(replaced_by["id"])
        replaced_by = {**replaced_by, "url": document_url(slug) if slug else None}
    replaces = [
        {**link, "url": document_url(slugs[link["id"]]) if link["id"] in slugs else None}
        for link in page.get("replaces", [])
    ]
    body.update(
        {
            "drafting_unit": page.get("drafting_unit"),
            "signer": page["signer"],
            "language": page["language"] or "vi",
            "body": page["body"] or "",
            "attachments": attachments,
            "signature": {
                "status": page.get("signature_status", "pending"),
                "kid": signature_of(page).get("kid"),
            },
            "revoked": page.get("revoked"),
            "replaced_by": replaced_by,
            "replaces": replaces,
        }
    )
    return body


def linked_ids(page: Doc) -> list[str]:
    ids = [link["id"] for link in page.get("replaces", [])]
    if page.get("replaced_by"):
        ids.append(page["replaced_by"]["id"])
    return ids


def gone(page: Doc) -> Doc:
    """What a 410 page says of a document taken off the site."""
    record = page["gone"]
    return {
        "id": str(page["_id"]),
        "notation": record.get("notation") or page.get("notation", ""),
        "explanation": record["explanation"],
        "at": record["at"],
    }
