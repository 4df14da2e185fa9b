"""Domain errors: what a use case says went wrong, without knowing HTTP or Kafka.

Each service names its own errors in its ``errors.py`` as subclasses of these kinds. The
HTTP layer maps a kind to a problem status (``shared.http.problems``); a consumer treats any
``DomainError`` as an event that can never be applied (a dead letter, no retry).
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every domain error; ``extra`` travels into the problem details.

    An error that always says the same sets ``fixed_detail`` and is raised without one."""

    fixed_detail: ClassVar[str | None] = None

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        if detail is None:
            if self.fixed_detail is None:
                raise TypeError(f"{type(self).__name__} needs a detail")
            detail = self.fixed_detail
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    """Absent, or not to be revealed to this caller."""


class Forbidden(DomainError):
    """The caller may not do this."""


class Invalid(DomainError):
    """The input breaks a rule; ``field`` names where."""

    def __init__(self, detail: str, field: str = "body", **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.field = field


class Conflict(DomainError):
    """The resource's state does not allow this (for example a document already issued)."""


class Stale(DomainError):
    """The caller's version is not the current one."""

    def __init__(self, detail: str, current_version: int, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.current_version = current_version


class TooLarge(DomainError):
    """The input is larger than allowed."""


class Unsupported(DomainError):
    """The input's kind is not accepted (for example a file type)."""


class Gone(DomainError):
    """It existed and was removed."""
