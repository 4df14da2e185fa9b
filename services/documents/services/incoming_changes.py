"""The one way an incoming document changes: collect, write once, then settle.

Like ``unit_of_work`` for outgoing documents: a change collects new field values, audit
entries and status events; ``write`` applies them in one atomic write guarded by the version
and state the document was read with (taking the relay's lease); ``settle`` then chains the
audit entries, publishes the events and brings the open set in step, concurrently. A crash
in between leaves a pending marker, and the relay's sweep finishes it
(``IncomingRecovery.follow_up``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from services.documents.domain.incoming import audit_subject, status_changed
from services.documents.errors import DocumentNotFound, StaleVersion
from services.documents.repositories.audit import AuditRepository
from services.documents.repositories.incoming import AUDIT_PENDING, IncomingRepository
from services.documents.services.audit import audit_entry
from shared.auth.principal import Principal
from shared.contracts.events import EventData
from shared.contracts.vocabulary import IncomingStatus
from shared.kit.types import Doc
from shared.messaging.outbox import OutboxRelay
from shared.messaging.publisher import EventPublisher


@dataclass
class IncomingChange:
    current: Doc
    fields: dict[str, Any] = field(default_factory=dict)
    entries: list[Doc] = field(default_factory=list)
    events: list[EventData] = field(default_factory=list)

    @property
    def inbound_id(self) -> str:
        return str(self.current["_id"])

    def set(self, **fields: Any) -> IncomingChange:
        self.fields.update(fields)
        return self

    def audit(
        self, actor: str, action: str, *, to_state: str | None = None, reason: str = ""
    ) -> IncomingChange:
        state = str(self.current["state"])
        # Plain strings (not enum members): the entry is hashed as canonical JSON.
        self.entries.append(
            audit_entry(
                audit_subject(self.inbound_id),
                actor,
                str(action),
                from_state=state,
                to_state=str(to_state) if to_state else state,
                reason=reason,
            )
        )
        return self

    def tell_sender(self, status: IncomingStatus, note: str, at: dt.datetime) -> IncomingChange:
        """The status this write reports, carrying the version the write produces."""
        version = int(self.current["version"]) + 1
        self.events.append(status_changed(self.current, version, status, note, at))
        return self


class IncomingWriter:
    def __init__(
        self,
        incoming: IncomingRepository,
        audit: AuditRepository,
        relay: OutboxRelay,
        publisher: EventPublisher,
    ) -> None:
        self._incoming = incoming
        self._audit = audit
        self._relay = relay
        self._publisher = publisher

    def change(self, current: Doc) -> IncomingChange:
        return IncomingChange(current)

    async def try_write(self, change: IncomingChange) -> Doc | None:
        """The document as written; None if its version or state moved since it was read."""
        return await self._incoming.write(
            change.current,
            change.fields,
            [self._publisher.record_for(event) for event in change.events],
            change.entries,
        )

    async def write(self, change: IncomingChange) -> Doc:
        written = await self.try_write(change)
        if written is not None:
            return written
        now = await self._incoming.get(change.inbound_id)
        if now is None:
            raise DocumentNotFound("incoming document")
        raise StaleVersion(int(now["version"]))

    async def settle(self, written: Doc, *also: Awaitable[Any]) -> None:
        await asyncio.gather(
            *also,
            self.flush(written),
            self._relay.publish_written(written),
            self._incoming.sync_open(written),
        )

    async def commit(self, change: IncomingChange) -> Doc:
        written = await self.write(change)
        await self.settle(written)
        return written

    async def flush(self, doc: Doc | None) -> None:
        """Move the document's pending audit entries onto its chain (idempotent)."""
        if doc is None:
            return
        entries = list(doc.get(AUDIT_PENDING, []))
        if not entries:
            return
        for entry in entries:
            await self._audit.append(entry)
        await self._incoming.drop_pending_audit(str(doc["_id"]), entries)

    async def record_read(self, principal: Principal, doc: Doc, what: str = "read") -> None:
        state = str(doc["state"])
        await self._audit.append(
            audit_entry(
                audit_subject(str(doc["_id"])),
                principal.user,
                what,
                from_state=state,
                to_state=state,
            )
        )
