"""Replay of a time window as a background job (``domain/replays.py`` has its rules).

``start`` checks the window (at most ``EGOV_LGSP_REPLAY_MAX_WINDOW_S``), joins the running set
(refused while an overlapping replay runs) and stores the job; the request answers at once.
Each replica's loop leases the running jobs nobody holds and walks them: a batch of at most
``EGOV_LGSP_REPLAY_BATCH_EVENTS`` events found through the minute index of received events,
re-dispatched, then the cursor, counters and lease in one compare-and-set. A replica that dies
stops renewing its lease and another resumes from the cursor; a batch run twice re-sends
nothing twice (each job is re-queued at most once per replay).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from pydantic import ValidationError

from services.lgsp.domain.replays import (
    ReplayCursor,
    ReplayState,
    ReplayWindow,
    floor_minute,
    minute_key,
    minutes_in,
    next_minutes,
    take_batch,
    walked_until,
    window_problem,
)
from services.lgsp.errors import InvalidWindow, PartnerNotFound, ReplayNotFound, ReplayRunning
from services.lgsp.repositories import EventRepository, PartnerRepository
from services.lgsp.repositories.replays import EPOCH, ReplayRepository
from services.lgsp.settings import Settings
from shared.background import BackgroundLoop
from shared.kit.clock import as_utc, utcnow
from shared.kit.types import Doc
from shared.logging import get_logger

log = get_logger(__name__)
MINUTES_PER_READ = 240  # minute keys of the event index read at once (one `_id $in`)
ORPHAN_GRACE_S = 60.0  # a running entry whose job was never stored (crash in between)


class Dispatch(Protocol):
    def __call__(
        self,
        stored: Doc,
        *,
        requeue: bool,
        partner_id: str | None = None,
        replay_id: str | None = None,
    ) -> Awaitable[tuple[int, int]]: ...


def _ms(at: dt.datetime) -> dt.datetime:
    """As the store keeps it (milliseconds): entries compare equal when pulled again."""
    at = as_utc(at)
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


class ReplayService:
    def __init__(
        self,
        replays: ReplayRepository,
        events: EventRepository,
        partners: PartnerRepository,
        dispatch: Dispatch,
        settings: Settings,
        on_batch: Callable[[], None] = lambda: None,
    ) -> None:
        self.replays = replays
        self.events = events
        self.partners = partners
        self.dispatch = dispatch
        self.settings = settings
        self.on_batch = on_batch  # tests: observe a job between two batches
        self._loop = BackgroundLoop("lgsp-replays", self.run_once, settings.replay_interval_s)

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    # Requests -------------------------------------------------------------------------------
    async def request(
        self, start: dt.datetime, end: dt.datetime, partner_id: str | None, requested_by: str
    ) -> Doc:
        """The stored job (202): running, or already done when the window holds nothing yet."""
        problem = window_problem(as_utc(start), as_utc(end), self.settings.replay_max_window_s)
        if problem is not None:
            raise InvalidWindow(problem)
        if partner_id is not None and await self.partners.get(partner_id) is None:
            raise PartnerNotFound()
        now = _ms(utcnow())
        window = ReplayWindow(_ms(start), _ms(end), partner_id)
        until = walked_until(window, now)
        total = minutes_in(window.start, until)
        replay_id = f"r-{uuid.uuid4().hex}"
        job: Doc = {
            "_id": replay_id,
            "state": ReplayState.RUNNING if total else ReplayState.DONE,
            **window.as_doc(),
            "until": until,
            "requested_by": requested_by,
            "created_at": now,
            "updated_at": now,
            "finished_at": None if total else now,
            "cursor": ReplayCursor(floor_minute(window.start)).as_doc() if total else None,
            "minutes_total": total,
            "minutes_done": 0,
            "events": 0,
            "created": 0,
            "requeued": 0,
            "skipped": 0,
            "lease_until": EPOCH,
            "lease_token": None,
        }
        if total:
            entry = {"id": replay_id, **window.as_doc(), "at": now}
            blocking: list[str] = []

            def refusal(entries: list[Doc]) -> str | None:
                for other in entries:
                    if ReplayWindow.of(other).overlaps(window):
                        blocking[:] = [str(other["id"])]
                        return (
                            f"replay {other['id']} of an overlapping window is running; follow "
                            f"it at /api/v1/replays/{other['id']} and ask again when it is done"
                        )
                if len(entries) >= self.settings.replay_max_running:
                    return f"{len(entries)} replays are running; ask again when one is done"
                return None

            reason = await self.replays.join_running(entry, refusal)
            if reason is not None:
                extra = {"running_replay_id": blocking[0]} if blocking else {}
                raise ReplayRunning(reason, **extra)
        await self.replays.insert(job)
        self._loop.wake()
        return job

    async def get(self, replay_id: str) -> Doc:
        job = await self.replays.get(replay_id)
        if job is None:
            raise ReplayNotFound()
        return job

    # The job --------------------------------------------------------------------------------
    async def run_once(self) -> int:
        """Walk every running replay this replica can lease; returns how many it finished."""
        entries, _ = await self.replays.running_entries()
        finished = 0
        for entry in entries:
            job = await self.replays.get(str(entry["id"]))
            if job is None:
                grace = utcnow() - dt.timedelta(seconds=ORPHAN_GRACE_S)
                if as_utc(entry["at"]) < grace:
                    await self.replays.leave_running(entry)
                continue
            if job["state"] == ReplayState.DONE:
                await self.replays.leave_running(entry)
                continue
            claimed = await self.replays.claim(job["_id"], utcnow(), self.settings.replay_lease_s)
            if claimed is not None and await self._walk(claimed):
                await self.replays.leave_running(entry)
                finished += 1
        return finished

    async def _walk(self, job: Doc) -> bool:
        """Batches until the window is done (True) or the lease is lost (False)."""
        token = str(job["lease_token"])
        window = ReplayWindow.of(job)
        until = as_utc(job["until"])
        first = floor_minute(window.start)
        cursor: ReplayCursor | None = ReplayCursor.of(job["cursor"]) if job["cursor"] else None
        while cursor is not None:
            minutes = next_minutes(cursor, until, MINUTES_PER_READ)
            index = await self.events.minute_index([minute_key(m) for m in minutes])
            batch = take_batch(cursor, minutes, index, until, self.settings.replay_batch_events)
            counts = await self._replay(job["_id"], window, batch.ids)
            now = utcnow()
            fields: dict[str, Any] = {
                "cursor": batch.after.as_doc() if batch.after else None,
                "updated_at": now,
                "lease_until": now + dt.timedelta(seconds=self.settings.replay_lease_s),
                "minutes_done": (
                    int((batch.after.minute - first).total_seconds() // 60)
                    if batch.after
                    else int(job["minutes_total"])
                ),
            }
            if batch.after is None:
                fields.update(state=ReplayState.DONE, finished_at=now, lease_until=EPOCH)
            if await self.replays.advance(job["_id"], token, fields, counts) is None:
                log.warning("replay.lease_lost", replay_id=job["_id"])
                return False
            self.on_batch()
            cursor = batch.after
        log.info("replay.done", replay_id=job["_id"])
        return True

    async def _replay(
        self, replay_id: str, window: ReplayWindow, ids: Sequence[str]
    ) -> dict[str, int]:
        counts = {"events": 0, "created": 0, "requeued": 0, "skipped": 0}
        found = {str(e["_id"]): e for e in await self.events.get_many(list(ids))}
        for event_id in ids:
            event = found.get(event_id)  # gone: deleted by retention meanwhile
            if event is None or not window.start <= as_utc(event["time"]) < window.end:
                continue
            counts["events"] += 1
            try:
                created, requeued = await self.dispatch(
                    event, requeue=True, partner_id=window.partner_id, replay_id=replay_id
                )
            except (KeyError, ValidationError):  # a stored event no model reads any more
                log.exception("replay.event_skipped", replay_id=replay_id, event_id=event_id)
                counts["skipped"] += 1
                continue
            counts["created"] += created
            counts["requeued"] += requeued
        return counts
