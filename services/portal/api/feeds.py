"""/feed.atom and /sitemap.xml: machine-readable, XML-escaped by the template engine."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.api.deps import Ctx
from services.portal.repositories import DocumentFilter

router = APIRouter(include_in_schema=False)
SITEMAP_MAX = 10_000


def base_url(request: Request, public_url: str) -> str:
    return (public_url or str(request.base_url)).rstrip("/")


@router.get("/feed.atom")
async def feed(request: Request, ctx: Ctx) -> Response:
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
async def sitemap(request: Request, ctx: Ctx) -> Response:
    documents = await ctx.documents.summaries(SITEMAP_MAX)
    news, _ = await ctx.news.latest(limit=200, cursor=None)
    static = ["/", "/van-ban", "/tin-tuc", "/gioi-thieu", "/en", "/en/documents", "/en/about"]
    return ctx.renderer.xml(
        "sitemap.xml",
        "application/xml; charset=utf-8",
        base=base_url(request, ctx.settings.public_url),
        static=static,
        documents=documents,
        news=news,
    )
