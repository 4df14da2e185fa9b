"""Everything a portal process holds, built lazily once MongoDB is open."""

from __future__ import annotations

from functools import cached_property

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
from shared.runtime import Runtime

JWKS_PATH = "/.well-known/jwks.json"


class PortalComponents:
    def __init__(self, settings: Settings, runtime: Runtime) -> None:
        self.settings = settings
        self.runtime = runtime

    @cached_property
    def renderer(self) -> Renderer:
        return Renderer(self.settings.site_name, self.settings.site_name_en)

    @cached_property
    def page_cache(self) -> ResponseCache:
        return ResponseCache(self.settings.html_cache_s)

    @cached_property
    def pages(self) -> PageRepository:
        return PageRepository(self.runtime.db)

    @cached_property
    def slugs(self) -> SlugRepository:
        return SlugRepository(self.runtime.db)

    @cached_property
    def listing(self) -> ListingRepository:
        return ListingRepository(self.runtime.db)

    @cached_property
    def terms(self) -> TermRepository:
        return TermRepository(self.runtime.db)

    @cached_property
    def signature_queue(self) -> PendingWork:
        return PendingWork(self.runtime.db, "signature_pending")

    @cached_property
    def index_queue(self) -> PendingWork:
        return PendingWork(self.runtime.db, "search_pending")

    @cached_property
    def files(self) -> FileRepository:
        return FileRepository(self.runtime.db)

    @cached_property
    def news_repository(self) -> NewsRepository:
        return NewsRepository(self.runtime.db)

    @cached_property
    def keys(self) -> JwksCache:
        s = self.settings
        return JwksCache(
            s.documents_url.rstrip("/") + JWKS_PATH,
            ttl_s=s.jwks_ttl_s,
            min_refresh_s=s.jwks_min_refresh_s,
            timeout_s=s.fetch_timeout_s,
        )

    @cached_property
    def worker(self) -> Worker:
        s = self.settings
        fetcher = ClaimCheckFetcher(
            self.files,
            base_url=s.documents_url,
            auth_headers=self.runtime.service_tokens.headers,
            timeout_s=s.fetch_timeout_s,
            max_bytes=s.max_file_bytes,
        )
        reporter = DeadLetterReporter(self.runtime.publisher)
        return Worker(
            FileJobs(self.files, fetcher, reporter, s),
            SignatureJobs(self.pages, self.signature_queue, self.keys),
            SearchIndexJobs(self.pages, self.terms, self.index_queue),
            s.worker_interval_s,
            self.page_cache.clear,
        )

    @cached_property
    def projection(self) -> Projection:
        return Projection(
            self.pages,
            self.slugs,
            self.listing,
            self.files,
            (self.signature_queue, self.index_queue),
            self._changed,
        )

    def _changed(self) -> None:
        """A page changed here: wake the worker and render lists afresh."""
        self.page_cache.clear()
        self.worker.wake()

    @cached_property
    def documents(self) -> DocumentQueries:
        search = SearchQueries(self.pages, self.slugs, self.listing, self.terms)
        return DocumentQueries(self.pages, self.slugs, self.listing, self.files, search)

    @cached_property
    def news(self) -> NewsService:
        return NewsService(self.news_repository)

    async def start(self) -> None:
        # No secondary indexes: every query is by _id (see docs/performance.md).
        self.worker.start()

    async def stop(self) -> None:
        await self.worker.stop()
