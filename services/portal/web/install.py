"""Mounting the news editor on the portal's app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.portal.errors import NotAnEditor
from services.portal.settings import Settings
from services.portal.web.labels import LABELS
from services.portal.web.pages import PREFIX, router
from shared.web.install import Refusal, install_workspace
from shared.web.render import NavItem
from shared.web.times import local_text
from shared.web.workspace import Workspace

TEMPLATES = Path(__file__).parent / "templates"

NAV = (NavItem("nav_news", "/"), NavItem("nav_new", "/news/new"))


EDITOR_FORM_OVERHEAD = 256 * 1024  # the article's text fields and the multipart framing


def install_editor(app: FastAPI, settings: Settings) -> Workspace:
    return install_workspace(
        app,
        settings,
        prefix=PREFIX,
        templates=TEMPLATES,
        labels=LABELS,
        nav=NAV,
        pages=router,
        max_body_bytes=settings.news_image_max_bytes + EDITOR_FORM_OVERHEAD,
        refusals=[Refusal(NotAnEditor, "not_editor")],
        helpers=lambda _: {"when": local_text},
    )
