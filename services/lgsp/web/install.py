"""Mounting the LGSP console on the service's app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from services.lgsp.settings import Settings
from services.lgsp.web.access import ConsoleRefused
from services.lgsp.web.common import PREFIX, helpers
from services.lgsp.web.dead_letters import DeadLetterReader
from services.lgsp.web.labels import LABELS
from services.lgsp.web.pages import router
from shared.web.install import Refusal, install_workspace
from shared.web.render import NavItem
from shared.web.workspace import Workspace

TEMPLATES = Path(__file__).parent / "templates"
ASSETS = Path(__file__).parent / "static"

NAV = (
    NavItem("nav_partners", "/"),
    NavItem("nav_deliveries", "/deliveries"),
    NavItem("nav_replays", "/replays/new"),
    NavItem("nav_parked", "/parked"),
    NavItem("nav_dead_letters", "/dead-letters"),
    NavItem("nav_message_log", "/message-log"),
)


def install_console(app: FastAPI, settings: Settings) -> Workspace:
    workspace = install_workspace(
        app,
        settings,
        prefix=PREFIX,
        templates=TEMPLATES,
        labels=LABELS,
        nav=NAV,
        pages=router,
        helpers=helpers,
        # Signed in, so they can sign out from the refusal.
        refusals=[Refusal(ConsoleRefused, "console_refused", signed_in=True)],
    )
    # The console's own script (the copy button), under the path its CSP allows.
    app.mount(f"{PREFIX}/assets", StaticFiles(directory=ASSETS), name="console-assets")
    app.state.console_dead_letters = DeadLetterReader(settings)
    return workspace
