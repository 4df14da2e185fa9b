"""One-off steps over documents stored before a record that later code relies on existed:
each builds what is missing, then leaves a marker so that it never runs again.

This is the one place that reads a whole collection of history, once per database at start,
before the service serves; every later step finds records by ``_id``. Two replicas starting
together both run it safely: each write is an idempotent upsert guarded by the version.
"""

from __future__ import annotations

from services.documents.repositories.documents import DocumentRepository
from services.documents.repositories.migrations import MigrationMarkers
from shared.kit.clock import utcnow
from shared.logging import get_logger

OPEN_SET = "migrated:open-set-v1"
log = get_logger(__name__)


class Migration:
    def __init__(self, documents: DocumentRepository, markers: MigrationMarkers) -> None:
        self._documents = documents
        self._markers = markers

    async def run_once(self) -> bool:
        """True when a step ran now; False when earlier starts already did them all."""
        if await self._markers.done(OPEN_SET):
            return False
        await self._open_set()
        return True

    async def _open_set(self) -> None:
        """Documents not yet issued, stored before the open set existed, join it."""
        started = utcnow()
        joined = 0
        async for doc in self._documents.not_issued():
            await self._documents.sync_open(doc)
            joined += 1
        await self._markers.mark_done(OPEN_SET, {"at": utcnow(), "documents": joined})
        if joined:
            log.info("documents.migrated", open_set=joined, seconds=(utcnow() - started).seconds)
