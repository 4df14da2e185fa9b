"""JSON API of published documents (read only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Response

from services.portal.api.deps import Ctx, Filters
from shared.http.concurrency import etag
from shared.http.pagination import Cursor, Limit
from shared.http.problems import ProblemError

router = APIRouter(prefix="/api/v1/documents", tags=["documents"])


@router.get("")
async def list_documents(
    ctx: Ctx, filters: Filters, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, Any]:
    items, next_cursor = await ctx.documents.search(filters, limit=limit, cursor=cursor)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/{document_id}")
async def get_document(
    ctx: Ctx, response: Response, document_id: str = Path(max_length=64)
) -> dict[str, Any]:
    found = await ctx.documents.by_id(document_id)
    if found is None:
        raise ProblemError(404, "no published document with this id")
    response.headers["ETag"] = etag(int(found["version"]))
    return found
