"""The body a partner receives, in its format: JSON (the event with links to the files) or
edXML (a signed QCVN 102:2016 message with the files inside, base64).

``PayloadRenderer`` is the one place the format is chosen: the delivery worker asks it for
the webhook body, the pull inbox for the edXML of an item. An edXML revocation, recall or
replacement names the original document by its DocumentId, so every issued document written
as edXML is remembered by its id (``edxml_documents``; published documents are also found
in ``documents``).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from services.lgsp.domain.deliveries import Mode
from services.lgsp.domain.edxml import (
    BusinessDocType,
    EdxmlAttachment,
    EdxmlDocument,
    EdxmlStatus,
    write_document,
    write_status,
)
from services.lgsp.domain.edxml_out import (
    Ministry,
    document_message,
    sender_document_id,
    status_message,
)
from services.lgsp.errors import DeliveryConflict, DeliveryNotFound, FileNotReady
from services.lgsp.repositories import DeliveryRepository, DocumentRepository, EventRepository
from services.lgsp.repositories.edxml_documents import EdxmlDocumentRepository
from services.lgsp.repositories.files import FileRepository
from services.lgsp.services.directory import PartnerDirectory
from services.lgsp.services.files import FileFetchError, FileService
from services.lgsp.services.xml_signatures import XmlSigner
from services.lgsp.settings import Settings
from shared.contracts.events import (
    EVENTS_BY_TYPE,
    DocumentDispatched,
    DocumentPublished,
    DocumentRecalled,
    DocumentReplaced,
    DocumentRevoked,
    IncomingStatusChanged,
)
from shared.contracts.models import ClaimCheck, SignedDocument
from shared.contracts.vocabulary import MessageFormat, Urgency
from shared.kit.clock import utcnow
from shared.kit.types import Doc

XML = "application/xml"
JSON = "application/json"


class MessageUnavailable(Exception):
    """The message cannot be written (the original of a revocation is unknown): the job
    fails with this reason instead of being retried."""


@dataclass(frozen=True)
class Rendered:
    body: bytes
    content_type: str


def format_of(partner: Doc) -> MessageFormat:
    try:
        return MessageFormat(partner.get("format") or MessageFormat.JSON.value)
    except ValueError:
        return MessageFormat.JSON


class EdxmlMessages:
    """Signed edXML messages for the events the LGSP delivers."""

    def __init__(
        self,
        files: FileService,
        file_repo: FileRepository,
        documents: DocumentRepository,
        issued: EdxmlDocumentRepository,
        directory: PartnerDirectory,
        signer: XmlSigner,
        settings: Settings,
    ) -> None:
        self.files = files
        self.file_repo = file_repo
        self.documents = documents
        self.issued = issued
        self.directory = directory
        self.signer = signer
        self.ministry = Ministry(
            settings.organisation_code, settings.organisation_name, settings.promulgation_place
        )

    async def render(self, partner: Doc, event: Doc) -> bytes:
        message = await self.message(partner, event)
        return await asyncio.to_thread(self._signed, message)

    def _signed(self, message: EdxmlDocument | EdxmlStatus) -> bytes:
        """Writing (base64 of the files) and signing are CPU work: off the event loop."""
        if isinstance(message, EdxmlStatus):
            return self.signer.sign(write_status(message))
        return self.signer.sign(write_document(message))

    async def message(self, partner: Doc, event: Doc) -> EdxmlDocument | EdxmlStatus:
        spec = EVENTS_BY_TYPE.get(str(event.get("ce_type")))
        if spec is None:
            raise MessageUnavailable(f"no edXML message for events of type {event.get('ce_type')}")
        data = spec.model.model_validate(event["data"])
        own = [str(partner["code"])]
        if isinstance(data, IncomingStatusChanged):
            return status_message(self.ministry, data)
        if isinstance(data, DocumentDispatched):
            await self._remember(data)
            return await self._document(
                data.document, data.attachments, to=list(data.recipients), urgency=data.urgency
            )
        if isinstance(data, DocumentPublished):
            await self._remember(data)
            return await self._document(data.document, data.attachments, to=own)
        if isinstance(data, DocumentRevoked | DocumentRecalled):
            original, _claims = await self._original(data.document_id)
            return await self._document(
                original,
                [],
                to=list(data.recipients) if isinstance(data, DocumentRecalled) else own,
                business=BusinessDocType.REVOKE,
                reason=data.reason,
            )
        if isinstance(data, DocumentReplaced):
            old, _ = await self._original(data.document_id)
            new, claims = await self._original(data.replaced_by_id)
            reason = data.reason or f"Thay thế văn bản {data.notation}"
            return await self._document(
                new,
                claims,
                to=own,
                business=BusinessDocType.REPLACE,
                reason=reason,
                replaces=[sender_document_id(self.ministry, old)],
            )
        raise MessageUnavailable(f"no edXML message for {spec.model.event_name}")

    async def _remember(self, data: DocumentDispatched | DocumentPublished) -> None:
        await self.issued.remember(
            data.document_id, data.document_version, data.model_dump(mode="json")
        )
        await self.issued.remember_edxml_id(
            sender_document_id(self.ministry, data.document), data.document_id
        )

    async def _document(
        self,
        doc: SignedDocument,
        claims: list[ClaimCheck],
        *,
        to: list[str],
        urgency: Urgency | None = None,
        business: BusinessDocType = BusinessDocType.NEW,
        reason: str = "",
        replaces: list[str] | None = None,
    ) -> EdxmlDocument:
        return document_message(
            self.ministry,
            doc,
            to=to,
            names=self._names(),
            attachments=[await self._attachment(c) for c in claims],
            urgency=urgency or doc.urgency,
            at=utcnow(),
            business=business,
            reason=reason,
            replaces=replaces or (),
        )

    def _names(self) -> dict[str, str]:
        return {str(p["code"]): str(p["name"]) for p in self.directory.partners()}

    async def _attachment(self, claim: ClaimCheck) -> EdxmlAttachment:
        await self.files.ensure(claim.model_dump(mode="json"))
        found = await self.file_repo.read(claim.sha256)
        if found is None:
            raise FileFetchError(f"{claim.sha256[:12]} is not in the content store")
        data, media_type = found
        return EdxmlAttachment(
            content_id=f"cid:{claim.attachment_id}",
            name=claim.name,
            media_type=claim.media_type or media_type,
            description=claim.name,
            data=data,
        )

    async def _original(self, document_id: str) -> tuple[SignedDocument, list[ClaimCheck]]:
        """The issued document as last sent or published (revocations name it)."""
        data = await self.issued.get(document_id)
        if data is None:
            published = await self.documents.get(document_id)
            data = (published or {}).get("event")
        if not data or "document" not in data:
            raise MessageUnavailable(
                f"document {document_id} was never sent nor published through the LGSP: "
                "its edXML identity is unknown"
            )
        claims = [ClaimCheck.model_validate(c) for c in data.get("attachments") or []]
        return SignedDocument.model_validate(data["document"]), claims


class PayloadRenderer:
    """The one choice of format: JSON partners get the event, edXML partners a signed
    message."""

    def __init__(
        self,
        events: EventRepository,
        deliveries: DeliveryRepository,
        files: FileService,
        edxml: EdxmlMessages,
    ) -> None:
        self.events = events
        self.deliveries = deliveries
        self.files = files
        self.edxml = edxml

    async def render(self, partner: Doc, job: Doc, payload: dict[str, Any]) -> Rendered:
        """The webhook body of ``job``; FileFetchError when a file cannot be had now (the
        job is retried), MessageUnavailable when the message cannot be written at all."""
        event = await self.events.get(job["event_id"])
        if event is None:
            raise MessageUnavailable(f"event {job['event_id']} is no longer stored")
        if format_of(partner) is MessageFormat.EDXML:
            return Rendered(await self.edxml.render(partner, event), XML)
        await self.files.ensure_all(event.get("data") or {})
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return Rendered(body, JSON)

    async def inbox_edxml(self, partner: Doc, delivery_id: str) -> bytes:
        """The signed edXML of one of the partner's pull-inbox items."""
        job = await self.deliveries.get(delivery_id)
        if (
            job is None
            or job["partner_id"] != partner["_id"]
            or job["mode"] != Mode.INBOX.value
            or format_of(partner) is not MessageFormat.EDXML
        ):
            raise DeliveryNotFound("no such inbox item of yours in edXML")
        event = await self.events.get(job["event_id"])
        if event is None:
            raise DeliveryNotFound("the event of this item is no longer stored")
        try:
            return await self.edxml.render(partner, event)
        except FileFetchError as exc:
            raise FileNotReady() from exc
        except MessageUnavailable as exc:
            raise DeliveryConflict(str(exc)) from exc
