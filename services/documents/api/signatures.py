"""The issuer's public keys and the verification of issued documents."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.documents.api.deps import Cases
from shared.auth.dependencies import OptionalPrincipal
from shared.contracts.models import SHA256_PATTERN

router = APIRouter(tags=["signatures"])


class VerifyInput(BaseModel):
    """Exactly one of: a document id; a signed document with its signature; a file hash."""

    model_config = ConfigDict(extra="forbid")

    document_id: str | None = Field(default=None, min_length=1, max_length=64)
    document: dict[str, Any] | None = None
    signature: dict[str, Any] | None = None
    sha256: str | None = Field(default=None, pattern=SHA256_PATTERN)

    @model_validator(mode="after")
    def _exactly_one(self) -> VerifyInput:
        forms = [
            self.document_id is not None,
            self.document is not None or self.signature is not None,
            self.sha256 is not None,
        ]
        if sum(forms) != 1:
            raise ValueError("send exactly one of document_id, document+signature or sha256")
        if (self.document is None) != (self.signature is None):
            raise ValueError("document and signature go together")
        return self


@router.get("/.well-known/jwks.json")
async def jwks(cases: Cases) -> dict[str, Any]:
    return await cases.deps.keys.jwks()


@router.post("/api/v1/verify")
async def verify(body: VerifyInput, principal: OptionalPrincipal, cases: Cases) -> Any:
    checker = cases.verification
    if body.document_id is not None:
        return await checker.by_id(principal, body.document_id)
    if body.sha256 is not None:
        return await checker.by_file(principal, body.sha256)
    assert body.document is not None and body.signature is not None
    return await checker.by_signature(principal, body.document, body.signature)
