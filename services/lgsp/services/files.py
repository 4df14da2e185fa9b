"""Claim-check fetches of attachments from the documents service into the content store."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from services.lgsp.domain.partners import Service
from services.lgsp.repositories import (
    DeliveryRepository,
    DocumentRepository,
    EventRepository,
    FileRepository,
)
from shared.http.problems import ProblemError
from shared.logging import get_logger

HeadersProvider = Callable[[], Awaitable[dict[str, str]]]
log = get_logger(__name__)


class FileFetchError(Exception):
    pass


class FileService:
    def __init__(
        self,
        files: FileRepository,
        deliveries: DeliveryRepository,
        events: EventRepository,
        documents: DocumentRepository,
        *,
        documents_url: str,
        auth_headers: HeadersProvider,
        timeout_s: float,
    ) -> None:
        self.files = files
        self.deliveries = deliveries
        self.events = events
        self.documents = documents
        self.documents_url = documents_url.rstrip("/")
        self.auth_headers = auth_headers
        self.timeout_s = timeout_s

    async def ensure(self, claim: dict[str, Any]) -> None:
        """Have the bytes of one claim check in the content store, checked against its SHA-256."""
        sha = str(claim["sha256"])
        if await self.files.exists(sha):
            return
        url = f"{self.documents_url}{claim['fetch_path']}"
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s, follow_redirects=False) as client:
                response = await client.get(url, headers=await self.auth_headers())
        except httpx.HTTPError as exc:
            raise FileFetchError(f"fetching {sha[:12]}: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise FileFetchError(f"fetching {sha[:12]}: HTTP {response.status_code}")
        data = response.content
        if hashlib.sha256(data).hexdigest() != sha:
            raise FileFetchError(f"fetching {sha[:12]}: the bytes do not match their SHA-256")
        await self.files.put(sha, data, str(claim.get("media_type") or "application/octet-stream"))

    async def ensure_all(self, data: dict[str, Any]) -> None:
        for claim in data.get("attachments") or []:
            if isinstance(claim, dict) and "fetch_path" in claim:
                await self.ensure(claim)

    async def _claims_for(self, partner: dict[str, Any], sha256: str) -> list[dict[str, Any]]:
        """Claim checks of this file in what the partner may read; empty if none."""
        grant = await self.deliveries.lookups.file_grant(partner["_id"], sha256)
        data: dict[str, Any] = {}
        if grant is not None:
            event = await self.events.get(grant["event_id"])
            data = (event or {}).get("data") or {}
        elif Service.DOCUMENT_LOOKUP.value in (partner.get("grants") or []):
            published = await self.documents.published_with_file(sha256)
            if published is None:
                return []
            data = published.get("event") or {}
        else:
            return []
        return [c for c in data.get("attachments") or [] if c.get("sha256") == sha256]

    async def for_partner(self, partner: dict[str, Any], sha256: str) -> tuple[bytes, str]:
        """Files of deliveries to this partner, or of published documents it may look up."""
        claims = await self._claims_for(partner, sha256)
        if not claims:
            raise ProblemError(404, "no file with this hash was delivered to you")
        found = await self.files.read(sha256)
        if found is None:
            try:
                await self.ensure(claims[0])
            except FileFetchError as exc:
                log.warning("files.fetch_failed", error=str(exc))
                raise ProblemError(503, "the file is not available yet; try again later") from exc
            found = await self.files.read(sha256)
            if found is None:
                raise ProblemError(503, "the file is not available yet; try again later")
        return found
