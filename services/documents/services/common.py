"""What every use case shares: errors with their HTTP meaning, clock, ids, dependencies."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from services.documents.domain.organisation import Organisation
from services.documents.repositories.audit import AuditRepository
from services.documents.repositories.counters import CounterRepository
from services.documents.repositories.documents import DocumentRepository
from services.documents.repositories.files import FileStore
from services.documents.repositories.idempotency import IdempotencyRepository
from services.documents.services.signing_keys import KeyRing
from shared.http.concurrency import etag
from shared.http.problems import ProblemError
from shared.messaging.outbox import OutboxRelay
from shared.messaging.publisher import EventPublisher

Doc = dict[str, Any]


def utcnow() -> dt.datetime:
    """Millisecond precision: what MongoDB stores, so stored values compare equal."""
    now = dt.datetime.now(dt.UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def new_id() -> str:
    """Time-ordered ids: newest-first listing is a sort on _id."""
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(6)}"


class NotFound(ProblemError):
    def __init__(self, what: str = "document") -> None:
        super().__init__(404, f"no such {what}, or you may not see it")


class Forbidden(ProblemError):
    def __init__(self, detail: str) -> None:
        super().__init__(403, detail)


class Invalid(ProblemError):
    def __init__(self, detail: str, field_name: str = "body") -> None:
        super().__init__(
            422, detail, errors=[{"field": field_name, "message": detail, "type": "value_error"}]
        )


class StateConflict(ProblemError):
    def __init__(self, detail: str, doc: Doc) -> None:
        super().__init__(
            409,
            detail,
            headers={"ETag": etag(int(doc["version"]))},
            state=str(doc["state"]),
            version=int(doc["version"]),
        )


@dataclass
class Deps:
    documents: DocumentRepository
    audit: AuditRepository
    counters: CounterRepository
    idempotency: IdempotencyRepository
    files: FileStore
    keys: KeyRing
    publisher: EventPublisher
    relay: OutboxRelay
    org: Organisation
    register_starts: dict[str, int] = field(default_factory=dict)
    max_attachment_bytes: int = 20 * 1024 * 1024
