"""Mounting a service's staff pages: the one way all three services open their workspace."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from shared.settings import ServiceSettings
from shared.web.render import NavItem
from shared.web.workspace import Workspace


@dataclass(frozen=True)
class Refusal:
    """A service's own "signed in, but not allowed here", answered with a 403 page.

    ``label``: the key of the sentence that says why. ``signed_in``: the page keeps the
    signed-in header, so the user can sign out from it."""

    error: type[Exception]
    label: str
    signed_in: bool = False


def install_workspace(
    app: FastAPI,
    settings: ServiceSettings,
    *,
    prefix: str,
    templates: Path,
    labels: dict[str, dict[str, str]],
    nav: Sequence[NavItem],
    pages: APIRouter,
    max_body_bytes: int | None = None,
    refusals: Sequence[Refusal] = (),
    helpers: Callable[[Request], dict[str, Any]] | None = None,
) -> Workspace:
    """The workspace under ``prefix`` with its ``pages``; ``max_body_bytes``: the largest
    form a page takes (default: the service's ordinary body limit); ``helpers``: what every
    page of the service gets besides the kit's context (value labels, local times…)."""
    workspace = Workspace(
        settings,
        prefix=prefix,
        title_key="site_title",
        templates=templates,
        labels=labels,
        nav=nav,
        helpers=helpers,
    )
    workspace.install(app, pages, max_body_bytes=max_body_bytes)
    for refusal in refusals:
        app.add_exception_handler(refusal.error, _refused_page(workspace, refusal))
    return workspace


def _refused_page(
    workspace: Workspace, refusal: Refusal
) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def refused(request: Request, _: Exception) -> Response:
        t = workspace.t(request)
        principal = workspace.principal_of(request) if refusal.signed_in else None
        return workspace.error_page(request, 403, t["forbidden"], [t[refusal.label]], principal)

    return refused
