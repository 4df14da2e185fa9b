"""The draft form (new and edit) and attachments: the same use cases as ``POST`` /
``PATCH /api/v1/documents`` and ``POST …/attachments``, validated by the same models."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload

from services.documents.errors import (
    EmptyFile,
    FileTooLarge,
    InvalidInput,
    NotAllowed,
    StaleVersion,
    UnsupportedFile,
)
from services.documents.web.choices import draft_choices
from services.documents.web.context import PREFIX, components
from services.documents.web.forms import (
    FormErrors,
    draft_changes,
    draft_values,
    new_draft,
    values_of,
    version_of,
    version_or_stale,
)
from services.documents.web.staleness import stale_document
from shared.auth.principal import Principal, Role
from shared.kit.types import Doc
from shared.web.flash import flash
from shared.web.i18n import language
from shared.web.workspace import StaffPrincipal, labels_of, workspace_of

router = APIRouter(prefix=PREFIX)


def _document_url(request: Request, document_id: str) -> str:
    return workspace_of(request).renderer.url(f"/documents/{document_id}")


def _form(
    request: Request,
    principal: Principal,
    *,
    values: Doc,
    errors: dict[str, str] | None = None,
    doc: Doc | None = None,
    status_code: int = 200,
) -> Response:
    t = labels_of(request)
    settings = components(request).settings
    return workspace_of(request).page(
        request,
        "draft_form.html",
        principal=principal,
        status_code=status_code,
        title=t["edit_title"] if doc else t["new_title"],
        values=values,
        errors=errors or {},
        doc=doc,
        choices=draft_choices(settings, language(request)),
        # A fresh key per form shown: a double click on "create" makes one draft.
        form_key=secrets.token_urlsafe(16),
    )


@router.get("/documents/new", name="workspace_new_draft")
async def new_form(request: Request, principal: StaffPrincipal) -> Response:
    if not principal.has_role(Role.DRAFTER, Role.ADMIN):
        # The use case refuses their drafts anyway: do not offer a form that cannot work.
        raise NotAllowed("drafts are written by drafters")
    values: Doc = {
        "drafting_unit": principal.unit or "",
        "urgency": "thuong",
        "confidentiality": "thuong",
        "access": "internal",
        "recipients_internal": [],
        "recipients_external": [],
    }
    return _form(request, principal, values=values)


@router.post("/documents/new")
async def create(request: Request, principal: StaffPrincipal) -> Response:
    async with request.form() as form:
        values = draft_values(form)
        key = form.get("form_key")
    try:
        fields = new_draft(values)
        doc, _ = await components(request).drafting.create(
            principal, fields, key if isinstance(key, str) and key else None
        )
    except FormErrors as exc:
        return _form(request, principal, values=values, errors=exc.errors, status_code=400)
    except InvalidInput as exc:
        errors = {exc.field: exc.detail}
        return _form(request, principal, values=values, errors=errors, status_code=400)
    done = labels_of(request)["draft_created"]
    return workspace_of(request).see_other(request, f"/documents/{doc['_id']}", done)


@router.get("/documents/{document_id}/edit", name="workspace_edit_draft")
async def edit_form(request: Request, document_id: str, principal: StaffPrincipal) -> Response:
    doc = await components(request).drafting.read(principal, document_id)
    return _form(request, principal, values=values_of(doc), doc=doc)


@router.post("/documents/{document_id}/edit")
async def edit(request: Request, document_id: str, principal: StaffPrincipal) -> Response:
    found = components(request)
    async with request.form() as form:
        values = draft_values(form)
        try:
            version = version_of(form)
        except FormErrors as exc:
            doc = await found.drafting.read(principal, document_id)
            return _form(request, principal, values=values, errors=exc.errors, doc=doc)
    try:
        changes = draft_changes(values)
        doc = await found.drafting.edit(principal, document_id, version, changes)
    except FormErrors as exc:
        doc = await found.drafting.read(principal, document_id)
        return _form(request, principal, values=values, errors=exc.errors, doc=doc, status_code=400)
    except InvalidInput as exc:
        doc = await found.drafting.read(principal, document_id)
        errors = {exc.field: exc.detail}
        return _form(request, principal, values=values, errors=errors, doc=doc, status_code=400)
    except StaleVersion:
        return await stale_document(
            request,
            principal,
            document_id,
            version,
            reload_path=f"/documents/{document_id}/edit",
            kept={"subject": values.get("subject"), "body": values.get("body")},
        )
    done = labels_of(request)["draft_saved"]
    return workspace_of(request).see_other(request, f"/documents/{doc['_id']}", done)


def _after_upload(request: Request, document_id: str) -> Response:
    """Back to the document page: a redirect for the plain form; for the upload script
    (which would follow a redirect inside its request, taking the page's messages with it)
    the address to load next."""
    url = _document_url(request, document_id)
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        return JSONResponse({"location": url})
    return RedirectResponse(url, status_code=303)


@router.post("/documents/{document_id}/attachments")
async def attach(request: Request, document_id: str, principal: StaffPrincipal) -> Response:
    found = components(request)
    t = labels_of(request)
    async with request.form() as form:
        upload = form.get("file")
        version = version_or_stale(form)
        if not isinstance(upload, StarletteUpload) or not upload.filename:
            flash(request, t["attach_missing"], "error")
            return _after_upload(request, document_id)
        # One byte past the limit: enough to refuse without holding a huge upload.
        data = await upload.read(found.attachments.max_bytes + 1)
        name = upload.filename
    try:
        _, attachment = await found.attachments.add(principal, document_id, version, name, data)
    except StaleVersion:
        return await stale_document(request, principal, document_id, version)
    except (FileTooLarge, UnsupportedFile, EmptyFile) as exc:
        flash(request, f"{t['attach_refused']}: {exc.detail}", "error")
        return _after_upload(request, document_id)
    message: dict[str, Any] = {"name": attachment["name"], "sha256": attachment["sha256"]}
    flash(request, t["attached"].format(**message), "success")
    return _after_upload(request, document_id)
