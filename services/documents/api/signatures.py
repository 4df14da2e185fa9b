"""The issuer's public keys and the verification of issued documents."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from services.documents.api.deps import ComponentsDep
from services.documents.api.schemas import JwksView, VerificationRequest, VerificationView
from shared.auth.dependencies import OptionalPrincipal
from shared.http.rate_limit import client_rate_limit

router = APIRouter(tags=["signatures"])
# Anonymous callers may verify: counted per client address (429 past the limit).
verify_rate = client_rate_limit("verify_limiter")


@router.get("/.well-known/jwks.json", response_model=JwksView)
async def jwks(components: ComponentsDep) -> dict[str, Any]:
    return await components.verification.jwks()


@router.post(
    "/api/v1/verify",
    dependencies=[Depends(verify_rate)],
    response_model=VerificationView,
    response_model_exclude_unset=True,
)
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
