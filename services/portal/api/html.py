"""The public HTML site: home, documents, a document, its files, about; in vi and en."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from services.portal.api.deps import ComponentsDep, Filters
from services.portal.api.i18n import PATHS
from services.portal.components import PortalComponents
from services.portal.domain.filters import DocumentFilter
from shared.contracts.vocabulary import DOCUMENT_TYPES, DocumentType
from shared.http.concurrency import Sha256Path
from shared.kit.types import Doc

router = APIRouter(include_in_schema=False)
Slug = Annotated[str, Path(max_length=200)]
# Media types a browser could execute are never served as such.
MAX_PAGE = 500
SAFE_INLINE = {"application/pdf", "image/png", "image/jpeg", "text/plain"}


class PageNotFound(Exception):
    def __init__(self, lang: str = "vi", gone: bool = False, document: Doc | None = None) -> None:
        super().__init__("gone" if gone or document else "not found")
        self.lang = lang
        self.gone = gone or document is not None
        self.document = document  # a document taken off the site: what its 410 page says


def type_options(lang: str) -> list[tuple[str, str]]:
    idx = 2 if lang == "en" else 1
    return [(str(t), DOCUMENT_TYPES[t][idx]) for t in DocumentType]


async def _home(request: Request, components: PortalComponents, lang: str) -> HTMLResponse:
    latest, _ = await components.documents.search(DocumentFilter(), limit=10, position=None)
    featured = await components.documents.featured(components.settings.featured_notations)
    news, _ = await components.news.latest(limit=5, position=None, language=lang)
    return components.renderer.page(
        request, "home.html", lang=lang, documents=latest, news=news, featured=featured
    )


def pager(request: Request, page: int, has_next: bool, total: int | None, size: int) -> Doc:
    """Previous, next and nearby page numbers; each link keeps the filters."""
    params = {k: v for k, v in request.query_params.items() if k not in ("page", "cursor") and v}

    def url(number: int) -> str:
        query = urlencode({**params, **({"page": number} if number > 1 else {})})
        return f"{request.url.path}?{query}" if query else request.url.path

    last = -(-total // size) if total is not None else page + (1 if has_next else 0)
    last = max(last, page)
    numbers = range(max(1, page - 2), min(last, page + 2) + 1)
    return {
        "current": page,
        "previous": url(page - 1) if page > 1 else None,
        "next": url(page + 1) if has_next else None,
        "numbers": [(n, url(n)) for n in numbers],
    }


async def _list(
    request: Request,
    components: PortalComponents,
    lang: str,
    filters: DocumentFilter,
    page: int,
) -> Response:
    size = components.settings.page_size
    result = await components.documents.results_page(filters, page=page, size=size)
    return components.renderer.page(
        request,
        "documents.html",
        lang=lang,
        documents=result["items"],
        total=result["total"],
        capped=result["capped"],
        counts=result["facets"],
        exact=result["exact"],
        query=dict(request.query_params),
        facets=await components.documents.facets(),
        types=type_options(lang),
        pager=pager(request, page, result["has_next"], result["total"], size),
    )


async def _document(
    request: Request, components: PortalComponents, lang: str, slug: str, print_view: bool
) -> Response:
    found = await components.documents.by_slug(slug)
    if found is None:
        by_id = await components.documents.by_id(slug)
        if by_id is not None:
            return RedirectResponse(f"{PATHS[lang]['documents']}/{by_id['slug']}", 301)
        raise PageNotFound(lang, document=await components.documents.gone(slug))
    return components.renderer.page(
        request, "document.html", lang=lang, doc=found, print_view=print_view
    )


def _language(request: Request) -> str:
    """Each page has a Vietnamese path and an English one under /en."""
    path = request.url.path
    return "en" if path == "/en" or path.startswith("/en/") else "vi"


Language = Annotated[str, Depends(_language)]


@router.get("/", response_class=HTMLResponse)
@router.get("/en", response_class=HTMLResponse)
async def home(request: Request, components: ComponentsDep, lang: Language) -> Response:
    return await components.page_cache.get(request, lambda: _home(request, components, lang))


@router.get("/van-ban", response_class=HTMLResponse)
@router.get("/en/documents", response_class=HTMLResponse)
async def documents(
    request: Request,
    components: ComponentsDep,
    lang: Language,
    filters: Filters,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Any:
    return await components.page_cache.get(
        request, lambda: _list(request, components, lang, filters, page)
    )


@router.get("/van-ban/{slug}")
@router.get("/en/documents/{slug}")
async def document(
    request: Request,
    components: ComponentsDep,
    lang: Language,
    slug: Slug,
    print: Annotated[bool, Query()] = False,
) -> Response:
    return await components.page_cache.get(
        request, lambda: _document(request, components, lang, slug, print)
    )


@router.get("/van-ban/{slug}/files/{sha256}")
async def document_file(components: ComponentsDep, slug: Slug, sha256: Sha256Path) -> Response:
    found = await components.documents.attachment(slug, sha256)
    if found is None:
        raise PageNotFound("vi")
    meta, chunks = found
    media_type = (
        meta["media_type"] if meta["media_type"] in SAFE_INLINE else "application/octet-stream"
    )
    name = quote(meta["name"], safe="")
    return StreamingResponse(
        chunks,
        media_type=media_type,
        headers={
            "Content-Disposition": f"attachment; filename=\"{sha256}\"; filename*=UTF-8''{name}",
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "ETag": f'"{sha256}"',
            "Cache-Control": "public, max-age=31536000, immutable",
        },
    )


@router.get("/gioi-thieu", response_class=HTMLResponse)
@router.get("/en/about", response_class=HTMLResponse)
async def about(request: Request, components: ComponentsDep, lang: Language) -> HTMLResponse:
    return components.renderer.page(request, "about.html", lang=lang)


@router.get("/lanh-dao", response_class=HTMLResponse)
@router.get("/en/leadership", response_class=HTMLResponse)
async def leadership(request: Request, components: ComponentsDep, lang: Language) -> HTMLResponse:
    return components.renderer.page(request, "leadership.html", lang=lang)
