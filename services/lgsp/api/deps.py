"""Dependencies shared by the routers: the components and the partner's API key."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from services.lgsp.components import Components
from shared.auth.dependencies import require_roles
from shared.auth.principal import Principal, Role


def components(request: Request) -> Components:
    found: Components | None = getattr(request.app.state, "lgsp", None)
    if found is None:
        raise RuntimeError("the LGSP components are built in the lifespan")
    return found


Deps = Annotated[Components, Depends(components)]
Admin = Annotated[Principal, Depends(require_roles(Role.LGSP_ADMIN))]


def api_key_of(request: Request) -> str | None:
    header = request.headers.get("x-api-key")
    if header:
        return header.strip()
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def current_partner(request: Request, deps: Deps) -> dict[str, Any]:
    return await deps.partners.authenticate(api_key_of(request))


Partner = Annotated[dict[str, Any], Depends(current_partner)]
