"""JSON API of news: anyone reads; portal editors write (ETag / If-Match)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from services.portal.api.deps import ComponentsDep, cursor_of
from services.portal.api.schemas import NewsCreate, NewsList, NewsUpdate, NewsView
from shared.auth.dependencies import require_roles
from shared.auth.principal import Principal, Role
from shared.http.concurrency import ExpectedVersion, IdempotencyKeyHeader, etag
from shared.http.pagination import Cursor, Limit, decode_cursor

router = APIRouter(prefix="/api/v1/news", tags=["news"])
Editor = Annotated[Principal, Depends(require_roles(Role.PORTAL_EDITOR))]
NewsId = Annotated[str, Path(max_length=64)]


@router.get("", response_model=NewsList)
async def list_news(
    components: ComponentsDep, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, Any]:
    items, after = await components.news.latest(limit=limit, position=decode_cursor(cursor))
    return {"items": items, "next_cursor": cursor_of(after)}


@router.get("/{news_id}", response_model=NewsView)
async def get_news(components: ComponentsDep, news_id: NewsId, response: Response) -> Any:
    found = await components.news.get(news_id)
    response.headers["ETag"] = etag(found["version"])
    return found


@router.post("", status_code=201, response_model=NewsView)
async def create_news(
    components: ComponentsDep,
    body: NewsCreate,
    editor: Editor,
    response: Response,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Any:
    created = await components.news.create(
        body.model_dump(mode="json"), author=editor.user, idempotency_key=idempotency_key
    )
    response.headers["ETag"] = etag(created["version"])
    response.headers["Location"] = f"/api/v1/news/{created['id']}"
    return created


@router.patch("/{news_id}", response_model=NewsView)
async def update_news(
    components: ComponentsDep,
    news_id: NewsId,
    body: NewsUpdate,
    _: Editor,
    response: Response,
    expected: ExpectedVersion,
) -> Any:
    updated = await components.news.update(news_id, expected, body.model_dump(exclude_none=True))
    response.headers["ETag"] = etag(updated["version"])
    return updated


@router.delete("/{news_id}", status_code=204)
async def delete_news(
    components: ComponentsDep, news_id: NewsId, _: Editor, expected: ExpectedVersion
) -> Response:
    await components.news.delete(news_id, expected)
    return Response(status_code=204)
