"""PyMongo async access to the LGSP's collections; one class per collection."""

from services.lgsp.repositories.deliveries import DeliveryRepository
from services.lgsp.repositories.documents import DocumentRepository, EventRepository
from services.lgsp.repositories.files import FileRepository
from services.lgsp.repositories.idempotency import IdempotencyRepository
from services.lgsp.repositories.limits import PartnerLimitRepository
from services.lgsp.repositories.partners import (
    ApiKeyRepository,
    PartnerRepository,
    SubscriptionRepository,
)

__all__ = [
    "ApiKeyRepository",
    "DeliveryRepository",
    "DocumentRepository",
    "EventRepository",
    "FileRepository",
    "IdempotencyRepository",
    "PartnerLimitRepository",
    "PartnerRepository",
    "SubscriptionRepository",
]
