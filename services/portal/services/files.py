"""Claim checks: fetch an attachment's bytes from the documents service into our store.

Bytes are hashed while they stream into the chunk store; a file whose SHA-256 differs from the claim
check is aborted (never stored, never served) and reported as a dead letter.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from services.portal.domain.page import FileStatus
from services.portal.repositories.files import FileRepository
from shared.contracts.topics import DOCUMENTS_PUBLIC, physical
from shared.logging import get_logger
from shared.messaging.consumer import publish_dead_letter
from shared.messaging.publisher import EventPublisher

log = get_logger(__name__)
Headers = Callable[[], Awaitable[dict[str, str]]]
CHUNK = 256 * 1024


@dataclass(frozen=True)
class FetchResult:
    status: FileStatus
    reason: str = ""


def fetch_url(base_url: str, fetch_path: str) -> str | None:
    """Only paths on the documents service itself: never another host."""
    if not fetch_path.startswith("/") or fetch_path.startswith("//") or "\\" in fetch_path:
        return None
    return base_url.rstrip("/") + fetch_path


class ClaimCheckFetcher:
    def __init__(
        self,
        files: FileRepository,
        *,
        base_url: str,
        auth_headers: Headers,
        timeout_s: float,
        max_bytes: int,
    ) -> None:
        self._files = files
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

    async def fetch(self, job: dict[str, Any]) -> FetchResult:
        expected = str(job["sha256"])
        url = fetch_url(self._base_url, str(job["fetch_path"]))
        if url is None:
            return FetchResult(FileStatus.FAILED, f"fetch path not allowed: {job['fetch_path']!r}")
        try:
            async with (
                httpx.AsyncClient(timeout=self._timeout_s, follow_redirects=False) as client,
                client.stream("GET", url, headers=await self._headers()) as response,
            ):
                if response.status_code != 200:
                    return FetchResult(FileStatus.PENDING, f"HTTP {response.status_code}")
                return await self._store(response, expected)
        except httpx.HTTPError as exc:
            return FetchResult(FileStatus.PENDING, f"{type(exc).__name__}: {exc}")

    async def _store(self, response: httpx.Response, expected: str) -> FetchResult:
        digest = hashlib.sha256()
        size = 0
        upload = self._files.upload()
        try:
            async for chunk in response.aiter_bytes(CHUNK):
                size += len(chunk)
                if size > self._max_bytes:
                    await upload.abort()
                    return FetchResult(FileStatus.PENDING, f"file larger than {self._max_bytes}")
                digest.update(chunk)
                await upload.write(chunk)
        except BaseException:
            await upload.abort()
            raise
        actual = digest.hexdigest()
        if actual != expected:
            await upload.abort()
            return FetchResult(
                FileStatus.MISMATCH,
                f"attachment sha256 mismatch: expected {expected}, got {actual} ({size} bytes)",
            )
        await upload.close()
        await self._files.mark_ok(expected, upload)
        return FetchResult(FileStatus.OK)


class DeadLetterReporter:
    """Reports what the portal refused outside a consumer (a bad file) to ``<topic>.dlq``."""

    def __init__(self, publisher: EventPublisher) -> None:
        self._publisher = publisher

    async def report(self, job: dict[str, Any], reason: str) -> None:
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
