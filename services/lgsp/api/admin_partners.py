"""Administrators: the partner registry, keys, secrets, grants and subscriptions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastapi import APIRouter, Response

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
from services.lgsp.components import LgspComponents
from services.lgsp.domain.partners import CATALOGUE
from shared.auth.principal import Principal
from shared.http.concurrency import ExpectedVersion, IdempotencyKeyHeader, etag
from shared.http.pagination import Cursor, Limit, decode_cursor, encode_cursor
from shared.kit.types import Doc

router = APIRouter(prefix="/api/v1", tags=["partners (admin)"])


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
    partner_id: str, admin: Admin, components: ComponentsDep, body: KeyRequest | None = None
) -> dict[str, Any]:
    issued = await components.partners.issue_key(
        partner_id, (body or KeyRequest()).revoke_others, actor=admin.user
    )
    return {**issued, "note": "the key is shown only once; store it now"}


@router.get("/partners/{partner_id}/keys", response_model=KeyList)
async def list_keys(partner_id: str, _: Admin, components: ComponentsDep) -> dict[str, Any]:
    keys = await components.partners.list_keys(partner_id)
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
async def revoke_key(
    partner_id: str, key_id: str, admin: Admin, components: ComponentsDep
) -> Response:
    await components.partners.revoke_key(partner_id, key_id, actor=admin.user)
    return Response(status_code=204)


@router.post("/partners/{partner_id}/secrets", status_code=201, response_model=SecretRotatedView)
async def rotate_secret(
    partner_id: str, admin: Admin, components: ComponentsDep, body: SecretRequest | None = None
) -> dict[str, Any]:
    rotated = await components.partners.rotate_secret(
        partner_id, (body or SecretRequest()).overlap_s, actor=admin.user
    )
    return {**rotated, "note": "the secret is shown only once; store it now"}


@router.post(
    "/partners/{partner_id}/certificates",
    status_code=201,
    response_model=CertificateView,
    responses={200: {"model": CertificateView, "description": "registered before"}},
)
async def add_certificate(
    partner_id: str,
    body: CertificateCreate,
    admin: Admin,
    components: ComponentsDep,
    response: Response,
) -> dict[str, Any]:
    entry, added = await components.partners.add_certificate(partner_id, body.pem, actor=admin.user)
    if not added:
        response.status_code = 200
    return certificate_view(entry)


@router.get("/partners/{partner_id}/certificates", response_model=CertificateList)
async def list_certificates(partner_id: str, _: Admin, components: ComponentsDep) -> dict[str, Any]:
    return _items(certificate_view, await components.partners.list_certificates(partner_id))


@router.delete("/partners/{partner_id}/certificates/{fingerprint}", status_code=204)
async def remove_certificate(
    partner_id: str, fingerprint: str, admin: Admin, components: ComponentsDep
) -> Response:
    await components.partners.remove_certificate(partner_id, fingerprint, actor=admin.user)
    return Response(status_code=204)


@router.post(
    "/partners/{partner_id}/grants/{service}",
    response_model=PartnerView,
    response_model_exclude_unset=True,
)
async def grant(
    partner_id: str, service: str, admin: Admin, components: ComponentsDep
) -> dict[str, Any]:
    return await _set_grant(components, partner_id, service, True, admin)


@router.delete(
    "/partners/{partner_id}/grants/{service}",
    response_model=PartnerView,
    response_model_exclude_unset=True,
)
async def revoke_grant(
    partner_id: str, service: str, admin: Admin, components: ComponentsDep
) -> dict[str, Any]:
    return await _set_grant(components, partner_id, service, False, admin)


async def _set_grant(
    components: LgspComponents, partner_id: str, service: str, granted: bool, admin: Principal
) -> dict[str, Any]:
    doc = await components.partners.set_grant(partner_id, service, granted, actor=admin.user)
    return partner_view(doc)


@router.post(
    "/partners/{partner_id}/subscriptions", status_code=201, response_model=SubscriptionView
)
async def subscribe(
    partner_id: str, body: SubscriptionCreate, admin: Admin, components: ComponentsDep
) -> dict[str, Any]:
    doc = await components.partners.add_subscription(
        partner_id, body.model_dump(mode="json"), actor=admin.user
    )
    return subscription_view(doc)


@router.get("/partners/{partner_id}/subscriptions", response_model=SubscriptionList)
async def subscriptions(partner_id: str, _: Admin, components: ComponentsDep) -> dict[str, Any]:
    return _items(subscription_view, await components.partners.list_subscriptions(partner_id))


@router.delete("/partners/{partner_id}/subscriptions/{subscription_id}", status_code=204)
async def unsubscribe(
    partner_id: str, subscription_id: str, admin: Admin, components: ComponentsDep
) -> Response:
    await components.partners.delete_subscription(partner_id, subscription_id, actor=admin.user)
    return Response(status_code=204)
