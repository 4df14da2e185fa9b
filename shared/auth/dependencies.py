"""FastAPI dependencies: the authenticated principal, required roles and clearance."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from shared.auth.principal import Principal, Role
from shared.auth.verifier import AuthError, TokenVerifier


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def authenticate(request: Request) -> Principal:
    token = bearer_token(request)
    if token is None:
        raise AuthError("a bearer token is required")
    verifier: TokenVerifier = request.app.state.runtime.verifier
    return await verifier.verify(token)


async def optional_principal(request: Request) -> Principal | None:
    if bearer_token(request) is None:
        return None
    return await authenticate(request)


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    async def _check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_role(*roles):
            needed = ", ".join(sorted(str(r) for r in roles))
            raise AuthError(f"this action needs one of the roles: {needed}", 403)
        return principal

    return _check
