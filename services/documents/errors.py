"""What the documents use cases say went wrong; ``shared.http.problems`` gives the status."""

from __future__ import annotations

from shared.kit.errors import Conflict, Forbidden, Invalid, NotFound, Stale, TooLarge, Unsupported


class DocumentNotFound(NotFound):
    """Absent, or not to be revealed to this caller (404 either way)."""

    def __init__(self, what: str = "document") -> None:
        super().__init__(f"no such {what}, or you may not see it")


class NotAllowed(Forbidden):
    """The caller's roles, unit or clearance do not allow this."""


class InvalidInput(Invalid):
    """The input breaks a rule of the service."""


class WrongState(Conflict):
    """The document's state does not allow the action; the body says state and version."""

    def __init__(self, detail: str, state: str, version: int) -> None:
        super().__init__(detail, state=state, version=version)


class StaleVersion(Stale):
    def __init__(self, current_version: int) -> None:
        super().__init__("the resource changed since you read it; read it again", current_version)


class FileTooLarge(TooLarge):
    def __init__(self, limit: int) -> None:
        super().__init__(f"files are limited to {limit} bytes")


class EmptyFile(Invalid):
    def __init__(self) -> None:
        super().__init__("the file is empty", "file")


class UnsupportedFile(Unsupported):
    """A file type not accepted (checked by content)."""
