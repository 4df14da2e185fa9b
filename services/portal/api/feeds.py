"""/feed.atom and /sitemap.xml: machine-readable, XML-escaped by the template engine."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from services.portal.api.deps import Ctx
from services.portal.components import PortalComponents
from services.portal.repositories import DocumentFilter

router = APIRouter(include_in_schema=False)
Month = Annotated[str, Path(pattern=r"^[0-9]{4}-[0-9]{2}$")]


def base_url(request: Request, public_url: str) -> str:
    return (public_url or str(request.base_url)).rstrip("/")


@router.get("/feed.atom")
async def feed(request: Request, ctx: Ctx) -> Response:
    return await ctx.page_cache.get(request, lambda: _feed(request, ctx))


async def _feed(request: Request, ctx: PortalComponents) -> Response:
    items, _ = await ctx.documents.search(
        DocumentFilter(), limit=ctx.settings.feed_size, cursor=None
    )
    updated = max((i["published_at"] for i in items), default=dt.datetime.now(dt.UTC).isoformat())
    return ctx.renderer.xml(
        "feed.atom",
        "application/atom+xml; charset=utf-8",
        base=base_url(request, ctx.settings.public_url),
        site=ctx.settings.site_name,
        items=items,
        updated=updated,
    )


@router.get("/sitemap.xml")
async def sitemap_index(request: Request, ctx: Ctx) -> Response:
    """A sitemap index: the site's own pages and news, then one sitemap per month of
    documents (a month stays far below the 50,000 URLs a sitemap may hold)."""
    months = await ctx.documents.sitemap_months()
    return ctx.renderer.xml(
        "sitemap_index.xml",
        "application/xml; charset=utf-8",
        base=base_url(request, ctx.settings.public_url),
        sitemaps=["/sitemap-pages.xml"] + [f"/sitemap-{m}.xml" for m in months],
    )


@router.get("/sitemap-pages.xml")
async def sitemap_pages(request: Request, ctx: Ctx) -> Response:
    news, _ = await ctx.news.latest(limit=200, cursor=None)
    static = ["/", "/van-ban", "/tin-tuc", "/gioi-thieu", "/en", "/en/documents", "/en/about"]
    return ctx.renderer.xml(
        "sitemap.xml",
        "application/xml; charset=utf-8",
        base=base_url(request, ctx.settings.public_url),
        static=static,
        documents=[],
        news=news,
    )


@router.get("/sitemap-{month}.xml")
async def sitemap_month(request: Request, ctx: Ctx, month: Month) -> Response:
    return ctx.renderer.xml(
        "sitemap.xml",
        "application/xml; charset=utf-8",
        base=base_url(request, ctx.settings.public_url),
        static=[],
        documents=await ctx.documents.sitemap_month(month),
        news=[],
    )
