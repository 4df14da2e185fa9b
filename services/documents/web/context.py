"""What every page of the documents workspace reaches besides the kit (``workspace_of``,
``labels_of``): the components and the template helpers (value labels, local times, urgency
and deadlines), which the workspace hands to every page."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from services.documents.components import DocumentsComponents, components_of
from services.documents.domain.incoming import deadline_of, is_overdue, is_urgent
from services.documents.web.labels import value_label
from shared.web.i18n import language
from shared.web.times import local_text, local_today

PREFIX = "/workspace"


def components(request: Request) -> DocumentsComponents:
    return components_of(request.app.state.runtime)


def helpers(request: Request) -> dict[str, Any]:
    lang = language(request)
    day = local_today()
    return {
        "v": lambda value: value_label(lang, value),
        "when": local_text,
        "overdue": lambda doc: is_overdue(doc, day),
        "urgent": is_urgent,
        "deadline": deadline_of,
    }
