"""News on the public site: /tin-tuc and /tin-tuc/{slug} (410 once an editor deleted it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from services.portal.api.deps import Ctx
from services.portal.api.html import PageNotFound
from services.portal.components import PortalComponents
from shared.http.pagination import Cursor

router = APIRouter(include_in_schema=False)
Slug = Annotated[str, Path(max_length=200)]


async def _list(
    request: Request, ctx: PortalComponents, lang: str, cursor: str | None
) -> HTMLResponse:
    items, next_cursor = await ctx.news.latest(
        limit=ctx.settings.page_size, cursor=cursor, language=lang
    )
    next_url = f"{request.url.path}?cursor={next_cursor}" if next_cursor else None
    return ctx.renderer.page(request, "news_list.html", lang=lang, news=items, next_url=next_url)


@router.get("/tin-tuc", response_class=HTMLResponse)
async def news_list(request: Request, ctx: Ctx, cursor: Cursor = None) -> HTMLResponse:
    return await _list(request, ctx, "vi", cursor)


@router.get("/en/news", response_class=HTMLResponse)
async def news_list_en(request: Request, ctx: Ctx, cursor: Cursor = None) -> HTMLResponse:
    return await _list(request, ctx, "en", cursor)


@router.get("/tin-tuc/{slug}", response_class=HTMLResponse)
async def news_article(request: Request, ctx: Ctx, slug: Slug) -> HTMLResponse:
    found = await ctx.news.by_slug(slug)
    if found is None or found.get("deleted"):
        raise PageNotFound("vi", gone=found is not None)
    lang = found["language"]
    return ctx.renderer.page(request, "news.html", lang=lang, article=found)
