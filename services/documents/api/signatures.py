"""The issuer's public keys and the verification of issued documents."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.documents.api.deps import ComponentsDep
from services.documents.api.schemas import VerificationRequest
from shared.auth.dependencies import OptionalPrincipal

router = APIRouter(tags=["signatures"])


@router.get("/.well-known/jwks.json")
async def jwks(components: ComponentsDep) -> dict[str, Any]:
    return await components.verification.jwks()


@router.post("/api/v1/verify")
async def verify(
    body: VerificationRequest, principal: OptionalPrincipal, components: ComponentsDep
) -> Any:
    checker = components.verification
    if body.document_id is not None:
        return await checker.by_id(principal, body.document_id)
    if body.sha256 is not None:
        return await checker.by_file(principal, body.sha256)
    assert body.document is not None and body.signature is not None
    return await checker.by_signature(principal, body.document, body.signature)
