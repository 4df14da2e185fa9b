"""Dependencies shared by the routers: the components, the administrator and the partner."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.lgsp.components import LgspComponents, components_of
from services.lgsp.errors import NotAuthenticated
from shared.auth.dependencies import require_roles
from shared.auth.principal import Principal, Role
from shared.http.problems import ProblemError
from shared.kit.types import Doc


def components_dep(request: Request) -> LgspComponents:
    return components_of(request.app.state.runtime)


ComponentsDep = Annotated[LgspComponents, Depends(components_dep)]
Admin = Annotated[Principal, Depends(require_roles(Role.LGSP_ADMIN))]


def api_key_of(request: Request) -> str | None:
    header = request.headers.get("x-api-key")
    if header:
        return header.strip()
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def current_partner(request: Request, components: ComponentsDep) -> Doc:
    try:
        partner = await components.partners.authenticate(api_key_of(request))
    except NotAuthenticated as exc:
        raise ProblemError(401, exc.detail) from exc
    await components.partner_requests.check(f"partner|{partner['_id']}")
    return partner


Partner = Annotated[Doc, Depends(current_partner)]
