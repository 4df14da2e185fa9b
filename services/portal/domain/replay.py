"""The projection's rules applied in memory: a rebuild folds a batch of events into the
pages it touched, with the same version guard per concern as ``apply_if_newer`` and the
same fields as the live projection, so the rebuilt pages equal the live ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from services.portal.domain.page import (
    back_link,
    fields_to_remove,
    gone_fields,
    page_fields,
    refusal,
    replaced_fields,
    revoked_fields,
)
from services.portal.domain.slug import disambiguated
from shared.contracts.events import (
    DocumentPublished,
    DocumentReplaced,
    DocumentRevoked,
    DocumentUnpublished,
    EventData,
)
from shared.kit.types import Doc


@dataclass
class SlugBook:
    """Slug → document, claimed in the order the events come (first claim wins, as the
    live insert does)."""

    owners: dict[str, str] = field(default_factory=dict)
    claims: list[tuple[str, str]] = field(default_factory=list)  # (slug, document), in order

    def claim(self, slug: str, document_id: str) -> str:
        if self._take(slug, document_id):
            return slug
        other = disambiguated(slug, document_id)
        self._take(other, document_id)
        return other

    def _take(self, slug: str, document_id: str) -> bool:
        owner = self.owners.get(slug)
        if owner is None:
            self.owners[slug] = document_id
            self.claims.append((slug, document_id))
            return True
        return owner == document_id


def _applies(page: Doc, concern: str, version: int) -> bool:
    applied = page.get("applied", {}).get(concern)
    return applied is None or int(applied["version"]) < version


def _apply(page: Doc, concern: str, version: int, event_id: str, fields: Doc) -> bool:
    if not _applies(page, concern, version):
        return False
    page.update(fields)
    page.setdefault("applied", {})[concern] = {"version": version, "event_id": event_id}
    return True


def fold(pages: dict[str, Doc], event: EventData, event_id: str, slugs: SlugBook) -> bool:
    """Apply one event to ``pages`` (id → page, created when missing). False when the event
    must never become a page (the live consumer dead-lettered it)."""

    def page_of(document_id: str) -> Doc:
        return pages.setdefault(document_id, {"_id": document_id})

    if isinstance(event, DocumentPublished):
        if refusal(event) is not None:
            return False
        fields = page_fields(event)
        fields["slug"] = slugs.claim(str(fields["slug"]), event.document_id)
        page = page_of(event.document_id)
        if _apply(page, "page", event.document_version, event_id, fields):
            for name in fields_to_remove(fields):  # as the live projection's ``$unset``
                page.pop(name, None)
    elif isinstance(event, DocumentRevoked):
        fields = revoked_fields(event)
        _apply(page_of(event.document_id), "revoked", event.document_version, event_id, fields)
    elif isinstance(event, DocumentReplaced):
        newer = page_of(event.replaced_by_id)
        link = back_link(event)
        if link not in newer.setdefault("replaces", []):
            newer["replaces"].append(link)
        fields = replaced_fields(event)
        _apply(page_of(event.document_id), "replaced", event.document_version, event_id, fields)
    elif isinstance(event, DocumentUnpublished):
        fields = gone_fields(event)
        _apply(page_of(event.document_id), "page", event.document_version, event_id, fields)
    else:
        return False
    return True


def fold_batch(
    pages: dict[str, Doc], events: Sequence[tuple[EventData, str]], slugs: SlugBook
) -> tuple[int, dict[str, str]]:
    """Fold ``(event, event id)`` pairs into ``pages`` in order: how many were refused, and
    the body of each page's publication in force after them, by document id (the indexer
    takes it from here rather than parse the signed copy it was just written into)."""
    refused = 0
    bodies: dict[str, str] = {}
    for event, event_id in events:
        if not fold(pages, event, event_id, slugs):
            refused += 1
        elif isinstance(event, DocumentPublished) and _holds(pages, event.document_id, event_id):
            bodies[event.document_id] = event.document.body
    return refused, bodies


def _holds(pages: dict[str, Doc], document_id: str, event_id: str) -> bool:
    """Whether the page's content is now this publication's (an older one changes nothing)."""
    applied = pages[document_id].get("applied", {}).get("page", {})
    return bool(applied.get("event_id") == event_id)


def touched_ids(event: EventData) -> list[str]:
    """The pages an event may change (a replacement also changes the newer document's)."""
    ids = [event.aggregate_id]
    if isinstance(event, DocumentReplaced):
        ids.append(event.replaced_by_id)
    return ids
