"""JSON API of news: anyone reads; portal editors write (ETag / If-Match)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Response

from services.portal.api.deps import Ctx
from services.portal.services.news import NewsIn, NewsPatch
from shared.auth.dependencies import require_roles
from shared.auth.principal import Principal, Role
from shared.http.concurrency import etag, required_version
from shared.http.pagination import Cursor, Limit

router = APIRouter(prefix="/api/v1/news", tags=["news"])
Editor = Annotated[Principal, Depends(require_roles(Role.PORTAL_EDITOR))]
NewsId = Annotated[str, Path(max_length=64)]
IfMatch = Annotated[str | None, Header(max_length=100)]


@router.get("")
async def list_news(ctx: Ctx, limit: Limit = 50, cursor: Cursor = None) -> dict[str, Any]:
    items, next_cursor = await ctx.news.latest(limit=limit, cursor=cursor)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/{news_id}")
async def get_news(ctx: Ctx, news_id: NewsId, response: Response) -> dict[str, Any]:
    found = await ctx.news.get(news_id)
    response.headers["ETag"] = etag(found["version"])
    return found


@router.post("", status_code=201)
async def create_news(
    ctx: Ctx,
    body: NewsIn,
    editor: Editor,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, Any]:
    created = await ctx.news.create(body, author=editor.user, idempotency_key=idempotency_key)
    response.headers["ETag"] = etag(created["version"])
    response.headers["Location"] = f"/api/v1/news/{created['id']}"
    return created


@router.patch("/{news_id}")
async def update_news(
    ctx: Ctx,
    news_id: NewsId,
    body: NewsPatch,
    _: Editor,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    updated = await ctx.news.update(news_id, required_version(if_match), body)
    response.headers["ETag"] = etag(updated["version"])
    return updated


@router.delete("/{news_id}", status_code=204)
async def delete_news(ctx: Ctx, news_id: NewsId, _: Editor, if_match: IfMatch = None) -> Response:
    await ctx.news.delete(news_id, required_version(if_match))
    return Response(status_code=204)
