"""Administrators: the partner registry, keys, secrets, grants and subscriptions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from services.lgsp.api.deps import Admin, ComponentsDep
from services.lgsp.api.schemas import (
    CertificateCreate,
    CertificateList,
    CertificateView,
    KeyIssuedView,
    KeyList,
    KeyRequest,
    PartnerCreate,
    PartnerList,
    PartnerUpdate,
    PartnerView,
    SecretRequest,
    SecretRotatedView,
    ServiceCatalogue,
    SubscriptionCreate,
    SubscriptionList,
    SubscriptionView,
    certificate_view,
    partner_view,
    subscription_view,
    with_secret,
)
from services.lgsp.domain.partners import CATALOGUE
from services.lgsp.services.partners import PartnerService
from shared.http.concurrency import ExpectedVersion, IdempotencyKeyHeader, etag
from shared.http.pagination import Cursor, Limit, decode_cursor, encode_cursor
from shared.kit.types import Doc

router = APIRouter(prefix="/api/v1", tags=["partners (admin)"])


@dataclass(frozen=True)
class Registry:
    """The partner registry as one administrator uses it: every change names its actor."""

    partners: PartnerService
    actor: str


def registry(admin: Admin, components: ComponentsDep) -> Registry:
    return Registry(components.partners, admin.user)


RegistryDep = Annotated[Registry, Depends(registry)]


def _shown_once(credential: dict[str, Any], what: str) -> dict[str, Any]:
    """A new credential is in this answer only: no later read shows it again."""
    return {**credential, "note": f"the {what} is shown only once; store it now"}


def _items(view: Callable[[Doc], dict[str, Any]], docs: Iterable[Doc]) -> dict[str, Any]:
    return {"items": [view(d) for d in docs]}


@router.get("/services", response_model=ServiceCatalogue)
async def catalogue(_: Admin) -> dict[str, Any]:
    return {
        "items": [
            {"id": e.service.value, "title": e.title, "description": e.description}
            for e in CATALOGUE
        ]
    }


@router.post(
    "/partners",
    status_code=201,
    response_model=PartnerView,
    response_model_exclude_unset=True,
    responses={200: {"model": PartnerView, "description": "created before (Idempotency-Key)"}},
)
async def create_partner(
    body: PartnerCreate,
    admin: Admin,
    components: ComponentsDep,
    response: Response,
    idempotency_key: IdempotencyKeyHeader = None,
) -> dict[str, Any]:
    doc, created, secret = await components.partners.create(
        body.model_dump(mode="json"), admin.user, idempotency_key
    )
    if not created:
        response.status_code = 200
    response.headers["ETag"] = etag(doc["version"])
    response.headers["Location"] = f"/api/v1/partners/{doc['_id']}"
    return with_secret(partner_view(doc), secret)


@router.get("/partners", response_model=PartnerList, response_model_exclude_unset=True)
async def list_partners(
    _: Admin,
    components: ComponentsDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    code: str | None = None,
) -> dict[str, Any]:
    after = decode_cursor(cursor)
    docs = await components.partners.page(str(after["i"]) if after else None, limit, code)
    more = len(docs) == limit
    return {
        "items": [partner_view(d) for d in docs],
        "next_cursor": encode_cursor({"i": docs[-1]["_id"]}) if more else None,
    }


@router.get("/partners/{partner_id}", response_model=PartnerView, response_model_exclude_unset=True)
async def get_partner(
    partner_id: str, _: Admin, components: ComponentsDep, response: Response
) -> dict[str, Any]:
    doc = await components.partners.get(partner_id)
    response.headers["ETag"] = etag(doc["version"])
    return partner_view(doc)


@router.patch(
    "/partners/{partner_id}", response_model=PartnerView, response_model_exclude_unset=True
)
async def patch_partner(
    partner_id: str,
    body: PartnerUpdate,
    admin: Admin,
    components: ComponentsDep,
    response: Response,
    version: ExpectedVersion,
) -> dict[str, Any]:
    doc, secret = await components.partners.update(
        partner_id, version, body.model_dump(mode="json", exclude_unset=True), actor=admin.user
    )
    response.headers["ETag"] = etag(doc["version"])
    return with_secret(partner_view(doc), secret)


@router.post("/partners/{partner_id}/keys", status_code=201, response_model=KeyIssuedView)
async def issue_key(
    partner_id: str, registry: RegistryDep, body: KeyRequest | None = None
) -> dict[str, Any]:
    revoke_others = (body or KeyRequest()).revoke_others
    issued = await registry.partners.issue_key(partner_id, revoke_others, actor=registry.actor)
    return _shown_once(issued, "key")


@router.get("/partners/{partner_id}/keys", response_model=KeyList)
async def list_keys(partner_id: str, registry: RegistryDep) -> dict[str, Any]:
    keys = await registry.partners.list_keys(partner_id)
    return {
        "items": [
            {
                "key_id": k["_id"],
                "created_at": k["created_at"],
                "revoked_at": k.get("revoked_at"),
                "last_used_at": k.get("last_used_at"),
            }
            for k in keys
        ]
    }


@router.delete("/partners/{partner_id}/keys/{key_id}", status_code=204)
async def revoke_key(partner_id: str, key_id: str, registry: RegistryDep) -> Response:
    await registry.partners.revoke_key(partner_id, key_id, actor=registry.actor)
    return Response(status_code=204)


@router.post("/partners/{partner_id}/secrets", status_code=201, response_model=SecretRotatedView)
async def rotate_secret(
    partner_id: str, registry: RegistryDep, body: SecretRequest | None = None
) -> dict[str, Any]:
    overlap_s = (body or SecretRequest()).overlap_s
    rotated = await registry.partners.rotate_secret(partner_id, overlap_s, actor=registry.actor)
    return _shown_once(rotated, "secret")


@router.post(
    "/partners/{partner_id}/certificates",
    status_code=201,
    response_model=CertificateView,
    responses={200: {"model": CertificateView, "description": "registered before"}},
)
async def add_certificate(
    partner_id: str, body: CertificateCreate, registry: RegistryDep, response: Response
) -> dict[str, Any]:
    add = registry.partners.add_certificate
    entry, added = await add(partner_id, body.pem, actor=registry.actor)
    if not added:
        response.status_code = 200
    return certificate_view(entry)


@router.get("/partners/{partner_id}/certificates", response_model=CertificateList)
async def list_certificates(partner_id: str, registry: RegistryDep) -> dict[str, Any]:
    return _items(certificate_view, await registry.partners.list_certificates(partner_id))


@router.delete("/partners/{partner_id}/certificates/{fingerprint}", status_code=204)
async def remove_certificate(partner_id: str, fingerprint: str, registry: RegistryDep) -> Response:
    await registry.partners.remove_certificate(partner_id, fingerprint, actor=registry.actor)
    return Response(status_code=204)


@router.post(
    "/partners/{partner_id}/grants/{service}",
    response_model=PartnerView,
    response_model_exclude_unset=True,
)
async def grant(partner_id: str, service: str, registry: RegistryDep) -> dict[str, Any]:
    return await _set_grant(registry, partner_id, service, True)


@router.delete(
    "/partners/{partner_id}/grants/{service}",
    response_model=PartnerView,
    response_model_exclude_unset=True,
)
async def revoke_grant(partner_id: str, service: str, registry: RegistryDep) -> dict[str, Any]:
    return await _set_grant(registry, partner_id, service, False)


async def _set_grant(
    registry: Registry, partner_id: str, service: str, granted: bool
) -> dict[str, Any]:
    doc = await registry.partners.set_grant(partner_id, service, granted, actor=registry.actor)
    return partner_view(doc)


@router.post(
    "/partners/{partner_id}/subscriptions", status_code=201, response_model=SubscriptionView
)
async def subscribe(
    partner_id: str, body: SubscriptionCreate, registry: RegistryDep
) -> dict[str, Any]:
    subscription = body.model_dump(mode="json")
    add = registry.partners.add_subscription
    return subscription_view(await add(partner_id, subscription, actor=registry.actor))


@router.get("/partners/{partner_id}/subscriptions", response_model=SubscriptionList)
async def subscriptions(partner_id: str, registry: RegistryDep) -> dict[str, Any]:
    return _items(subscription_view, await registry.partners.list_subscriptions(partner_id))


@router.delete("/partners/{partner_id}/subscriptions/{subscription_id}", status_code=204)
async def unsubscribe(partner_id: str, subscription_id: str, registry: RegistryDep) -> Response:
    remove = registry.partners.delete_subscription
    await remove(partner_id, subscription_id, actor=registry.actor)
    return Response(status_code=204)
