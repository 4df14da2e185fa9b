"""What every page of the documents workspace reaches: the components, the workspace and
the template helpers (value labels, local times, urgency and deadlines)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request

from services.documents.components import DocumentsComponents, components_of
from services.documents.domain.incoming import deadline_of, is_overdue, is_urgent
from services.documents.domain.numbering import VN_TZ
from services.documents.web.labels import value_label
from shared.web.i18n import language
from shared.web.workspace import Workspace

PREFIX = "/workspace"


def components(request: Request) -> DocumentsComponents:
    return components_of(request.app.state.runtime)


def workspace(request: Request) -> Workspace:
    found: Workspace = request.app.state.workspace
    return found


def labels(request: Request) -> dict[str, str]:
    return workspace(request).t(request)


def today() -> dt.date:
    return dt.datetime.now(VN_TZ).date()


def when(value: object) -> str:
    """A stored time (or its ISO text) as the reader's local date and time
    (Asia/Ho_Chi_Minh); a date alone as a date."""
    if isinstance(value, str):
        try:
            value = _parsed(value)
        except ValueError:
            return str(value)
    if isinstance(value, dt.datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return stamp.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)


def _parsed(text: str) -> dt.date:
    return dt.datetime.fromisoformat(text) if len(text) > 10 else dt.date.fromisoformat(text)


def helpers(request: Request) -> dict[str, Any]:
    lang = language(request)
    day = today()
    return {
        "v": lambda value: value_label(lang, value),
        "when": when,
        "overdue": lambda doc: is_overdue(doc, day),
        "urgent": is_urgent,
        "deadline": deadline_of,
    }
