"""Mounting the documents workspace on the service's app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.documents.settings import Settings
from services.documents.web.labels import LABELS
from services.documents.web.pages import PREFIX, router
from shared.web.render import NavItem
from shared.web.workspace import Workspace

TEMPLATES = Path(__file__).parent / "templates"

NAV = (NavItem("nav_home", "/"),)


def install_workspace(app: FastAPI, settings: Settings) -> Workspace:
    workspace = Workspace(
        settings,
        prefix=PREFIX,
        title_key="site_title",
        templates=TEMPLATES,
        labels=LABELS,
        nav=NAV,
    )
    workspace.install(app, router)
    return workspace
