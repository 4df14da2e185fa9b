"""Everything a portal process holds: repositories, use cases and background jobs."""

from __future__ import annotations

from dataclasses import dataclass

from services.portal.api.cache import ResponseCache
from services.portal.api.rendering import Renderer
from services.portal.repositories import (
    FileRepository,
    ListingRepository,
    NewsRepository,
    PageRepository,
    PendingWork,
    SlugRepository,
    TermRepository,
)
from services.portal.services.documents import DocumentQueries, Projection
from services.portal.services.files import ClaimCheckFetcher, DeadLetterReporter
from services.portal.services.jobs import FileJobs, SignatureJobs, Worker
from services.portal.services.keys import JwksCache
from services.portal.services.news import NewsService
from services.portal.services.search import SearchIndexJobs, SearchQueries
from services.portal.settings import Settings
from shared.kit.content import ContentStore
from shared.kit.idempotency import IdempotencyKeys
from shared.runtime import Runtime

JWKS_PATH = "/.well-known/jwks.json"


@dataclass
class PortalComponents:
    settings: Settings
    renderer: Renderer
    page_cache: ResponseCache
    worker: Worker
    projection: Projection
    documents: DocumentQueries
    news: NewsService

    async def start(self) -> None:
        self.worker.start()

    async def stop(self) -> None:
        await self.worker.stop()


async def build(runtime: Runtime, settings: Settings) -> PortalComponents:
    """Repositories, use cases and jobs; nothing started.

    No secondary indexes: every query is by ``_id`` (see docs/performance.md).
    """
    db = runtime.db
    pages, slugs, listing = PageRepository(db), SlugRepository(db), ListingRepository(db)
    terms, files = TermRepository(db), FileRepository(db)
    signature_queue = PendingWork(db, "signature_pending")
    index_queue = PendingWork(db, "search_pending")
    keys = JwksCache(
        settings.documents_url.rstrip("/") + JWKS_PATH,
        ttl_s=settings.jwks_ttl_s,
        min_refresh_s=settings.jwks_min_refresh_s,
        timeout_s=settings.fetch_timeout_s,
    )
    content = ContentStore(db, "files")
    fetcher = ClaimCheckFetcher(
        content,
        base_url=settings.documents_url,
        auth_headers=runtime.service_tokens.headers,
        timeout_s=settings.fetch_timeout_s,
        max_bytes=settings.max_file_bytes,
    )
    page_cache = ResponseCache(settings.html_cache_s)
    worker = Worker(
        FileJobs(files, fetcher, DeadLetterReporter(runtime.publisher), settings),
        SignatureJobs(pages, signature_queue, keys),
        SearchIndexJobs(pages, terms, index_queue),
        settings.worker_interval_s,
        page_cache.clear,
    )

    def changed() -> None:
        """A page changed here: render lists afresh and wake the worker."""
        page_cache.clear()
        worker.wake()

    search = SearchQueries(pages, slugs, listing, terms)
    return PortalComponents(
        settings=settings,
        renderer=Renderer(settings.site_name, settings.site_name_en),
        page_cache=page_cache,
        worker=worker,
        projection=Projection(
            pages, slugs, listing, files, (signature_queue, index_queue), changed
        ),
        documents=DocumentQueries(pages, slugs, listing, files, search, content),
        news=NewsService(NewsRepository(db), IdempotencyKeys(db, name="news_idempotency")),
    )


def components_of(runtime: Runtime) -> PortalComponents:
    components = runtime.components
    assert isinstance(components, PortalComponents)
    return components
