"""Claim checks: fetch an attachment's bytes from the documents service into our store.

``shared.kit.claim_check`` checks the path, hashes the bytes while they stream and stores
them only when their SHA-256 is the claim check's; here its outcome becomes the file's
status, and what the portal refuses is reported as a dead letter.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from services.portal.domain.page import FileStatus
from shared.contracts.topics import DOCUMENTS_PUBLIC, physical
from shared.kit.claim_check import Fetched, fetch_into
from shared.kit.content import ContentStore
from shared.kit.types import Doc
from shared.logging import get_logger
from shared.messaging.consumer import publish_dead_letter
from shared.messaging.publisher import EventPublisher

log = get_logger(__name__)
Headers = Callable[[], Awaitable[dict[str, str]]]
STATUS = {
    Fetched.OK: FileStatus.OK,
    Fetched.RETRY: FileStatus.PENDING,
    Fetched.MISMATCH: FileStatus.MISMATCH,
    Fetched.REFUSED: FileStatus.FAILED,
}


@dataclass(frozen=True)
class FetchResult:
    status: FileStatus
    reason: str = ""


class ClaimCheckFetcher:
    def __init__(
        self,
        content: ContentStore,
        *,
        base_url: str,
        auth_headers: Headers,
        timeout_s: float,
        max_bytes: int,
    ) -> None:
        self._content = content
        self._base_url = base_url
        self._auth_headers = auth_headers
        self._timeout_s = timeout_s
        self._max_bytes = max_bytes

    async def _headers(self) -> dict[str, str]:
        try:
            return await self._auth_headers()
        except Exception as exc:  # a token is optional for files of published documents
            log.warning("files.no_service_token", error=f"{type(exc).__name__}: {exc}")
            return {}

    async def fetch(self, job: Doc) -> FetchResult:
        outcome = await fetch_into(
            self._content,
            base_url=self._base_url,
            fetch_path=str(job["fetch_path"]),
            sha256=str(job["sha256"]),
            media_type=str(job.get("media_type") or "application/octet-stream"),
            headers=await self._headers(),
            timeout_s=self._timeout_s,
            max_bytes=self._max_bytes,
        )
        return FetchResult(STATUS[outcome.result], outcome.reason)


class DeadLetterReporter:
    """Reports what the portal refused outside a consumer (a bad file) to ``<topic>.dlq``."""

    def __init__(self, publisher: EventPublisher) -> None:
        self._publisher = publisher

    async def report(self, job: Doc, reason: str) -> None:
        topic = physical(DOCUMENTS_PUBLIC, self._publisher.topic_suffix)
        value = {k: job.get(k) for k in ("sha256", "fetch_path", "size", "document_id")}
        document_id = str(job.get("document_id", ""))
        await publish_dead_letter(
            self._publisher,
            topic,
            json.dumps(value).encode(),
            key=document_id.encode(),
            reason=reason,
            consumer="portal.files",
            headers={"ce_subject": document_id},
        )
        log.warning("files.dead_lettered", sha256=job.get("sha256"), reason=reason)
