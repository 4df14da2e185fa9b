"""Claim-check fetches of attachments from the documents service into the content store."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from services.lgsp.domain.partners import Service
from services.lgsp.errors import FileNotFound, FileNotReady
from services.lgsp.repositories import (
    DeliveryRepository,
    DocumentRepository,
    EventRepository,
    FileRepository,
)
from shared.contracts.models import SHA256_PATTERN
from shared.kit.claim_check import Fetched, fetch_into
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
        max_bytes: int,
    ) -> None:
        self.files = files
        self.deliveries = deliveries
        self.events = events
        self.documents = documents
        self.documents_url = documents_url.rstrip("/")
        self.auth_headers = auth_headers
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes

    async def ensure(self, claim: dict[str, Any]) -> None:
        """Have the bytes of one claim check in the content store, checked against its SHA-256."""
        sha = str(claim["sha256"])
        if await self.files.content.exists(sha):
            return
        outcome = await fetch_into(
            self.files.content,
            base_url=self.documents_url,
            fetch_path=str(claim["fetch_path"]),
            sha256=sha,
            media_type=str(claim.get("media_type") or "application/octet-stream"),
            headers=await self.auth_headers(),
            timeout_s=self.timeout_s,
            max_bytes=self.max_bytes,
        )
        if outcome.result is not Fetched.OK:
            raise FileFetchError(f"fetching {sha[:12]}: {outcome.reason}")

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
        if not re.match(SHA256_PATTERN, sha256):
            raise FileNotFound("no such file")
        claims = await self._claims_for(partner, sha256)
        if not claims:
            raise FileNotFound("no file with this hash was delivered to you")
        found = await self.files.read(sha256)
        if found is None:
            try:
                await self.ensure(claims[0])
            except FileFetchError as exc:
                log.warning("files.fetch_failed", error=str(exc))
                raise FileNotReady() from exc
            found = await self.files.read(sha256)
            if found is None:
                raise FileNotReady()
        return found
