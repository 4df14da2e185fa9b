"""The checks every use case on one document makes, in the order the API promises.

Invisible → 404 (existence is not revealed), role or unit → 403, version → 412,
state → 409.
"""

from __future__ import annotations

from services.documents.domain.lifecycle import Action, State, allowed
from services.documents.domain.permissions import can_see, facts, may
from services.documents.errors import DocumentNotFound, NotAllowed, StaleVersion, WrongState
from services.documents.repositories.aggregates import AggregateStore
from services.documents.repositories.documents import DocumentRepository
from shared.auth.principal import Principal
from shared.kit.types import Doc


async def load_visible(documents: AggregateStore, principal: Principal, document_id: str) -> Doc:
    doc = await documents.get(document_id)
    if doc is None or not can_see(principal, facts(doc)):
        raise DocumentNotFound()
    return doc


def check_may(principal: Principal, action: Action, doc: Doc) -> None:
    if not may(principal, action, facts(doc)):
        raise NotAllowed(f"you may not {action} this document")


def check_version(doc: Doc, expected: int) -> None:
    if int(doc["version"]) != expected:
        raise StaleVersion(int(doc["version"]))


def check_state(action: Action, doc: Doc) -> None:
    if not allowed(action, State(doc["state"])):
        raise WrongState(
            f"cannot {action} a document that is {doc['state']}",
            state=str(doc["state"]),
            version=int(doc["version"]),
        )


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
