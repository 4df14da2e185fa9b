"""Rebuild the portal's read model by replaying the public topic from its first record.

The live portal keeps serving (and projecting) the active model meanwhile. The replay
folds each batch of events into the pages it touches in memory (the projection's own
rules, ``domain/replay.py``; in a worker thread, so the event loop keeps the store's
writes going meanwhile) and writes them with one bulk write per batch, together with
the records of one page each that changed (what a page is indexed under, its search
record) and the slugs claimed, while the next batch is read and folded; it keeps every
other index record of the visible pages in memory as they change
(``domain/index_records.py``), so at the end each is written once, in bulk, without
reading a page back. Signatures are checked in a thread beside the indexing of their
batch (libsodium lets go of the interpreter while it checks); those it could not check (no
key set) are handed to the worker. It switches the pointer (compare-and-set), waits until
every replica has read it, and replays what arrived meanwhile through the live projection
into the new model, so no event is lost between the two. Switching back is naming the
previous model again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from services.portal.domain.index_records import Changes, IndexRecords
from services.portal.domain.page import SignatureStatus, signature_of, signature_verdict
from services.portal.domain.replay import SlugBook, fold_batch, touched_ids
from services.portal.errors import PageRefused
from services.portal.repositories import (
    FileRepository,
    ListingRepository,
    PageRepository,
    PendingWork,
    SlugRepository,
)
from services.portal.repositories.model import ModelCollections, ReadModelRepository
from services.portal.repositories.replay import FreshModelRepository
from services.portal.services.documents import Projection
from services.portal.services.keys import JwksUnavailable
from shared.contracts.events import (
    DocumentPublished,
    DocumentReplaced,
    DocumentRevoked,
    DocumentUnpublished,
    EventData,
)
from shared.contracts.models import DocumentSignature
from shared.kit.clock import utcnow
from shared.kit.types import Doc

Positions = dict[int, int]  # partition → offset
WRITES_IN_FLIGHT = 1  # the store has one writer per database: more writes in flight only contend


@dataclass(frozen=True)
class Replayed:
    event: EventData
    event_id: str


class KeySet(Protocol):
    """The documents service's signing keys (``JwksCache``): the key set that knows ``kid``,
    or ``JwksUnavailable``."""

    async def for_kid(self, kid: str) -> dict[str, Any]: ...


class ReplaySource(Protocol):
    """The public topic, read from given offsets up to given ends (exclusive)."""

    async def end_offsets(self) -> Positions: ...

    async def start_offsets(self) -> Positions: ...

    def batches(self, since: Positions, until: Positions) -> AsyncIterator[list[Replayed]]: ...


@dataclass
class Folded:
    """What the replay keeps of the pages in memory: their ids, the slugs claimed, every
    index record of the visible ones (kept up to date as pages change, so nothing is read
    back or recomputed at the end) and the signatures still to check."""

    seen: set[str] = field(default_factory=set)
    final: Changes = field(default_factory=Changes)  # every index record, once all is folded
    slugs: SlugBook = field(default_factory=SlugBook)
    index: IndexRecords = field(default_factory=IndexRecords)
    unchecked: dict[str, int] = field(default_factory=dict)  # id → version, signature pending
    _slugs_handed: int = 0

    def new_slugs(self) -> list[Doc]:
        """The slugs claimed since the last call (claims are never taken back)."""
        claims = self.slugs.claims[self._slugs_handed :]
        self._slugs_handed += len(claims)
        return [{"_id": slug, "document_id": page} for slug, page in claims]

    def track_signature(self, page: Doc) -> None:
        """A visible page whose signature is still unchecked is left to the worker."""
        page_id = str(page["_id"])
        self.unchecked.pop(page_id, None)
        if (
            page.get("visible")
            and page.get("sort_key")
            and page.get("signature_status") == str(SignatureStatus.PENDING)
        ):
            self.unchecked[page_id] = int(page["version"])


class WritesInFlight:
    """Batch writes that run while the next batches are read and folded: at most ``depth``
    at once; ``drain`` waits for all of them, before pages written earlier are read back."""

    def __init__(self, depth: int) -> None:
        self._depth = max(1, depth)
        self._tasks: deque[asyncio.Task[None]] = deque()

    async def submit(self, write: Coroutine[Any, Any, None]) -> None:
        while len(self._tasks) >= self._depth:
            await self._tasks.popleft()
        self._tasks.append(asyncio.create_task(write))

    async def drain(self) -> None:
        while self._tasks:
            await self._tasks.popleft()

    async def cancel(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()


class RebuildRefused(Exception):
    """The pointer moved while the rebuild ran (another rebuild or switch won)."""


@dataclass
class RebuildReport:
    model: str
    previous: str
    events: int = 0
    refused: int = 0
    pages: int = 0
    visible: int = 0
    caught_up: int = 0
    seconds: float = 0.0
    replay_seconds: float = 0.0
    ends: Positions = field(default_factory=dict)

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def model_name(moment: dt.datetime) -> str:
    """A fresh model's collection prefix, e.g. ``rm20250601T120000_``."""
    return "rm" + moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S") + "_"


