"""News on the public site: /tin-tuc and /tin-tuc/{slug} (410 once an editor deleted it),
and the articles' images at /tin-tuc/anh/{sha256}."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from markupsafe import Markup

from services.portal.api.deps import ComponentsDep, cursor_of
from services.portal.api.html import PageNotFound
from services.portal.components import PortalComponents
from services.portal.domain import markdown
from shared.http.pagination import Cursor, decode_cursor
from shared.kit.types import Doc

router = APIRouter(include_in_schema=False)
Slug = Annotated[str, Path(max_length=200)]
ImageSha = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


def article_page(
    request: Request,
    components: PortalComponents,
    lang: str,
    article: Doc,
    preview: dict[str, Any] | None = None,
) -> HTMLResponse:
    """The public page of an article; the editor's preview is this same page with a notice."""
    # The one rendering of a body (domain/markdown.py): sanitised there, so it is inserted as is.
    body_html = Markup(markdown.render(str(article["body"])))
    return components.renderer.page(
        request, "news.html", lang=lang, article=article, body_html=body_html, preview=preview
    )


async def _list(
    request: Request, components: PortalComponents, lang: str, cursor: str | None
) -> HTMLResponse:
    items, after = await components.news.latest(
        limit=components.settings.page_size, position=decode_cursor(cursor), language=lang
    )
    next_cursor = cursor_of(after)
    next_url = f"{request.url.path}?cursor={next_cursor}" if next_cursor else None
    return components.renderer.page(
        request, "news_list.html", lang=lang, news=items, next_url=next_url
    )


@router.get("/tin-tuc", response_class=HTMLResponse)
async def news_list(
    request: Request, components: ComponentsDep, cursor: Cursor = None
) -> HTMLResponse:
    return await _list(request, components, "vi", cursor)


@router.get("/en/news", response_class=HTMLResponse)
async def news_list_en(
    request: Request, components: ComponentsDep, cursor: Cursor = None
) -> HTMLResponse:
    return await _list(request, components, "en", cursor)


@router.get("/tin-tuc/{slug}", response_class=HTMLResponse)
@router.get("/en/news/{slug}", response_class=HTMLResponse)
async def news_article(request: Request, components: ComponentsDep, slug: Slug) -> HTMLResponse:
    """The interface in the language of the path; the article says which language it is in."""
    lang = "en" if request.url.path.startswith("/en/") else "vi"
    found = await components.news.by_slug(slug)
    if found is None or found.get("deleted"):
        raise PageNotFound(lang, gone=found is not None)
    return article_page(request, components, lang, found)


@router.get("/tin-tuc/anh/{sha256}")
async def news_image(components: ComponentsDep, sha256: ImageSha) -> Response:
    found = await components.news_images.open(sha256)
    if found is None:
        raise PageNotFound("vi")
    media_type, chunks = found
    return StreamingResponse(
        chunks,
        media_type=media_type,
        headers={
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "ETag": f'"{sha256}"',
            "Cache-Control": "public, max-age=31536000, immutable",
        },
    )
