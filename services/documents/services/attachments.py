"""Attachments of drafts, and claim-check reads of their bytes by content hash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from services.documents.domain.files import UnsupportedType, detect_media_type, safe_name
from services.documents.domain.lifecycle import Action, State
from services.documents.domain.permissions import can_see
from services.documents.domain.publication import is_classified
from services.documents.services.access import guarded_update, load_visible, prepare
from services.documents.services.audit import AuditTrail, audit_entry
from services.documents.services.common import Deps, NotFound, new_id, utcnow
from services.documents.services.views import facts
from shared.auth.principal import Principal, Role
from shared.http.problems import ProblemError

Doc = dict[str, Any]
LIVE = frozenset({State.ISSUED.value, State.REPLACED.value})


@dataclass(frozen=True)
class FileBytes:
    data: bytes
    media_type: str
    name: str


async def documents_with(deps: Deps, sha256: str) -> list[Doc]:
    """The documents that name this content, found through its referrer record."""
    docs = await deps.documents.many(await deps.files.referrers(sha256))
    return [d for d in docs if any(a["sha256"] == sha256 for a in d.get("attachments", []))]


def is_published(doc: Doc) -> bool:
    return bool(doc.get("published")) and doc["state"] in LIVE


def may_fetch(principal: Principal | None, doc: Doc) -> bool:
    """Claim-check rules: each consumer only what it needs (docs/architecture.md §9)."""
    if principal is None or principal.has_role(Role.SERVICE_PORTAL):
        return is_published(doc)
    if principal.has_role(Role.SERVICE_LGSP):
        return is_published(doc) or (bool(doc.get("dispatched")) and doc["state"] in LIVE)
    return can_see(principal, facts(doc))


class AttachmentService:
    def __init__(self, deps: Deps, trail: AuditTrail) -> None:
        self._d = deps
        self._trail = trail

    async def add(
        self,
        principal: Principal,
        document_id: str,
        version: int,
        name: str | None,
        data: bytes,
    ) -> tuple[Doc, Doc]:
        doc = await prepare(self._d.documents, principal, document_id, Action.ATTACH, version)
        if len(data) > self._d.max_attachment_bytes:
            raise ProblemError(413, f"files are limited to {self._d.max_attachment_bytes} bytes")
        if not data:
            raise ProblemError(422, "the file is empty")
        try:
            media_type = detect_media_type(data)
        except UnsupportedType as exc:
            raise ProblemError(
                415, f"{exc}; accepted: PDF, DOCX, ODT, PNG, JPEG (checked by content)"
            ) from exc
        sha256 = hashlib.sha256(data).hexdigest()
        attachment = {
            "attachment_id": new_id(),
            "name": safe_name(name),
            "media_type": media_type,
            "size": len(data),
            "sha256": sha256,
        }
        stored_now = await self._d.files.put(sha256, data, media_type)
        await self._d.files.add_referrer(sha256, document_id)
        entry = audit_entry(
            document_id,
            principal.user,
            "attach",
            from_state=doc["state"],
            to_state=doc["state"],
            reason=f"{attachment['name']} {sha256}",
        )
        try:
            updated = await guarded_update(
                self._d.documents,
                doc,
                {"$push": {"attachments": attachment}, "$set": {"updated_at": utcnow()}},
                audit=[entry],
            )
        except ProblemError:
            # Nothing half-written: drop bytes nobody refers to.
            if stored_now and not await documents_with(self._d, sha256):
                await self._d.files.delete(sha256)
            raise
        await self._trail.flush(updated)
        return updated, attachment

    async def download(
        self, principal: Principal, document_id: str, attachment_id: str
    ) -> FileBytes:
        doc = await load_visible(self._d.documents, principal, document_id)
        for item in doc.get("attachments", []):
            if item["attachment_id"] == attachment_id:
                data = await self._d.files.get(item["sha256"])
                if data is None:
                    raise NotFound("attachment")
                if is_classified(doc):
                    await self._trail.record_read(principal, doc, "download")
                return FileBytes(data, item["media_type"], item["name"])
        raise NotFound("attachment")

    async def claim_check(self, principal: Principal | None, sha256: str) -> FileBytes:
        for doc in await documents_with(self._d, sha256):
            if not may_fetch(principal, doc):
                continue
            data = await self._d.files.get(sha256)
            item = next(a for a in doc["attachments"] if a["sha256"] == sha256)
            if data is None:
                break
            if principal is not None and is_classified(doc):
                await self._trail.record_read(principal, doc, "download")
            return FileBytes(data, item["media_type"], item["name"])
        raise NotFound("file")
