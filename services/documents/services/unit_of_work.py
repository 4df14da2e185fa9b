"""The one way a document (outgoing or incoming) changes: collect, write once, then settle.

A change collects new field values, appended items, audit entries and events. ``write``
applies them in one atomic write guarded by the version and state the document was read
with (the writer taking the relay's lease); ``settle`` then chains the audit entries and
publishes the events concurrently, with any other step the caller or the store adds. A crash
between the two leaves a pending marker: the relay's sweep and the recovery's ``follow_up``
finish it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Self

from services.documents.errors import DocumentNotFound, StaleVersion
from services.documents.repositories.aggregates import AggregateStore
from services.documents.repositories.documents import DocumentRepository
from services.documents.services.audit import AuditTrail, audit_entry
from shared.contracts.events import EventData
from shared.kit.errors import NotFound
from shared.kit.types import Doc
from shared.messaging.outbox import OutboxRelay
from shared.messaging.publisher import EventPublisher


@dataclass
class DocumentChange:
    """What one use case changes on a document it read (``current``); its audit entries are
    filed under ``subject`` (the document's id unless told otherwise)."""

    current: Doc
    subject: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    appended: dict[str, list[Any]] = field(default_factory=dict)
    entries: list[Doc] = field(default_factory=list)
    events: list[EventData] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.subject = self.subject or self.document_id

    @property
    def document_id(self) -> str:
        return str(self.current["_id"])

    def set(self, **fields: Any) -> Self:
        self.fields.update(fields)
        return self

    def append(self, name: str, item: Any) -> Self:
        self.appended.setdefault(name, []).append(item)
        return self

    def audit(
        self,
        actor: str,
        action: str,
        *,
        from_state: str | None = None,
        to_state: str | None = None,
        reason: str = "",
    ) -> Self:
        """An audit entry; the states default to the document's current state."""
        state = str(self.current["state"])
        # Plain strings (not enum members): the entry is hashed as canonical JSON.
        self.entries.append(
            audit_entry(
                self.subject,
                actor,
                str(action),
                from_state=str(from_state or state),
                to_state=str(to_state or state),
                reason=reason,
            )
        )
        return self

    def emit(self, events: Iterable[EventData]) -> Self:
        self.events.extend(events)
        return self


class UnitOfWork:
    def __init__(
        self,
        store: AggregateStore,
        trail: AuditTrail,
        relay: OutboxRelay,
        publisher: EventPublisher,
        *,
        missing: Callable[[], NotFound] = DocumentNotFound,
        after_write: Callable[[Doc], Awaitable[Any]] | None = None,
    ) -> None:
        self._store = store
        self._trail = trail
        self._relay = relay
        self._publisher = publisher
        self._missing = missing
        # A step of the store's own that follows every write (e.g. an index kept in step).
        self._after_write = after_write

    def change(self, current: Doc) -> DocumentChange:
        return DocumentChange(current)

    async def create(self, doc: Doc, actor: str, to_state: str) -> Doc | None:
        """Store a new document with its "create" audit entry, then chain it; None when a
        document with this ``_id`` exists already."""
        assert isinstance(self._store, DocumentRepository)
        entry = audit_entry(str(doc["_id"]), actor, "create", from_state=None, to_state=to_state)
        stored = await self._store.insert(doc, [entry])
        if stored is not None:
            await self._trail.flush(stored)
        return stored

    async def try_write(self, change: DocumentChange) -> Doc | None:
        """The document as written; None if its version or state moved since it was read."""
        return await self._store.write(
            change.current,
            change.fields,
            change.appended,
            [self._publisher.record_for(event) for event in change.events],
            change.entries,
        )

    async def write(self, change: DocumentChange) -> Doc:
        """Like ``try_write``, but someone writing first is a 412 (state never changes
        without the version changing), a vanished document a 404."""
        written = await self.try_write(change)
        if written is not None:
            return written
        now = await self._store.get(change.document_id)
        if now is None:
            raise self._missing()
        raise StaleVersion(int(now["version"]))

    async def settle(self, written: Doc, *also: Awaitable[Any]) -> None:
        """Chain the audit entries and publish the events of a write, with ``also``."""
        steps = [*also, self._trail.flush(written), self._relay.publish_written(written)]
        if self._after_write is not None:
            steps.append(self._after_write(written))
        await asyncio.gather(*steps)

    async def commit(self, change: DocumentChange) -> Doc:
        written = await self.write(change)
        await self.settle(written)
        return written
