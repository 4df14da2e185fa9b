"""What every console page shares besides the kit (``workspace_of``, ``labels_of``): the
components, the console's template helpers, rendering, answering a form with a redirect and a
message, and the partner registry for pickers."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from services.lgsp.components import LgspComponents, components_of
from services.lgsp.web.forms import shown
from services.lgsp.web.labels import value_label
from shared.auth.principal import Principal
from shared.http.problems import domain_problem
from shared.kit.errors import DomainError
from shared.kit.types import Doc
from shared.web.i18n import language
from shared.web.workspace import labels_of, workspace_of

PREFIX = "/console"
# Partners are configuration (tens of agencies): pickers list them all, up to this many.
REGISTRY_PAGE = 200
REGISTRY_MAX = 1000


def components(request: Request) -> LgspComponents:
    return components_of(request.app.state.runtime)


def helpers(request: Request) -> dict[str, Any]:
    """What every console page gets besides the kit's context: codes in words, local times."""
    lang = language(request)
    return {"v": lambda value: value_label(lang, value), "when": shown}


def render(
    request: Request,
    template: str,
    principal: Principal,
    *,
    title: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Response:
    response = workspace_of(request).page(
        request, template, principal=principal, title=title, status_code=status_code, **context
    )
    response.headers.update(headers or {})
    return response


def see_other(request: Request, path: str, label: str) -> Response:
    """The answer to a form that worked: the message of ``label`` on the page at ``path``."""
    return workspace_of(request).see_other(request, path, labels_of(request)[label])


def failure(exc: DomainError) -> tuple[int, str]:
    """A use case's refusal as the API would answer it: its status and its detail."""
    problem = domain_problem(exc)
    return problem.status, problem.detail


async def form_of(request: Request) -> FormData:
    return await request.form()


async def registry(components: LgspComponents) -> list[Doc]:
    """Every partner (by id), for the pickers and the parked list: configuration, never
    history (docs/performance.md, ``PartnerRepository.page``)."""
    found: list[Doc] = []
    after: str | None = None
    while len(found) < REGISTRY_MAX:
        page = await components.partners.page(after, REGISTRY_PAGE, None)
        found.extend(page)
        if len(page) < REGISTRY_PAGE:
            break
        after = str(page[-1]["_id"])
    return found
