"""Fetching the attachments of documents sent in, by claim check, from the LGSP.

The bytes go into the documents' content store only if their SHA-256 is the claim check's
(``shared.kit.claim_check``). A document whose attachments are all stored awaits
registration; a permanent failure (the file is not there, its bytes differ, the path is not
allowed, it is too large) holds it for a clerk's attention with the reason; anything else
(the LGSP down, a timeout) is retried with backoff until ``give_up_s``, then held too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from services.documents.domain.incoming import IncomingState
from services.documents.repositories.incoming import IncomingRepository
from services.documents.repositories.incoming_fetches import FetchQueue
from services.documents.services.incoming_changes import IncomingWriter
from shared.kit.backoff import Backoff
from shared.kit.claim_check import Fetched, FetchOutcome, fetch_into
from shared.kit.clock import as_utc, utcnow
from shared.kit.content import ContentStore
from shared.kit.types import Doc
from shared.logging import get_logger

log = get_logger(__name__)
Headers = Callable[[], Awaitable[dict[str, str]]]
ACTOR = "documents:attachments"
# The LGSP answering these means the file will not appear by asking again.
MISSING = ("HTTP 404", "HTTP 410")
RETRY_DELAYS = Backoff(base_s=2.0, max_s=300.0)


def is_permanent(outcome: FetchOutcome) -> bool:
    if outcome.result in (Fetched.MISMATCH, Fetched.REFUSED):
        return True
    return outcome.reason in MISSING or outcome.reason.startswith("file larger than")


class AttachmentFetcher:
    def __init__(
        self,
        incoming: IncomingRepository,
        fetches: FetchQueue,
        writer: IncomingWriter,
        content: ContentStore,
        *,
        lgsp_url: str,
        auth_headers: Headers,
        timeout_s: float,
        max_bytes: int,
        give_up_s: float,
    ) -> None:
        self._incoming = incoming
        self._fetches = fetches
        self._writer = writer
        self._content = content
        self._lgsp_url = lgsp_url
        self._auth_headers = auth_headers
        self._timeout_s = timeout_s
        self._max_bytes = max_bytes
        self._give_up = dt.timedelta(seconds=give_up_s)

    async def run_once(self) -> int:
        """Work on every due job this replica can claim; returns how many were claimed."""
        now = utcnow()
        claimed = 0
        for job in await self._fetches.due(now):
            mine = await self._fetches.claim(str(job["_id"]), now, self._timeout_s * 4 + 30)
            if mine is None:
                continue  # another replica has it
            claimed += 1
            await self._work(mine)
        return claimed

    async def _work(self, job: Doc) -> None:
        inbound_id = str(job["_id"])
        doc = await self._incoming.get(inbound_id)
        if doc is None:
            # The document is written after its job: a crash in between is finished by the
            # redelivered event, which finds this job again.
            if utcnow() - as_utc(job["since"]) > self._give_up:
                await self._fetches.done(inbound_id)
            else:
                await self._fetches.reschedule(job, utcnow() + dt.timedelta(seconds=30), "")
            return
        if doc["state"] != IncomingState.RECEIVING.value:
            await self._fetches.done(inbound_id)
            return
        failure = await self._fetch_all(doc)
        if failure is None:
            await self._finish(doc, IncomingState.AWAITING_REGISTRATION, [])
        elif is_permanent(failure):
            await self._finish(doc, IncomingState.NEEDS_ATTENTION, [failure.reason])
        elif utcnow() - as_utc(job["since"]) > self._give_up:
            reason = f"attachments could not be fetched from the LGSP: {failure.reason}"
            await self._finish(doc, IncomingState.NEEDS_ATTENTION, [reason])
        else:
            delay = RETRY_DELAYS.delay(int(job.get("attempts", 0)) + 1)
            log.info("incoming.fetch_retry", inbound_id=inbound_id, reason=failure.reason)
            await self._fetches.reschedule(
                job, utcnow() + dt.timedelta(seconds=delay), failure.reason
            )
            return
        await self._fetches.done(inbound_id)

    async def _fetch_all(self, doc: Doc) -> FetchOutcome | None:
        """The first failure, or None when every attachment is stored."""
        headers = await self._auth_headers()
        for item in doc.get("attachments", []):
            outcome = await fetch_into(
                self._content,
                base_url=self._lgsp_url,
                fetch_path=str(item["fetch_path"]),
                sha256=str(item["sha256"]),
                media_type=str(item.get("media_type") or "application/octet-stream"),
                headers=headers,
                timeout_s=self._timeout_s,
                max_bytes=self._max_bytes,
            )
            if outcome.result is not Fetched.OK:
                name = str(item.get("name") or item["attachment_id"])
                reason = f"attachment {name}: {outcome.reason or outcome.result.value}"
                if outcome.reason in MISSING:
                    reason = f"attachment {name} is missing at the LGSP ({outcome.reason})"
                # Classified here, while the LGSP's own answer is at hand.
                kind = Fetched.REFUSED if is_permanent(outcome) else Fetched.RETRY
                return FetchOutcome(kind, reason[:1000])
        return None

    async def _finish(self, doc: Doc, target: IncomingState, reasons: list[str]) -> None:
        """receiving → awaiting registration or needs attention (retried if written meanwhile)."""
        while doc["state"] == IncomingState.RECEIVING.value:
            change = (
                self._writer.change(doc)
                .set(state=target.value, attention=reasons, updated_at=utcnow())
                .audit(
                    ACTOR,
                    "attachments-fetched" if not reasons else "held",
                    to_state=target.value,
                    reason="; ".join(reasons)[:2000],
                )
            )
            written = await self._writer.try_write(change)
            if written is not None:
                await self._writer.settle(written)
                if reasons:
                    log.warning("incoming.needs_attention", inbound_id=doc["_id"], reasons=reasons)
                return
            fresh = await self._incoming.get(str(doc["_id"]))
            if fresh is None:  # pragma: no cover - incoming documents are never deleted
                return
            doc = fresh
