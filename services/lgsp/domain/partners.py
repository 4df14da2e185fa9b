"""Partners, the service catalogue and access rights (X-Road style: nothing is granted)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PartnerState(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DISABLED = "disabled"


class Service(StrEnum):
    PUBLIC_DOCUMENTS_FEED = "public-documents-feed"
    DOCUMENT_LOOKUP = "document-lookup"


@dataclass(frozen=True)
class CatalogueEntry:
    service: Service
    title: str
    description: str


CATALOGUE: tuple[CatalogueEntry, ...] = (
    CatalogueEntry(
        Service.PUBLIC_DOCUMENTS_FEED,
        "Public documents feed",
        "Publication notices (published, revoked, replaced) matching the partner's "
        "subscriptions, by webhook or pull inbox.",
    ),
    CatalogueEntry(
        Service.DOCUMENT_LOOKUP,
        "Document lookup",
        "Look up a published document by its number and notation and year.",
    ),
)


def service_named(name: str) -> Service | None:
    try:
        return Service(name)
    except ValueError:
        return None
