"""Delivery statuses reported by the LGSP: recorded idempotently, shown to staff."""

from __future__ import annotations

from services.documents.domain.deliveries import concern_updates, delivery_view, recall_line
from services.documents.domain.lifecycle import NUMBERED_STATES, State
from services.documents.domain.publication import is_classified
from services.documents.repositories.deliveries import DeliveryStatusRepository
from services.documents.repositories.documents import DocumentRepository
from services.documents.services.access import load_visible
from shared.auth.principal import Principal
from shared.contracts.events import DeliveryStatusChanged
from shared.kit.types import Doc


class DeliveryStatusService:
    def __init__(self, statuses: DeliveryStatusRepository, documents: DocumentRepository) -> None:
        self._statuses = statuses
        self._documents = documents

    async def record(self, event: DeliveryStatusChanged, event_id: str) -> list[str]:
        """Apply each concern the event carries if it is newer; the concerns applied.

        The document is deliberately not looked up: the LGSP only reports on documents we
        dispatched, a record about any other id is a few hundred bytes that no staff view
        ever reads (views derive keys from a visible document's recipients), and a lookup
        would cost a read per event for nothing.
        """
        applied: list[str] = []
        for change in concern_updates(event):
            if await self._statuses.apply(
                event.document_id,
                event.recipient_code,
                change,
                version=event.delivery_version,
                event_id=event_id,
            ):
                applied.append(change.concern)
        return applied

    async def list(self, principal: Principal, document_id: str) -> list[Doc]:
        """One line per external recipient of a document the principal may read; once the
        document was recalled, each line also says where the recall stands for it."""
        doc = await load_visible(self._documents, principal, document_id)
        if is_classified(doc):
            # Classified documents never leave through the LGSP, so they have no deliveries.
            return []
        codes = [str(code) for code in doc.get("recipients_external") or ()]
        records = await self._statuses.for_recipients(document_id, codes)
        recall = doc.get("recall")
        sent = State(doc["state"]) in NUMBERED_STATES
        lines = []
        for code in codes:
            line = delivery_view(code, records.get(code), sent=sent)
            if recall:
                line["recall"] = recall_line(recall, code, records.get(code))
            lines.append(line)
        return lines
