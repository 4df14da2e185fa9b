"""The documents workspace's reading pages: home (what waits for me), a document, an
incoming one.

Each page takes the signed-in ``StaffPrincipal`` (the same Principal the API builds from a
token) and calls the same use cases as ``api/``, so the permission checks are the same.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.documents.domain.lifecycle import NUMBERED_STATES, State
from services.documents.web.choices import partner_name, unit_name
from services.documents.web.context import PREFIX, components
from services.documents.web.document_actions import may_attach, may_edit, steps_for
from services.documents.web.handlers import handler_name
from services.documents.web.incoming_actions import incoming_steps
from services.documents.web.waiting import WaitingForMe
from shared.web.workspace import StaffPrincipal, labels_of, workspace_of

__all__ = ["PREFIX", "router"]

router = APIRouter(prefix=PREFIX)


@router.get("/", name="workspace_home")
async def home(request: Request, principal: StaffPrincipal) -> Response:
    lists = await WaitingForMe(components(request)).lists(principal)
    return workspace_of(request).page(
        request,
        "home.html",
        principal=principal,
        title=labels_of(request)["home_title"],
        lists=lists,
    )


@router.get("/documents/{document_id}", name="workspace_document")
async def document(request: Request, document_id: str, principal: StaffPrincipal) -> Response:
    found = components(request)
    doc = await found.recall.with_summary(await found.drafting.read(principal, document_id))
    trail = await found.trail.visible_trail(principal, document_id)
    verdict = await found.trail.visible_verdict(principal, document_id)
    deliveries = await found.deliveries.list(principal, document_id)
    signature = None
    if State(doc["state"]) in NUMBERED_STATES and doc.get("signature"):
        signature = await found.verification.by_id(principal, document_id)
    settings = found.settings
    return workspace_of(request).page(
        request,
        "document.html",
        principal=principal,
        title=str(doc.get("notation") or doc.get("subject") or ""),
        doc=doc,
        trail=trail,
        verdict=verdict,
        deliveries=deliveries,
        signature=signature,
        steps=[step.value for step in steps_for(principal, doc)],
        may_edit=may_edit(principal, doc),
        may_attach=may_attach(principal, doc),
        max_attachment_mb=max(1, settings.max_attachment_bytes // (1024 * 1024)),
        partner=lambda code: partner_name(settings, code),
        unit=lambda code: unit_name(settings, code),
        api_base=str(request.base_url).rstrip("/"),
    )


@router.get("/incoming/{inbound_id}", name="workspace_incoming")
async def incoming(request: Request, inbound_id: str, principal: StaffPrincipal) -> Response:
    found = components(request)
    doc = await found.incoming.read(principal, inbound_id)
    trail = await found.incoming.trail(principal, inbound_id)
    verdict = await found.incoming.verify(principal, inbound_id)
    settings = found.settings
    return workspace_of(request).page(
        request,
        "incoming.html",
        principal=principal,
        title=str(doc.get("sender_notation") or doc.get("subject") or ""),
        doc=doc,
        trail=trail,
        verdict=verdict,
        steps=[step.value for step in incoming_steps(principal, doc)],
        unit=lambda code: unit_name(settings, code),
        staff_name=lambda unit, user: handler_name(workspace_of(request).directory, unit, user),
    )
