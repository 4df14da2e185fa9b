"""One-time messages shown on the next page (e.g. "signed in", "document submitted")."""

from __future__ import annotations

from typing import Any, Literal

from starlette.requests import Request

Kind = Literal["info", "success", "warning", "error"]
SESSION_KEY = "flash"
MAX_KEPT = 5  # the session is a cookie: keep it small


def flash(request: Request, message: str, kind: Kind = "info") -> None:
    session: dict[str, Any] = request.scope.setdefault("session", {})
    kept = [m for m in session.get(SESSION_KEY, []) if isinstance(m, dict)]
    session[SESSION_KEY] = [*kept, {"kind": kind, "text": message}][-MAX_KEPT:]


def take_flashes(request: Request) -> list[dict[str, str]]:
    session: dict[str, Any] = request.scope.get("session", {})
    messages = session.pop(SESSION_KEY, [])
    return [
        {"kind": str(m.get("kind", "info")), "text": str(m.get("text", ""))}
        for m in messages
        if isinstance(m, dict)
    ]
