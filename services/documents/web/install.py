"""Mounting the documents workspace on the service's app."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI

from services.documents.settings import Settings
from services.documents.web import drafts, incoming_steps, pages, registers, search, steps
from services.documents.web.context import helpers
from services.documents.web.labels import LABELS
from services.documents.web.pages import PREFIX
from shared.auth.principal import Role
from shared.web.install import install_workspace
from shared.web.render import NavItem
from shared.web.workspace import Workspace

TEMPLATES = Path(__file__).parent / "templates"

NAV = (
    NavItem("nav_home", "/"),
    NavItem("nav_new_draft", "/documents/new", frozenset({Role.DRAFTER, Role.ADMIN})),
    NavItem("nav_search", "/search"),
    NavItem(
        "nav_registers",
        "/registers",
        frozenset({Role.CLERK, Role.RECORDS_OFFICER, Role.ADMIN}),
    ),
)


def workspace_router() -> APIRouter:
    """Every page; fixed paths before the ones that take a path parameter in their place."""
    router = APIRouter()
    for module in (drafts, pages, steps, incoming_steps, registers, search):
        router.include_router(module.router)
    return router


def install_documents_workspace(app: FastAPI, settings: Settings) -> Workspace:
    return install_workspace(
        app,
        settings,
        prefix=PREFIX,
        templates=TEMPLATES,
        labels=LABELS,
        nav=NAV,
        pages=workspace_router(),
        helpers=helpers,
        # The largest form is an attachment's upload.
        max_body_bytes=settings.max_attachment_bytes + settings.upload_overhead_bytes,
    )
