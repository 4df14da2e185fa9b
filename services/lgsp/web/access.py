"""Who may use the console: the role the LGSP's administration API requires."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.auth.principal import Principal, Role
from shared.kit.errors import Forbidden
from shared.web.workspace import StaffPrincipal

# The same role as the JSON API's administrators (``api/deps.py``, ``Admin``): a page never
# lets anyone do what the API would refuse them.
CONSOLE_ROLES: tuple[Role, ...] = (Role.LGSP_ADMIN,)


class ConsoleRefused(Forbidden):
    """Signed in and in the staff directory, but without an LGSP administrator's role."""

    def __init__(self) -> None:
        needed = ", ".join(sorted(role.value for role in CONSOLE_ROLES))
        super().__init__(f"the LGSP console needs one of the roles: {needed}")


def console_admin(principal: StaffPrincipal) -> Principal:
    if not principal.has_role(*CONSOLE_ROLES):
        raise ConsoleRefused()
    return principal


ConsoleAdmin = Annotated[Principal, Depends(console_admin)]
"""The signed-in LGSP administrator (any other staff member gets the 403 page)."""
