"""The documents workspace's pages: home (what waits for me), a document, an incoming one.

Each page takes the signed-in ``StaffPrincipal`` (the same Principal the API builds from a
token) and calls the same use cases as ``api/``, so the permission checks are the same.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.documents.components import DocumentsComponents, components_of
from services.documents.domain.incoming import deadline_of, is_overdue, is_urgent
from services.documents.domain.numbering import VN_TZ
from services.documents.web.labels import value_label
from services.documents.web.waiting import WaitingForMe, today
from shared.web.i18n import language
from shared.web.workspace import StaffPrincipal, Workspace

PREFIX = "/workspace"

router = APIRouter(prefix=PREFIX)


def _components(request: Request) -> DocumentsComponents:
    return components_of(request.app.state.runtime)


def _workspace(request: Request) -> Workspace:
    workspace: Workspace = request.app.state.workspace
    return workspace


def _helpers(request: Request) -> dict[str, Any]:
    lang = language(request)
    day = today()
    return {
        "v": lambda value: value_label(lang, value),
        "when": _when,
        "overdue": lambda doc: is_overdue(doc, day),
        "urgent": is_urgent,
        "deadline": deadline_of,
    }


def _when(value: object) -> str:
    """A stored time as the reader's local date and time (Asia/Ho_Chi_Minh)."""
    if isinstance(value, dt.datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return stamp.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)


@router.get("/", name="workspace_home")
async def home(request: Request, principal: StaffPrincipal) -> Response:
    lists = await WaitingForMe(_components(request)).lists(principal)
    workspace = _workspace(request)
    return workspace.page(
        request,
        "home.html",
        principal=principal,
        title=workspace.t(request)["home_title"],
        lists=lists,
        **_helpers(request),
    )


@router.get("/documents/{document_id}", name="workspace_document")
async def document(request: Request, document_id: str, principal: StaffPrincipal) -> Response:
    components = _components(request)
    doc = await components.drafting.read(principal, document_id)
    trail = await components.trail.visible_trail(principal, document_id)
    verdict = await components.trail.visible_verdict(principal, document_id)
    return _workspace(request).page(
        request,
        "document.html",
        principal=principal,
        title=str(doc.get("notation") or doc.get("subject") or ""),
        doc=doc,
        trail=trail,
        verdict=verdict,
        **_helpers(request),
    )


@router.get("/incoming/{inbound_id}", name="workspace_incoming")
async def incoming(request: Request, inbound_id: str, principal: StaffPrincipal) -> Response:
    components = _components(request)
    doc = await components.incoming.read(principal, inbound_id)
    trail = await components.incoming.trail(principal, inbound_id)
    verdict = await components.incoming.verify(principal, inbound_id)
    return _workspace(request).page(
        request,
        "incoming.html",
        principal=principal,
        title=str(doc.get("sender_notation") or doc.get("subject") or ""),
        doc=doc,
        trail=trail,
        verdict=verdict,
        **_helpers(request),
    )
