"""Attachments of drafts, and claim-check reads of their bytes by content hash."""

from __future__ import annotations

import hashlib

from services.documents.domain.document import new_id
from services.documents.domain.files import (
    FileBytes,
    UnsupportedType,
    detect_media_type,
    stored_name,
)
from services.documents.domain.lifecycle import Action, State
from services.documents.domain.permissions import can_see, facts
from services.documents.domain.publication import is_classified
from services.documents.errors import (
    DocumentNotFound,
    EmptyFile,
    FileTooLarge,
    StaleVersion,
    UnsupportedFile,
)
from services.documents.repositories.documents import DocumentRepository
from services.documents.repositories.files import FileStore
from services.documents.services.access import load_visible, prepare
from services.documents.services.audit import AuditTrail
from services.documents.services.unit_of_work import UnitOfWork
from shared.auth.principal import Principal, Role
from shared.kit.clock import utcnow
from shared.kit.types import Doc

LIVE = frozenset({State.ISSUED.value, State.REPLACED.value})


async def documents_with(documents: DocumentRepository, files: FileStore, sha256: str) -> list[Doc]:
    """The documents that name this content, found through its referrer record."""
    docs = await documents.many(await files.referrers(sha256))
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
    def __init__(
        self,
        documents: DocumentRepository,
        files: FileStore,
        trail: AuditTrail,
        uow: UnitOfWork,
        max_bytes: int,
    ) -> None:
        self._documents = documents
        self._files = files
        self._trail = trail
        self._uow = uow
        self.max_bytes = max_bytes

    async def add(
        self,
        principal: Principal,
        document_id: str,
        version: int,
        name: str | None,
        data: bytes,
    ) -> tuple[Doc, Doc]:
        doc = await prepare(self._documents, principal, document_id, Action.ATTACH, version)
        if len(data) > self.max_bytes:
            raise FileTooLarge(self.max_bytes)
        if not data:
            raise EmptyFile()
        try:
            media_type = detect_media_type(data)
        except UnsupportedType as exc:
            raise UnsupportedFile(
                f"{exc}; accepted: PDF, DOCX, ODT, PNG, JPEG (checked by content)"
            ) from exc
        sha256 = hashlib.sha256(data).hexdigest()
        attachment = {
            "attachment_id": new_id(),
            "name": stored_name(name, media_type),
            "media_type": media_type,
            "size": len(data),
            "sha256": sha256,
        }
        stored_now = await self._files.put(sha256, data, media_type)
        await self._files.add_referrer(sha256, document_id)
        change = (
            self._uow.change(doc)
            .append("attachments", attachment)
            .set(updated_at=utcnow())
            .audit(principal.user, "attach", reason=f"{attachment['name']} {sha256}")
        )
        try:
            written = await self._uow.write(change)
        except (StaleVersion, DocumentNotFound):
            # Nothing half-written: drop bytes nobody refers to.
            if stored_now and not await documents_with(self._documents, self._files, sha256):
                await self._files.delete(sha256)
            raise
        await self._uow.settle(written)
        return written, attachment

    async def list(self, principal: Principal, document_id: str) -> list[Doc]:
        doc = await load_visible(self._documents, principal, document_id)
        return list(doc.get("attachments", []))

    async def download(
        self, principal: Principal, document_id: str, attachment_id: str
    ) -> FileBytes:
        doc = await load_visible(self._documents, principal, document_id)
        for item in doc.get("attachments", []):
            if item["attachment_id"] == attachment_id:
                data = await self._files.get(item["sha256"])
                if data is None:
                    raise DocumentNotFound("attachment")
                if is_classified(doc):
                    await self._trail.record_read(principal, doc, "download")
                return FileBytes(data, item["media_type"], item["name"])
        raise DocumentNotFound("attachment")

    async def claim_check(self, principal: Principal | None, sha256: str) -> FileBytes:
        for doc in await documents_with(self._documents, self._files, sha256):
            if not may_fetch(principal, doc):
                continue
            data = await self._files.get(sha256)
            item = next(a for a in doc["attachments"] if a["sha256"] == sha256)
            if data is None:
                break
            if principal is not None and is_classified(doc):
                await self._trail.record_read(principal, doc, "download")
            return FileBytes(data, item["media_type"], item["name"])
        raise DocumentNotFound("file")
