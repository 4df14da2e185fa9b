"""What the portal's use cases say went wrong; ``shared.http.problems`` gives the status."""

from __future__ import annotations

from shared.kit.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    Stale,
    TooLarge,
    Unsupported,
)


class PageRefused(Forbidden):
    """An event that must never become (or change) a public page: dead-lettered, no retry."""


class NewsNotFound(NotFound):
    """No such article, or it was deleted (404 in the API; the site shows 410)."""

    fixed_detail = "no such news article"


class NewsChanged(Stale):
    """Someone saved the article since the caller read it; says who and when."""

    def __init__(
        self, current_version: int, changed_by: str | None = None, changed_at: str | None = None
    ) -> None:
        extra = {k: v for k, v in (("changed_by", changed_by), ("changed_at", changed_at)) if v}
        super().__init__(
            "the resource changed since you read it; read it again", current_version, **extra
        )
        self.changed_by = changed_by
        self.changed_at = changed_at


class NewsStateConflict(Conflict):
    """Publishing what is already published, or unpublishing what is not."""


class NewsBodyRefused(Invalid):
    """A body outside the safe Markdown subset (an image without alt text, or from elsewhere)."""

    def __init__(self, reasons: list[str], images: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(reasons), field="body", reasons=reasons)
        self.reasons = reasons
        self.images = images  # (problem kind, image address), for pages to explain


class NewsImageRefused(Unsupported):
    """An uploaded file that is not an image the portal serves."""


class NewsImageAltMissing(Invalid):
    """An image without alt text (or with too long a one)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="image_alt")


class NewsImageTooLarge(TooLarge):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"the image is larger than {max_bytes} bytes", max_bytes=max_bytes)


class NotAnEditor(Forbidden):
    """Signed in, but not a portal editor."""

    fixed_detail = "only portal editors may write news"


class BadCursor(DomainError):
    """A cursor this service did not hand out: a malformed request (400), of no other kind."""

    fixed_detail = "the cursor is not valid"
