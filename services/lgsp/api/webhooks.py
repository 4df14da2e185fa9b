"""The webhook calls the LGSP makes to partners, for the OpenAPI ``webhooks`` section.

Nothing here is served: the operation describes what a partner's endpoint receives and what
its answer means, so an integrator can generate a receiver from the published document.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header

from services.lgsp.api.schemas import WebhookEvent

router = APIRouter()

RECEIVER_ANSWERS: dict[int | str, dict[str, str]] = {
    200: {"description": "Any 2xx: delivered. Deduplicate on webhook-id (equal to the body's id)."},
    410: {"description": "The endpoint is gone: the LGSP stops calling it until it is changed."},
    429: {"description": "Slow down: Retry-After (seconds or an HTTP date) is honoured."},
    503: {"description": "Unavailable: Retry-After is honoured, else backoff."},
    "default": {"description": "Any other answer or none: retried with backoff, then dead."},
}


@router.post("document-event", responses=RECEIVER_ANSWERS, status_code=200)
async def document_event(
    body: WebhookEvent,
    webhook_id: Annotated[
        str, Header(alias="webhook-id", description="the event's id, the same on every retry")
    ],
    webhook_timestamp: Annotated[
        str, Header(alias="webhook-timestamp", description="seconds since the epoch, as text")
    ],
    webhook_signature: Annotated[
        str,
        Header(
            alias="webhook-signature",
            description="v1,<base64 HMAC-SHA256 of id.timestamp.body> with the partner's "
            "webhook secret (whsec_…); space-separated while an old secret still signs",
        ),
    ],
) -> None:
    """An event for the partner (Standard Webhooks signing, CloudEvents 1.0 body). JSON
    partners only; edXML partners receive the signed edXML message instead."""
