"""The documents service's signing keys (JWKS), fetched in the background and cached."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from shared.logging import get_logger

log = get_logger(__name__)


class JwksUnavailable(Exception):
    """The key set could not be fetched: verification waits ("not yet checked")."""


class JwksCache:
    def __init__(
        self,
        url: str,
        *,
        ttl_s: float,
        min_refresh_s: float,
        timeout_s: float = 10.0,
    ) -> None:
        self.url = url
        self._ttl_s = ttl_s
        self._min_refresh_s = min_refresh_s
        self._timeout_s = timeout_s
        self._jwks: dict[str, Any] | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    def _kids(self) -> set[str]:
        return {str(k.get("kid")) for k in (self._jwks or {}).get("keys", [])}

    async def for_kid(self, kid: str) -> dict[str, Any]:
        """The key set, refreshed when expired or when it does not know ``kid``.

        An unknown kid is judged only against a key set fetched after it was asked for;
        until then (fetches are rate limited) the caller hears JwksUnavailable and retries.
        """
        async with self._lock:
            refreshed = False
            if self._jwks is None or self._age() > self._ttl_s:
                refreshed = await self._refresh()
            if self._jwks is None:
                raise JwksUnavailable(self.url)
            unknown = kid not in self._kids() and not refreshed
            if unknown and (self._age() < self._min_refresh_s or not await self._refresh()):
                raise JwksUnavailable(self.url)
            return self._jwks

    def _age(self) -> float:
        return time.monotonic() - self._fetched_at

    async def _refresh(self) -> bool:
        try:
            async with httpx.AsyncClient(timeout=self._timeout_s) as client:
                response = await client.get(self.url)
                response.raise_for_status()
                body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("jwks.fetch_failed", url=self.url, error=f"{type(exc).__name__}: {exc}")
            return False
        if not isinstance(body, dict) or not isinstance(body.get("keys"), list):
            log.warning("jwks.malformed", url=self.url)
            return False
        self._jwks = body
        self._fetched_at = time.monotonic()
        return True
