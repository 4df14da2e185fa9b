"""Partners (API key) whose format is edXML: the signed message of a pull-inbox item.

The inbox list stays JSON; for an edXML partner each item carries ``format: edxml`` and the
``content_url`` of its message instead of the JSON ``payload``, because one message can
carry tens of MB of attachments. Fetching it does not acknowledge the item.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from services.lgsp.api.deps import ComponentsDep, Partner
from services.lgsp.domain.message_log import Direction
from services.lgsp.errors import FileNotReady
from shared.http.problems import ProblemError

router = APIRouter(prefix="/api/v1", tags=["partners"])


def content_url(delivery_id: str) -> str:
    return f"/api/v1/inbox/{delivery_id}/edxml"


def edxml_item(delivery_id: str) -> dict[str, Any]:
    return {
        "format": "edxml",
        "content_type": "application/xml",
        "content_url": content_url(delivery_id),
    }


@router.get(
    "/inbox/{delivery_id}/edxml",
    response_class=Response,
    responses={
        200: {
            "description": "the signed edXML message",
            "content": {"application/xml": {"schema": {"type": "string"}}},
        }
    },
)
async def inbox_edxml(delivery_id: str, partner: Partner, components: ComponentsDep) -> Response:
    try:
        body = await components.renderer.inbox_edxml(partner, delivery_id)
    except FileNotReady as exc:
        raise ProblemError(503, exc.detail) from exc
    # Each signed message handed out is a message sent: logged before the partner sees it.
    await components.message_log.append(
        partner_id=str(partner["_id"]),
        partner_code=str(partner["code"]),
        direction=Direction.OUT,
        kind="edxml",
        headers={"content-type": "application/xml"},
        payload=body,
        outcome="handed out (inbox)",
        ref=delivery_id,
    )
    return Response(body, media_type="application/xml")
