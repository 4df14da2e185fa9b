"""`egov portal rebuild` and `switch`, composed: the portal's database and the public topic,
opened with the service's own settings (``EGOV_PORTAL_*``), while the portal keeps running."""

from __future__ import annotations

from services.portal.components import JWKS_PATH
from services.portal.replay import KafkaReplaySource
from services.portal.repositories import FileRepository
from services.portal.repositories.model import ReadModelRepository
from services.portal.services.keys import JwksCache
from services.portal.services.rebuild import Progress, Rebuild, RebuildReport
from services.portal.settings import Settings
from shared.kit.clock import utcnow
from shared.kit.types import Doc
from shared.mongo import database, make_mongo_client


async def rebuild(
    settings: Settings,
    *,
    batch: int = 1000,
    switch: bool = True,
    progress: Progress = lambda done, total: None,
) -> RebuildReport:
    client = make_mongo_client(settings)
    try:
        db = database(client, settings)
        keys = JwksCache(
            settings.documents_url.rstrip("/") + JWKS_PATH,
            ttl_s=settings.jwks_ttl_s,
            min_refresh_s=settings.jwks_min_refresh_s,
            timeout_s=settings.fetch_timeout_s,
        )
        job = Rebuild(
            ReadModelRepository(db),
            FileRepository(db),
            keys,
            refresh_s=settings.read_model_refresh_s,
        )
        async with KafkaReplaySource(settings, batch=batch) as source:
            report = await job.run(source, progress=progress, switch=switch)
            report.refused += source.skipped
            return report
    finally:
        await client.close()


async def pointer(settings: Settings) -> Doc:
    """The pointer: the active model, the previous one and every switch made."""
    client = make_mongo_client(settings)
    try:
        found, stamp = await ReadModelRepository(database(client, settings)).read()
        return {**(found or {"active": "", "previous": None, "history": []}), "stamp": stamp}
    finally:
        await client.close()


async def switch(settings: Settings, to: str | None) -> tuple[str, str]:
    """Name ``to`` (default: the previous model) the active one; returns (from, to)."""
    client = make_mongo_client(settings)
    try:
        repository = ReadModelRepository(database(client, settings))
        found, _ = await repository.read()
        current = str((found or {}).get("active") or "")
        target = to if to is not None else (found or {}).get("previous")
        if target is None:
            raise ValueError("there is no previous read model to switch back to")
        names = set(await repository.collection_names())
        if f"{target}pages" not in names:
            raise ValueError(f"there is no read model {target or '(first)'!r}")
        if not await repository.switch(str(target), current, utcnow(), {"switch": "manual"}):
            raise ValueError("the active read model changed meanwhile; try again")
        return current, str(target)
    finally:
        await client.close()
