"""/feed.atom and /sitemap.xml: machine-readable, XML-escaped by the template engine."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from services.portal.api.deps import ComponentsDep
from services.portal.components import PortalComponents
from services.portal.domain.filters import DocumentFilter
from shared.kit.clock import utcnow

router = APIRouter(include_in_schema=False)
Month = Annotated[str, Path(pattern=r"^[0-9]{4}-[0-9]{2}$")]


def base_url(request: Request, public_url: str) -> str:
    return (public_url or str(request.base_url)).rstrip("/")


@router.get("/feed.atom")
async def feed(request: Request, components: ComponentsDep) -> Response:
    return await components.page_cache.get(request, lambda: _feed(request, components))


async def _feed(request: Request, components: PortalComponents) -> Response:
    items, _ = await components.documents.search(
        DocumentFilter(), limit=components.settings.feed_size, position=None
    )
    updated = max((i["published_at"] for i in items), default=utcnow().isoformat())
    return components.renderer.xml(
        "feed.atom",
        "application/atom+xml; charset=utf-8",
        base=base_url(request, components.settings.public_url),
        site=components.settings.site_name,
        items=items,
        updated=updated,
    )


@router.get("/sitemap.xml")
async def sitemap_index(request: Request, components: ComponentsDep) -> Response:
    """A sitemap index: the site's own pages and news, then one sitemap per month of
    documents (a month stays far below the 50,000 URLs a sitemap may hold)."""
    months = await components.documents.sitemap_months()
    return components.renderer.xml(
        "sitemap_index.xml",
        "application/xml; charset=utf-8",
        base=base_url(request, components.settings.public_url),
        sitemaps=["/sitemap-pages.xml"] + [f"/sitemap-{m}.xml" for m in months],
    )


@router.get("/sitemap-pages.xml")
async def sitemap_pages(request: Request, components: ComponentsDep) -> Response:
    news, _ = await components.news.latest(limit=200, position=None)
    static = ["/", "/van-ban", "/tin-tuc", "/gioi-thieu", "/en", "/en/documents", "/en/about"]
    return components.renderer.xml(
        "sitemap.xml",
        "application/xml; charset=utf-8",
        base=base_url(request, components.settings.public_url),
        static=static,
        documents=[],
        news=news,
    )


@router.get("/sitemap-{month}.xml")
async def sitemap_month(request: Request, components: ComponentsDep, month: Month) -> Response:
    return components.renderer.xml(
        "sitemap.xml",
        "application/xml; charset=utf-8",
        base=base_url(request, components.settings.public_url),
        static=[],
        documents=await components.documents.sitemap_month(month),
        news=[],
    )
