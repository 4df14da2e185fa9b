"""The LGSP's domain errors: what its use cases refuse, by kind (``shared.kit.errors``).

``shared/http/problems.py`` turns each kind into problem details; the two the kinds do not
cover (a missing or unknown API key, a file not fetched yet) are translated in ``api/``.
"""

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

STALE_DETAIL = "the resource changed since you read it; read it again"


class PartnerNotFound(NotFound):
    fixed_detail = "no such partner"


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
    fixed_detail = "no such active key of this partner"


class ServiceNotFound(NotFound):
    def __init__(self, name: str) -> None:
        super().__init__(f"no service {name} in the catalogue")


class SubscriptionNotFound(NotFound):
    fixed_detail = "no such subscription"


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
    def __init__(self, detail: str = "the window must end after it starts") -> None:
        super().__init__(detail, field="to")


class ReplayRunning(Conflict):
    """A replay that could re-send the same events to the same partners is running."""


class ReplayNotFound(NotFound):
    fixed_detail = "no such replay"


class DocumentNotFound(NotFound):
    fixed_detail = "no published document with this notation"


class FileNotFound(NotFound):
    pass


class FileNotReady(DomainError):
    """The file could not be fetched now: 503, translated by the files route."""

    fixed_detail = "the file is not available yet; try again later"


# Documents sent in by partner agencies --------------------------------------------------
class InboundNotFound(NotFound):
    fixed_detail = "no document with this id was sent in by you"


class SenderMismatch(Forbidden):
    """The message names another agency as its sender than the one whose key was used."""

    def __init__(self, named: str, caller: str) -> None:
        super().__init__(
            f"the message names {named} as its sender, but the API key belongs to {caller}",
            field="header.from_organ_id",
        )


class NotAddressedToUs(Invalid):
    def __init__(self, organisation_code: str) -> None:
        super().__init__(
            f"the message is not addressed to this ministry: To must include {organisation_code}",
            field="header.to_organ_ids",
        )


class InboundInvalid(Invalid):
    """A document sent in that the inbound contract cannot carry."""


class BadAttachment(Invalid):
    """An attachment that cannot be taken: undecodable, unnamed, of a malformed type."""


class AttachmentTooLarge(TooLarge):
    pass


class InboundEventTooLarge(TooLarge):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            f"the document's header and text come to {size} bytes once passed on, more than "
            f"{limit}: send long texts as attachments"
        )


class InboundTooLarge(TooLarge):
    def __init__(self, limit: int) -> None:
        super().__init__(f"a message sent in is limited to {limit} bytes")


class UnsupportedMessage(Unsupported):
    def __init__(self, content_type: str) -> None:
        super().__init__(
            f"cannot read a message of type {content_type or '(none)'}: send application/json, "
            "application/xml or text/xml"
        )


class UpdateNotSupported(Conflict):
    def __init__(self, sender_document_id: str) -> None:
        super().__init__(
            f"the document {sender_document_id} was already received and cannot be updated: "
            "recall it (BussinessDocType 1) and send the new version with its own DocumentId"
        )


class RecallPending(Conflict):
    def __init__(self, state: str) -> None:
        super().__init__(f"a recall of this document is already {state}", recall=state)


class EdxmlInvalid(Invalid):
    """An edXML message that cannot be read: malformed, a DTD, a wrong namespace, a required
    element missing, an unparseable date or base64 that does not decode."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="body")


class CertificateInvalid(Invalid):
    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="certificate")


class CertificateNotFound(NotFound):
    fixed_detail = "no such certificate of this partner"
