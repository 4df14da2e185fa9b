"""Fetching a claim check's bytes from the service that holds them, into a content store.

Only a path on that service is accepted (never another host, never a redirect); the bytes
are hashed while they stream and never become content unless their SHA-256 matches; a file
larger than the limit is refused while it streams.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

import httpx

from shared.kit.content import ContentStore

STREAM_CHUNK = 256 * 1024


class Fetched(StrEnum):
    OK = "ok"  # stored (or already stored)
    RETRY = "retry"  # the holder did not answer well: try again later
    MISMATCH = "mismatch"  # the bytes are not what the claim check names
    REFUSED = "refused"  # the claim check itself is unusable (its path)


@dataclass(frozen=True)
class FetchOutcome:
    result: Fetched
    reason: str = ""


def claim_url(base_url: str, fetch_path: str) -> str | None:
    """Only paths on the holding service itself: never another host."""
    if not fetch_path.startswith("/") or fetch_path.startswith("//") or "\\" in fetch_path:
        return None
    return base_url.rstrip("/") + fetch_path


async def fetch_into(
    store: ContentStore,
    *,
    base_url: str,
    fetch_path: str,
    sha256: str,
    media_type: str,
    headers: dict[str, str],
    timeout_s: float,
    max_bytes: int,
) -> FetchOutcome:
    if await store.exists(sha256):
        return FetchOutcome(Fetched.OK)
    url = claim_url(base_url, fetch_path)
    if url is None:
        return FetchOutcome(Fetched.REFUSED, f"fetch path not allowed: {fetch_path!r}")
    try:
        async with (
            httpx.AsyncClient(timeout=timeout_s, follow_redirects=False) as client,
            client.stream("GET", url, headers=headers) as response,
        ):
            if response.status_code != 200:
                return FetchOutcome(Fetched.RETRY, f"HTTP {response.status_code}")
            return await _store(store, response, sha256, media_type, max_bytes)
    except httpx.HTTPError as exc:
        return FetchOutcome(Fetched.RETRY, f"{type(exc).__name__}: {exc}"[:300])


async def _store(
    store: ContentStore, response: httpx.Response, sha256: str, media_type: str, max_bytes: int
) -> FetchOutcome:
    digest = hashlib.sha256()
    upload = store.upload()
    try:
        async for chunk in response.aiter_bytes(STREAM_CHUNK):
            if upload.length + len(chunk) > max_bytes:
                await upload.abort()
                return FetchOutcome(Fetched.RETRY, f"file larger than {max_bytes} bytes")
            digest.update(chunk)
            await upload.write(chunk)
    except BaseException:
        await upload.abort()
        raise
    actual = digest.hexdigest()
    if actual != sha256:
        await upload.abort()
        return FetchOutcome(
            Fetched.MISMATCH,
            f"sha256 mismatch: expected {sha256}, got {actual} ({upload.length} bytes)",
        )
    await upload.commit(sha256, media_type)
    return FetchOutcome(Fetched.OK)
