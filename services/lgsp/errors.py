"""The LGSP's domain errors: what its use cases refuse, by kind (``shared.kit.errors``).

``shared/http/problems.py`` turns each kind into problem details; the two the kinds do not
cover (a missing or unknown API key, a file not fetched yet) are translated in ``api/``.
"""

from __future__ import annotations

from shared.kit.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, Stale

STALE_DETAIL = "the resource changed since you read it; read it again"


class PartnerNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no such partner")


class PartnerCodeTaken(Conflict):
    pass


class PartnerChanged(Stale):
    def __init__(self, current_version: int) -> None:
        super().__init__(STALE_DETAIL, current_version)


class PartnerBusy(Conflict):
    """Concurrent writes kept winning over this one."""


class UnsafeWebhook(Invalid):
    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="webhook_url")


class KeyNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no such active key of this partner")


class ServiceNotFound(NotFound):
    def __init__(self, name: str) -> None:
        super().__init__(f"no service {name} in the catalogue")


class SubscriptionNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no such subscription")


class NotAuthenticated(DomainError):
    """No valid API key: 401, translated by the partner API's dependency."""


class PartnerNotActive(Forbidden):
    pass


class NoAccess(Forbidden):
    """The partner was not granted the service."""


class DeliveryNotFound(NotFound):
    pass


class DeliveryConflict(Conflict):
    """The delivery's state does not allow this (a webhook delivery acknowledged, …)."""


class InvalidWindow(Invalid):
    def __init__(self) -> None:
        super().__init__("the window must end after it starts", field="to")


class DocumentNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no published document with this notation")


class FileNotFound(NotFound):
    pass


class FileNotReady(DomainError):
    """The file could not be fetched now: 503, translated by the files route."""

    def __init__(self) -> None:
        super().__init__("the file is not available yet; try again later")
