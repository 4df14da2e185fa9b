"""Readable, stable URL slugs for document pages and news."""

from __future__ import annotations

from shared.kit.text import words

MAX_SLUG = 80


def slugify(text: str) -> str:
    slug = "-".join(words(text))[:MAX_SLUG].strip("-")
    return slug or "van-ban"


def document_slug(notation: str, year: int) -> str:
    """``1637/QĐ-BNG`` of 2025 → ``1637-qd-bng-2025``; legal notations carry the year already."""
    base = slugify(notation)
    return base if str(year) in base.split("-") else f"{base}-{year}"


def disambiguated(slug: str, document_id: str) -> str:
    return f"{slug}-{slugify(document_id)[:12]}"
