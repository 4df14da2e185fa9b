"""Delivery statuses of a document, per recipient agency, for staff."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.documents.api.deps import ComponentsDep
from services.documents.api.schemas import DeliveryList
from shared.auth.dependencies import CurrentPrincipal

router = APIRouter(prefix="/api/v1/documents", tags=["deliveries"])


@router.get(
    "/{document_id}/deliveries", response_model=DeliveryList, response_model_exclude_unset=True
)
async def list_deliveries(
    document_id: str, principal: CurrentPrincipal, components: ComponentsDep
) -> dict[str, Any]:
    """Per external recipient: the LGSP's delivery state and the receiver's status code."""
    return {"items": await components.deliveries.list(principal, document_id)}
