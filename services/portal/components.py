"""Everything a portal process holds, built lazily once MongoDB is open."""

from __future__ import annotations

from functools import cached_property

from services.portal.api.rendering import Renderer
from services.portal.repositories import FileRepository, NewsRepository, PageRepository
from services.portal.services.documents import DocumentQueries, Projection
from services.portal.services.files import ClaimCheckFetcher, DeadLetterReporter
from services.portal.services.jobs import FileJobs, SignatureJobs, Worker
from services.portal.services.keys import JwksCache
from services.portal.services.news import NewsService
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
    def pages(self) -> PageRepository:
        return PageRepository(self.runtime.db)

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
            SignatureJobs(self.pages, self.keys),
            s.worker_interval_s,
        )

    @cached_property
    def projection(self) -> Projection:
        return Projection(self.pages, self.files, self.worker.wake)

    @cached_property
    def documents(self) -> DocumentQueries:
        return DocumentQueries(self.pages, self.files)

    @cached_property
    def news(self) -> NewsService:
        return NewsService(self.news_repository)

    async def start(self) -> None:
        await self.pages.ensure_indexes()
        await self.files.ensure_indexes()
        await self.news_repository.ensure_indexes()
        self.worker.start()

    async def stop(self) -> None:
        await self.worker.stop()
