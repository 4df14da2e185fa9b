"""A stale form: the document changed since the form was opened. The page says who changed
it and when, from the document's own audit trail (read by ``_id``), and never overwrites."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from services.documents.repositories.aggregates import AUDIT_PENDING
from services.documents.web.context import components
from shared.auth.principal import Principal
from shared.kit.types import Doc
from shared.web.workspace import labels_of, workspace_of

READS = frozenset({"read", "download"})  # looking is not changing


def last_change(trail: list[Doc], doc: Doc) -> Doc | None:
    """The latest entry that changed the document, including one not chained yet."""
    entries = [*trail, *(doc.get(AUDIT_PENDING) or [])]
    changes = [e for e in entries if isinstance(e, dict) and e.get("action") not in READS]
    return changes[-1] if changes else None


async def stale_page(
    request: Request,
    principal: Principal,
    *,
    doc: Doc,
    trail: Callable[[], Awaitable[list[Doc]]],
    expected: int,
    reload_url: str,
    kept: dict[str, Any] | None = None,
) -> Response:
    """412, as the API answers a stale If-Match: who changed it, and a way to reload."""
    return workspace_of(request).page(
        request,
        "stale.html",
        principal=principal,
        status_code=412,
        title=labels_of(request)["stale_title"],
        doc=doc,
        change=last_change(await trail(), doc),
        expected=expected,
        reload_url=reload_url,
        kept=kept or {},
    )


async def stale_document(
    request: Request,
    principal: Principal,
    document_id: str,
    expected: int,
    *,
    reload_path: str | None = None,
    kept: dict[str, Any] | None = None,
) -> Response:
    """An outgoing document's stale form; reloading opens ``reload_path`` (default: the
    document's page)."""
    found = components(request)
    return await stale_page(
        request,
        principal,
        doc=await found.drafting.read(principal, document_id),
        trail=lambda: found.trail.visible_trail(principal, document_id),
        expected=expected,
        reload_url=workspace_of(request).renderer.url(reload_path or f"/documents/{document_id}"),
        kept=kept,
    )


async def stale_incoming(
    request: Request, principal: Principal, inbound_id: str, expected: int
) -> Response:
    """An incoming document's stale step; reloading opens its page."""
    found = components(request)
    return await stale_page(
        request,
        principal,
        doc=await found.incoming.read(principal, inbound_id),
        trail=lambda: found.incoming.trail(principal, inbound_id),
        expected=expected,
        reload_url=workspace_of(request).renderer.url(f"/incoming/{inbound_id}"),
    )
