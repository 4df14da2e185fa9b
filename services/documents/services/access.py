"""The checks every use case on one document makes, in the order the API promises.

Invisible → 404 (existence is not revealed), role or unit → 403, version → 412,
state → 409.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from services.documents.domain.lifecycle import Action, State, allowed
from services.documents.domain.permissions import can_see, may
from services.documents.repositories.documents import DocumentRepository
from services.documents.services.common import Forbidden, NotFound, StateConflict
from services.documents.services.views import facts
from shared.auth.principal import Principal
from shared.http.concurrency import stale
from shared.messaging.envelope import OutgoingRecord

Doc = dict[str, Any]


async def load_visible(
    documents: DocumentRepository, principal: Principal, document_id: str
) -> Doc:
    doc = await documents.get(document_id)
    if doc is None or not can_see(principal, facts(doc)):
        raise NotFound()
    return doc


def check_may(principal: Principal, action: Action, doc: Doc) -> None:
    if not may(principal, action, facts(doc)):
        raise Forbidden(f"you may not {action} this document")


def check_version(doc: Doc, expected: int) -> None:
    if int(doc["version"]) != expected:
        raise stale(int(doc["version"]))


def check_state(action: Action, doc: Doc) -> None:
    if not allowed(action, State(doc["state"])):
        raise StateConflict(f"cannot {action} a document that is {doc['state']}", doc)


async def prepare(
    documents: DocumentRepository,
    principal: Principal,
    document_id: str,
    action: Action,
    expected_version: int,
) -> Doc:
    doc = await load_visible(documents, principal, document_id)
    check_may(principal, action, doc)
    check_version(doc, expected_version)
    check_state(action, doc)
    return doc


async def guarded_update(
    documents: DocumentRepository,
    doc: Doc,
    update: Mapping[str, Any],
    records: Sequence[OutgoingRecord] = (),
    audit: Sequence[Doc] = (),
) -> Doc:
    """Write if nobody changed the document since it was checked; else say what happened."""
    updated = await documents.update(
        str(doc["_id"]),
        int(doc["version"]),
        update,
        records,
        audit,
        extra_filter={"state": doc["state"]},
        current=doc,
    )
    if updated is not None:
        return updated
    current = await documents.get(str(doc["_id"]))
    if current is None:
        raise NotFound()
    # Someone wrote first; like any other version mismatch that is a 412 (state never
    # changes without the version changing).
    raise stale(int(current["version"]))
