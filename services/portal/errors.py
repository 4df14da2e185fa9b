"""What the portal's use cases say went wrong; ``shared.http.problems`` gives the status."""

from __future__ import annotations

from shared.kit.errors import DomainError, Forbidden, NotFound, Stale


class PageRefused(Forbidden):
    """An event that must never become (or change) a public page: dead-lettered, no retry."""


class NewsNotFound(NotFound):
    """No such article, or it was deleted (404 in the API; the site shows 410)."""

    def __init__(self) -> None:
        super().__init__("no such news article")


class NewsChanged(Stale):
    def __init__(self, current_version: int) -> None:
        super().__init__("the resource changed since you read it; read it again", current_version)


class BadCursor(DomainError):
    """A cursor this service did not hand out: a malformed request (400), of no other kind."""

    def __init__(self) -> None:
        super().__init__("the cursor is not valid")
