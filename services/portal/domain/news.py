"""News articles' states and the rules of their one image.

An article is a ``draft`` until an editor publishes it, ``published`` while the portal shows
it, and ``unpublished`` once an editor takes it off (it can be published again). Articles
written before drafts existed carry no state: they were published when written.
"""

from __future__ import annotations

from enum import StrEnum

import filetype

from shared.kit.types import Doc

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})
IMAGE_ALT_MAX = 300
IMAGE_PATH = "/tin-tuc/anh/"


class NewsState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"


def state_of(article: Doc) -> NewsState:
    return NewsState(article.get("state") or NewsState.PUBLISHED)


def is_public(article: Doc) -> bool:
    """Whether readers may see the article now."""
    return not article["deleted"] and state_of(article) is NewsState.PUBLISHED


def image_url(sha256: str) -> str:
    return f"{IMAGE_PATH}{sha256}"


def image_type(head: bytes) -> str | None:
    """The image type the bytes themselves show (never the name or the declared type), if it
    is one the portal serves; SVG is refused: it can carry script."""
    kind = filetype.guess_mime(head)
    return kind if kind in IMAGE_TYPES else None


def alt_problem(alt: str) -> str | None:
    """Why an image's alt text cannot be kept, if it cannot."""
    if not alt.strip():
        return "an image needs alt text: say what it shows for readers who cannot see it"
    if len(alt) > IMAGE_ALT_MAX:
        return f"the alt text is longer than {IMAGE_ALT_MAX} characters"
    return None
