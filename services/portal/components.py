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
from services.portal.repositories.model import ModelCollections, ReadModelRepository
from services.portal.services.documents import DocumentQueries, Projection
from services.portal.services.files import ClaimCheckFetcher, DeadLetterReporter
from services.portal.services.jobs import FileJobs, SignatureJobs, Worker
from services.portal.services.keys import JwksCache
from services.portal.services.news import NewsService
from services.portal.services.news_images import NewsImages
from services.portal.services.read_model import ActiveModel
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
    model: ActiveModel
    worker: Worker
    projection: Projection
    documents: DocumentQueries
    news: NewsService
    news_images: NewsImages

    async def start(self) -> None:
        self.model.start()
        self.worker.start()

    async def stop(self) -> None:
        await self.worker.stop()
        await self.model.stop()


async def build(runtime: Runtime, settings: Settings) -> PortalComponents:
    """Repositories, use cases and jobs; nothing started.

    No secondary indexes: every query is by ``_id`` (see docs/performance.md).
    """
    db = runtime.db
    # The projection's collections follow the pointer to the active read model (a rebuild
    # switches it); files and news are the same whichever model is served.
    collections = ModelCollections(db)
    model = ActiveModel(
        ReadModelRepository(db), collections, refresh_s=settings.read_model_refresh_s
    )
    await model.refresh()
    pages, slugs = PageRepository(collections), SlugRepository(collections)
    listing, terms = ListingRepository(collections), TermRepository(collections)
    files = FileRepository(db)
    signature_queue = PendingWork(collections, "signature_pending")
    index_queue = PendingWork(collections, "search_pending")
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
    page_cache = ResponseCache(settings.html_cache_s, stamp=lambda: model.changed_at)
    model.on_switch(page_cache.clear)

    def shown() -> None:
        """What the public sees changed here: render afresh, move the change stamp."""
        page_cache.clear()
        model.mark_changed()

    worker = Worker(
        FileJobs(files, fetcher, DeadLetterReporter(runtime.publisher), settings),
        SignatureJobs(pages, signature_queue, keys),
        SearchIndexJobs(pages, terms, index_queue),
        settings.worker_interval_s,
        shown,
    )

    def changed() -> None:
        """A page changed here: render lists afresh and wake the worker."""
        shown()
        worker.wake()

    search = SearchQueries(pages, slugs, listing, terms)
    return PortalComponents(
        settings=settings,
        renderer=Renderer(settings.site_name, settings.site_name_en),
        page_cache=page_cache,
        model=model,
        worker=worker,
        projection=Projection(
            pages, slugs, listing, files, (signature_queue, index_queue), changed
        ),
        documents=DocumentQueries(pages, slugs, listing, files, search, content),
        news=NewsService(NewsRepository(db), IdempotencyKeys(db, name="news_idempotency"), shown),
        news_images=NewsImages(ContentStore(db, "news_images"), settings.news_image_max_bytes),
    )


def components_of(runtime: Runtime) -> PortalComponents:
    components = runtime.components
    assert isinstance(components, PortalComponents)
    return components
