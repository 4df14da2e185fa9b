"""A stale form: the document changed since the form was opened. The page says who changed
it and when, from the document's own audit trail (read by ``_id``), and never overwrites."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from services.documents.repositories.aggregates import AUDIT_PENDING
from services.documents.web.context import helpers, labels, workspace
from shared.auth.principal import Principal
from shared.kit.types import Doc

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
    t = labels(request)
    return workspace(request).page(
        request,
        "stale.html",
        principal=principal,
        status_code=412,
        title=t["stale_title"],
        doc=doc,
        change=last_change(await trail(), doc),
        expected=expected,
        reload_url=reload_url,
        kept=kept or {},
        **helpers(request),
    )
