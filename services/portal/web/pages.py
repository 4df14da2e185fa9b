"""The news editor's pages under ``/editor``: the articles, write and edit (with an image),
preview, publish and unpublish.

Each page takes the signed-in ``StaffPrincipal`` (the same Principal the API builds from a
token), requires ``portal_editor`` like the news API, and calls the same use cases
(``NewsService``) with the version the editor read, so a stale form never overwrites.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from services.portal.api.news_html import article_page
from services.portal.components import PortalComponents, components_of
from services.portal.errors import (
    NewsBodyRefused,
    NewsChanged,
    NewsImageAltMissing,
    NewsImageRefused,
    NewsImageTooLarge,
    NotAnEditor,
)
from services.portal.services.news import news_url
from services.portal.web.forms import ArticleForm, checked, read_form, read_version
from shared.auth.principal import Principal, Role
from shared.http.pagination import Cursor, decode_cursor, encode_cursor
from shared.kit.idempotency import IdempotencyConflict
from shared.kit.types import Doc
from shared.web.csrf import FIELD, csrf_token
from shared.web.times import local_text
from shared.web.workspace import StaffPrincipal, labels_of, workspace_of

PREFIX = "/editor"
PUBLISHED_PAGE = 50

router = APIRouter(prefix=PREFIX)
NewsId = Annotated[str, Path(max_length=64)]


def editor_of(principal: StaffPrincipal) -> Principal:
    if not principal.has_role(Role.PORTAL_EDITOR):
        raise NotAnEditor()
    return principal


Editor = Annotated[Principal, Depends(editor_of)]


def _components(request: Request) -> PortalComponents:
    return components_of(request.app.state.runtime)


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):.0f} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


# -- the articles ----------------------------------------------------------------------------


@router.get("/", name="editor_home")
async def articles(request: Request, editor: Editor, cursor: Cursor = None) -> Response:
    news = _components(request).news
    drafts = await news.not_published()
    published, after = await news.latest(limit=PUBLISHED_PAGE, position=decode_cursor(cursor))
    t = labels_of(request)
    more = workspace_of(request).renderer.url("/", cursor=encode_cursor(after)) if after else None
    return workspace_of(request).page(
        request,
        "articles.html",
        principal=editor,
        title=t["list_title"],
        drafts=drafts,
        published=published,
        more_url=more,
    )


# -- write and edit --------------------------------------------------------------------------


@router.get("/news/new")
async def new_article(request: Request, editor: Editor) -> Response:
    return _form_page(request, editor, ArticleForm(), None)


@router.post("/news/new")
async def create_article(request: Request, editor: Editor) -> Response:
    components = _components(request)
    t = labels_of(request)
    form = await read_form(request, components.news_images.max_bytes)
    fields = checked(form, t, creating=True)
    if fields is None:
        return _form_page(request, editor, form, None, status_code=422)
    try:
        image = await _image(components, form, None)
        created = await components.news.create(
            {**fields, "image": image},
            author=editor.user,
            idempotency_key=form.form_key or None,
            draft=True,
            editor=editor,
        )
    except IdempotencyConflict:  # this form was saved before, with other values
        form.errors.append(t["already_saved"])
        return _form_page(request, editor, form, None, status_code=422)
    except (NewsBodyRefused, NewsImageAltMissing, NewsImageRefused, NewsImageTooLarge) as exc:
        return _refused(request, editor, form, None, exc)
    after = "/preview" if form.then == "preview" else ""
    return workspace_of(request).see_other(request, f"/news/{created['id']}{after}", t["created"])


# Declared after /news/new, which it would otherwise take for an article id.
@router.get("/news/{news_id}", name="editor_article")
async def article(request: Request, news_id: NewsId, editor: Editor) -> Response:
    found = await _components(request).news.for_editor(news_id)
    return workspace_of(request).page(
        request, "article.html", principal=editor, title=str(found["title"]), article=found
    )


@router.get("/news/{news_id}/edit")
async def edit_article(request: Request, news_id: NewsId, editor: Editor) -> Response:
    found = await _components(request).news.for_editor(news_id)
    return _form_page(request, editor, ArticleForm.of(found), found)


@router.post("/news/{news_id}/edit")
async def save_article(request: Request, news_id: NewsId, editor: Editor) -> Response:
    components = _components(request)
    t = labels_of(request)
    current = await components.news.for_editor(news_id)
    form = await read_form(request, components.news_images.max_bytes)
    fields = checked(form, t, creating=False)
    if fields is None or form.version is None:
        return _form_page(request, editor, form, current, status_code=422)
    try:
        image = await _image(components, form, current)
        await components.news.update(news_id, form.version, {**fields, "image": image}, editor)
    except NewsChanged as exc:
        return _stale(request, editor, news_id, exc, form)
    except (NewsBodyRefused, NewsImageAltMissing, NewsImageRefused, NewsImageTooLarge) as exc:
        return _refused(request, editor, form, current, exc)
    after = "/preview" if form.then == "preview" else ""
    return workspace_of(request).see_other(request, f"/news/{news_id}{after}", t["saved"])


async def _image(components: PortalComponents, form: ArticleForm, current: Doc | None) -> Any:
    """The image the article will carry: a new upload, the one it has (its alt text as now
    typed), or none."""
    if form.upload is not None:
        stored = await components.news_images.store(form.upload)
        return {**stored, "alt": form.image_alt}
    kept = (current or {}).get("image")
    if form.remove_image or not kept:
        return None
    return {k: v for k, v in kept.items() if k != "url"} | {"alt": form.image_alt}


def _form_page(
    request: Request,
    editor: Principal,
    form: ArticleForm,
    current: Doc | None,
    status_code: int = 200,
) -> Response:
    t = labels_of(request)
    limit = _components(request).news_images.max_bytes
    return workspace_of(request).page(
        request,
        "form.html",
        principal=editor,
        title=t["edit_title" if current else "new_title"],
        status_code=status_code,
        form=form,
        current=current,
        image_hint=t["image_hint"].format(size=_size(limit)),
        # A fresh key per form shown: a double click on "save" makes one article, and a
        # form shown again (refused, corrected) is a new request.
        form_key=secrets.token_urlsafe(16),
    )


def _refused(
    request: Request,
    editor: Principal,
    form: ArticleForm,
    current: Doc | None,
    exc: NewsBodyRefused | NewsImageAltMissing | NewsImageRefused | NewsImageTooLarge,
) -> Response:
    t = labels_of(request)
    if isinstance(exc, NewsBodyRefused):
        form.errors.extend(t[kind].format(src=src) for kind, src in exc.images)
        status = 422
    elif isinstance(exc, NewsImageTooLarge):
        form.errors.append(t["image_too_large"].format(size=_size(int(exc.extra["max_bytes"]))))
        status = 413
    elif isinstance(exc, NewsImageAltMissing):
        form.errors.append(t["image_alt_missing"])
        status = 422
    else:
        form.errors.append(t["image_type"])
        status = 415
    if form.upload is not None:
        form.errors.append(t["image_again"])  # browsers never refill a file field
    return _form_page(request, editor, form, current, status_code=status)


def _stale(
    request: Request,
    editor: Principal,
    news_id: str,
    exc: NewsChanged,
    form: ArticleForm | None = None,
) -> Response:
    """Who changed the article and when; what the editor typed, to copy; a reload link."""
    t = labels_of(request)
    text = t["stale_text"].format(
        who=exc.changed_by or "?", when=local_text(exc.changed_at), version=exc.current_version
    )
    return workspace_of(request).page(
        request,
        "stale.html",
        principal=editor,
        title=t["stale_title"],
        status_code=412,
        text=text,
        form=form,
        reload_url=workspace_of(request).renderer.url(
            f"/news/{news_id}/edit" if form else f"/news/{news_id}"
        ),
    )


# -- preview, publish, unpublish ------------------------------------------------------------


@router.get("/news/{news_id}/preview")
async def preview(request: Request, news_id: NewsId, editor: Editor) -> Response:
    """The public page itself (its template, CSS and body rendering), with a notice."""
    components = _components(request)
    found = await components.news.for_editor(news_id)
    t = labels_of(request)
    renderer = workspace_of(request).renderer
    published = found["state"] == "published"
    notice = {
        "label": t["preview_label"],
        "text": t["preview_text_published" if published else "preview_text"],
        "back_url": renderer.url(f"/news/{news_id}"),
        "back_label": t["back_to_article"],
        "publish_url": None if published else renderer.url(f"/news/{news_id}/publish"),
        "publish_label": t["publish"],
        "csrf_field": FIELD,
        "csrf_token": csrf_token(request.scope.setdefault("session", {})),
    }
    # The preview's interface is in the article's language, as on the portal.
    lang = "en" if found["language"] == "en" else "vi"
    return article_page(request, components, lang, found, preview=notice)


@router.post("/news/{news_id}/publish")
async def publish(request: Request, news_id: NewsId, editor: Editor) -> Response:
    version = await _posted_version(request)
    t = labels_of(request)
    try:
        done = await _components(request).news.publish(news_id, version, editor)
    except NewsChanged as exc:
        return _stale(request, editor, news_id, exc)
    published = t["published_flash"].format(url=news_url(str(done["slug"])))
    return workspace_of(request).see_other(request, f"/news/{news_id}", published)


@router.get("/news/{news_id}/unpublish")
async def confirm_unpublish(request: Request, news_id: NewsId, editor: Editor) -> Response:
    found = await _components(request).news.for_editor(news_id)
    t = labels_of(request)
    return workspace_of(request).page(
        request,
        "unpublish.html",
        principal=editor,
        title=t["unpublish_title"],
        article=found,
        text=t["unpublish_text"].format(title=found["title"], url=found["url"]),
    )


@router.post("/news/{news_id}/unpublish")
async def unpublish(request: Request, news_id: NewsId, editor: Editor) -> Response:
    version = await _posted_version(request)
    t = labels_of(request)
    try:
        await _components(request).news.unpublish(news_id, version, editor)
    except NewsChanged as exc:
        return _stale(request, editor, news_id, exc)
    return workspace_of(request).see_other(request, f"/news/{news_id}", t["unpublished_flash"])


async def _posted_version(request: Request) -> int:
    """The version the editor's page showed; a form without one is as stale as can be."""
    async with request.form(max_files=0, max_fields=5) as posted:
        return read_version(posted.get("version")) or 0