Progress = Callable[[int, int], None]  # events done, events in all


class Rebuild:
    def __init__(
        self,
        pointer: ReadModelRepository,
        files: FileRepository,
        keys: KeySet | None,
        *,
        refresh_s: float,
    ) -> None:
        self._pointer = pointer
        self._files = files
        self._keys = keys
        self._refresh_s = refresh_s

    async def active(self) -> str:
        pointer, _ = await self._pointer.read()
        return str((pointer or {}).get("active") or "")

    async def run(
        self,
        source: ReplaySource,
        *,
        progress: Progress = lambda done, total: None,
        switch: bool = True,
    ) -> RebuildReport:
        started = utcnow()
        previous = await self.active()
        report = RebuildReport(model=model_name(started), previous=previous)
        model = ModelCollections(self._pointer.db, report.model)
        await self._pointer.drop_model(report.model)
        begin, ends = await source.start_offsets(), await source.end_offsets()
        report.ends = ends
        total = sum(max(0, ends[p] - begin.get(p, 0)) for p in ends)
        fresh = FreshModelRepository(model)
        seen = await self._replay(source, fresh, begin, ends, report, lambda n: progress(n, total))
        report.replay_seconds = (utcnow() - started).total_seconds()
        await self._index(fresh, seen, report)
        report.seconds = (utcnow() - started).total_seconds()
        if switch:
            await self.switch_to(report.model, expected=previous, note={"events": report.events})
            report.caught_up = await self._catch_up(source, model, ends)
        return report

    async def _replay(
        self,
        source: ReplaySource,
        fresh: FreshModelRepository,
        begin: Positions,
        ends: Positions,
        report: RebuildReport,
        advanced: Callable[[int], None],
    ) -> Folded:
        folded = Folded()
        done = 0
        loop = asyncio.get_running_loop()
        writes = WritesInFlight(WRITES_IN_FLIGHT)
        try:
            async for batch in source.batches(begin, ends):
                ids = {i for r in batch for i in touched_ids(r.event)}
                earlier = [i for i in ids if i in folded.seen]
                if earlier:  # pages of earlier batches are read back once written
                    await writes.drain()
                pages = await fresh.pages(earlier)
                # The fold and the indexing run in a worker thread, so this loop keeps
                # answering the store while they run: the previous batch's writes go out
                # one after another instead of waiting for the whole fold to end.
                refused, bodies = await loop.run_in_executor(
                    None, fold_batch, pages, [(r.event, r.event_id) for r in batch], folded.slugs
                )
                report.refused += refused
                # The signatures are checked in another thread beside the indexing.
                verdicts = await self._start_signature_checks(pages.values())
                await self._register_files(pages.values())
                await loop.run_in_executor(None, _remember_all, folded.index, pages, bodies)
                await verdicts
                for page in pages.values():
                    folded.track_signature(page)
                new = [p for i, p in pages.items() if i not in folded.seen]
                changed = [p for i, p in pages.items() if i in folded.seen]
                indexed = folded.index.page_changes()
                slugs = folded.new_slugs()
                await writes.submit(fresh.save_batch(new, changed, indexed, slugs))
                await asyncio.sleep(0)  # the write sends its requests before the next fold
                folded.seen.update(pages)
                report.events += len(batch)
                done += len(batch)
                advanced(done)
                # What the fold keeps (every page's index entries) grows with history, and
                # the collector walked all of it again and again: a fifth of the replay's
                # time. Kept until the end anyway, it is put out of its sight until then.
                gc.freeze()
            folded.final = folded.index.changes()  # while the last batch is being written
            await writes.drain()
        finally:
            gc.unfreeze()
            await writes.cancel()
        report.pages = len(folded.seen)
        return folded

    async def _index(
        self, fresh: FreshModelRepository, folded: Folded, report: RebuildReport
    ) -> None:
        """Every index record of the final pages as the fold kept them, the slugs, and the
        signatures not checked during the replay (no key set), left to the worker."""
        report.visible = len(folded.index)
        await fresh.write_index(folded.final, folded.new_slugs(), folded.unchecked)

    async def _start_signature_checks(self, pages: Iterable[Doc]) -> asyncio.Future[None]:
        """Check, in a thread, the signatures the fold left pending (pages new or changed
        in this batch); the future is done once each page has its verdict. libsodium lets go
        of the interpreter while it checks, so this runs beside the indexing and the
        store's writes. Without the key set they stay pending, for the
        worker."""
        checks: list[Check] = []
        for page in pages:
            if page.get("signature_status") != str(SignatureStatus.PENDING):
                continue
            signature = DocumentSignature.model_validate(signature_of(page))
            try:
                jwks = await self._keys.for_kid(signature.kid) if self._keys else None
            except JwksUnavailable:
                jwks = None
            if jwks is not None:
                checks.append((page, signature, jwks))
        return asyncio.get_running_loop().run_in_executor(None, _check_all, checks)

    async def _register_files(self, pages: Iterable[Doc]) -> None:
        claims = {
            a["sha256"]: (a, str(p["_id"]))
            for p in pages
            if p.get("visible")
            for a in p.get("attachments", [])
        }
        if not claims:
            return
        known = await self._files.statuses(list(claims))
        for sha256, (attachment, document_id) in claims.items():
            if sha256 not in known and attachment.get("fetch_path"):
                await self._files.register(attachment, document_id)

    async def switch_to(self, model: str, *, expected: str, note: Doc | None = None) -> None:
        if not await self._pointer.switch(model, expected, utcnow(), note):
            raise RebuildRefused(f"the active read model is no longer {expected or 'the first'}")

    async def _catch_up(
        self, source: ReplaySource, model: ModelCollections, since: Positions
    ) -> int:
        """Every replica reads the pointer within ``refresh_s``; after that, whatever arrived
        since the replay's ends is replayed through the live projection (idempotent, so an
        event the live consumer also applied there changes nothing)."""
        await asyncio.sleep(self._refresh_s * 2 + 0.5)
        ends = await source.end_offsets()
        projection = Projection(
            PageRepository(model),
            SlugRepository(model),
            ListingRepository(model),
            self._files,
            (PendingWork(model, "signature_pending"), PendingWork(model, "search_pending")),
            lambda: None,
        )
        applied = 0
        async for batch in source.batches(since, ends):
            for replayed in batch:
                await _project(projection, replayed)
                applied += 1
        return applied


Check = tuple[Doc, DocumentSignature, dict[str, Any]]


def _remember_all(index: IndexRecords, pages: dict[str, Doc], bodies: dict[str, str]) -> None:
    """Index the batch's pages, with the bodies the fold handed over where it has them."""
    for page_id, page in pages.items():
        index.remember(page, bodies.get(page_id))


def _check_all(checks: list[Check]) -> None:
    for page, signature, jwks in checks:
        page["signature_status"] = str(signature_verdict(page, signature, jwks))


async def _project(projection: Projection, replayed: Replayed) -> None:
    event, event_id = replayed.event, replayed.event_id
    if isinstance(event, DocumentPublished):
        try:
            await projection.published(event, event_id)
        except PageRefused:
            return
    elif isinstance(event, DocumentRevoked):
        await projection.revoked(event, event_id)
    elif isinstance(event, DocumentReplaced):
        await projection.replaced(event, event_id)
    elif isinstance(event, DocumentUnpublished):
        await projection.unpublished(event, event_id)
