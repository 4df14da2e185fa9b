"""The partner registry: partners, API keys, webhook secrets, grants and subscriptions."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import ipaddress
import json
import socket
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from services.lgsp.domain.parking import parked_reason, signing_secrets
from services.lgsp.domain.partners import PartnerState, Service, service_named
from services.lgsp.domain.routing import PartnerRoute
from services.lgsp.domain.signing import (
    new_api_key,
    new_webhook_secret,
    secret_matches,
    split_api_key,
)
from services.lgsp.domain.webhook_url import UnsafeWebhookUrl, check_addresses, parse_webhook_url
from services.lgsp.repositories import (
    ApiKeyRepository,
    IdempotencyRepository,
    PartnerRepository,
    SubscriptionRepository,
)
from services.lgsp.repositories.common import Doc, as_utc, now
from services.lgsp.repositories.partners import DuplicateCode
from services.lgsp.services.directory import PartnerDirectory
from services.lgsp.settings import Settings
from shared.http.concurrency import stale
from shared.http.problems import ProblemError

Resolver = Callable[[str], Awaitable[list[str]]]
Unparked = Callable[[str], Awaitable[None]]


async def resolve_host(host: str) -> list[str]:
    try:
        ipaddress.ip_address(host)
        return [host]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return []
    return sorted({str(info[4][0]) for info in infos})


def active_secrets(partner: Doc, at: dt.datetime) -> list[str]:
    """Secrets that still sign: the current one and any within its overlap window."""
    return signing_secrets(partner, at)


def _secret_entry(at: dt.datetime) -> tuple[Doc, str]:
    secret = new_webhook_secret()
    entry = {
        "secret_id": uuid.uuid4().hex[:12],
        "secret": secret,
        "created_at": at,
        "expires_at": None,
    }
    return entry, secret


async def _nothing(_: str) -> None:
    return None


class PartnerService:
    def __init__(
        self,
        partners: PartnerRepository,
        keys: ApiKeyRepository,
        subscriptions: SubscriptionRepository,
        settings: Settings,
        resolver: Resolver = resolve_host,
        *,
        idempotency: IdempotencyRepository,
        directory: PartnerDirectory,
        on_unparked: Unparked = _nothing,
    ) -> None:
        self.partners = partners
        self.directory = directory
        self.on_unparked = on_unparked
        self.idempotency = idempotency
        self.keys = keys
        self.subscriptions = subscriptions
        self.settings = settings
        self._resolve = resolver

    async def check_webhook_url(self, url: str) -> None:
        try:
            host = parse_webhook_url(url)
            if not self.settings.allow_private_webhooks:
                check_addresses(host, await self._resolve(host))
        except UnsafeWebhookUrl as exc:
            raise ProblemError(422, str(exc)) from exc

    async def create(
        self, fields: dict[str, Any], idempotency_key: str | None = None
    ) -> tuple[Doc, bool, str | None]:
        """The partner, whether it was created now (False: an earlier request with the
        same Idempotency-Key and body did) and, with a webhook URL, its new signing secret:
        shown this once, so a webhook partner never exists unsigned. The key is scoped by
        the caller."""
        if fields.get("webhook_url"):
            await self.check_webhook_url(fields["webhook_url"])
        partner_id = uuid.uuid4().hex
        if idempotency_key:
            canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
            body_hash = hashlib.sha256(canonical.encode()).hexdigest()
            record = await self.idempotency.claim(idempotency_key, body_hash, partner_id)
            if record["body_hash"] != body_hash:
                raise ProblemError(
                    422, "this Idempotency-Key was already used with a different body"
                )
            partner_id = str(record["partner_id"])
            existing = await self.partners.get(partner_id)
            if existing is not None:
                return existing, False, None
        at = now()
        secrets: list[Doc] = []
        secret: str | None = None
        if fields.get("webhook_url"):
            entry, secret = _secret_entry(at)
            secrets.append(entry)
        doc: Doc = {
            "_id": partner_id,
            **fields,
            "webhook_enabled": True,
            "grants": [],
            "secrets": secrets,
            "version": 1,
            "created_at": at,
            "updated_at": at,
        }
        try:
            await self.partners.insert(doc)
        except DuplicateCode as exc:
            # A concurrent request with the same key may have inserted this very id.
            same = await self.partners.get(partner_id) if idempotency_key else None
            if same is not None:
                return same, False, None
            raise ProblemError(409, f"a partner with code {fields['code']} exists") from exc
        return doc, True, secret

    async def get(self, partner_id: str) -> Doc:
        doc = await self.partners.get(partner_id)
        if doc is None:
            raise ProblemError(404, "no such partner")
        return doc

    async def update(
        self, partner_id: str, version: int, fields: dict[str, Any]
    ) -> tuple[Doc, str | None]:
        """The updated partner and, when it just got a webhook URL but had no signing
        secret, its new secret (shown this once)."""
        current = await self.get(partner_id)
        if current["version"] != version:
            raise stale(current["version"])
        changes = dict(fields)
        at = now()
        update: dict[str, Any] = {}
        secret: str | None = None
        if changes.get("webhook_url"):
            await self.check_webhook_url(changes["webhook_url"])
            if not signing_secrets(current, at):
                entry, secret = _secret_entry(at)
                changes["secrets"] = [*(current.get("secrets") or []), entry]
        if "webhook_url" in changes:
            changes["webhook_enabled"] = True  # a new endpoint is a fresh start after a 410
            update["$unset"] = {"parked": "", "webhook_disabled_reason": ""}
        changes["updated_at"] = at
        update["$set"] = changes
        try:
            doc = await self.partners.update(partner_id, update, version)
        except DuplicateCode as exc:
            raise ProblemError(409, "another partner has this code") from exc
        if doc is None:
            raise stale((await self.get(partner_id))["version"])
        await self._after_change(current, doc)
        return doc, secret

    async def _after_change(self, before: Doc, after: Doc) -> None:
        """A partner that can be sent to again: its parked jobs become due now."""
        self.directory.invalidate()
        at = now()
        if parked_reason(before, at) and not parked_reason(after, at):
            await self.on_unparked(after["_id"])

    async def disable_webhook(self, partner_id: str, reason: str) -> None:
        await self.partners.update(
            partner_id,
            {"$set": {"webhook_enabled": False, "webhook_disabled_reason": reason}},
        )

    # API keys -------------------------------------------------------------------------
    async def issue_key(self, partner_id: str, revoke_others: bool) -> dict[str, Any]:
        await self.get(partner_id)
        key = new_api_key()
        at = now()
        await self.keys.insert(
            {
                "_id": key.key_id,
                "partner_id": partner_id,
                "hash": key.secret_hash,
                "created_at": at,
                "revoked_at": None,
                "last_used_at": None,
            }
        )
        revoked = await self.keys.revoke(partner_id, at, keep=key.key_id) if revoke_others else 0
        return {"key_id": key.key_id, "api_key": key.plaintext, "revoked": revoked}

    async def list_keys(self, partner_id: str) -> list[Doc]:
        await self.get(partner_id)
        return await self.keys.of_partner(partner_id)

    async def revoke_key(self, partner_id: str, key_id: str) -> None:
        if not await self.keys.revoke(partner_id, now(), key_id=key_id):
            raise ProblemError(404, "no such active key of this partner")

    async def authenticate(self, plaintext: str | None) -> Doc:
        parts = split_api_key(plaintext or "")
        if parts is None:
            raise ProblemError(401, "a valid partner API key is required")
        key = await self.keys.get(parts[0])
        if key is None or key.get("revoked_at") or not secret_matches(parts[1], key["hash"]):
            raise ProblemError(401, "the API key is unknown or revoked")
        partner = await self.partners.get(key["partner_id"])
        if partner is None:
            raise ProblemError(401, "the API key is unknown or revoked")
        if partner["state"] != PartnerState.ACTIVE.value:
            raise ProblemError(403, f"the partner is {partner['state']}")
        await self.keys.touch(parts[0], now())
        return partner

    # Webhook secrets ------------------------------------------------------------------
    async def rotate_secret(self, partner_id: str, overlap_s: float | None) -> dict[str, Any]:
        overlap = dt.timedelta(
            seconds=self.settings.secret_overlap_s if overlap_s is None else overlap_s
        )
        for _ in range(5):
            partner = await self.get(partner_id)
            at = now()
            kept = []
            for entry in partner.get("secrets") or []:
                expires = entry.get("expires_at")
                if expires is not None and as_utc(expires) <= at:
                    continue  # past its overlap: drop it
                kept.append({**entry, "expires_at": expires or at + overlap})
            entry, secret = _secret_entry(at)
            updated = await self.partners.update(
                partner_id, {"$set": {"secrets": [*kept, entry]}}, partner["version"]
            )
            if updated is not None:
                await self._after_change(partner, updated)
                return {
                    "secret_id": entry["secret_id"],
                    "secret": secret,
                    "previous_valid_until": at + overlap if kept else None,
                }
        raise ProblemError(409, "the partner is changing too fast; try again")

    # Grants and subscriptions ---------------------------------------------------------
    async def set_grant(self, partner_id: str, service_name: str, granted: bool) -> Doc:
        service = service_named(service_name)
        if service is None:
            raise ProblemError(404, f"no service {service_name} in the catalogue")
        await self.get(partner_id)
        op = "$addToSet" if granted else "$pullAll"
        value: Any = service.value if granted else [service.value]
        doc = await self.partners.update(partner_id, {op: {"grants": value}})
        assert doc is not None
        self.directory.invalidate()
        return doc

    async def require_grant(self, partner: Doc, service: Service) -> None:
        if service.value not in (partner.get("grants") or []):
            raise ProblemError(403, f"the partner has no access to {service.value}")

    async def add_subscription(self, partner_id: str, filters: dict[str, list[str]]) -> Doc:
        await self.get(partner_id)
        doc: Doc = {
            "_id": uuid.uuid4().hex,
            "partner_id": partner_id,
            **filters,
            "created_at": now(),
        }
        await self.subscriptions.insert(doc)
        return doc

    async def list_subscriptions(self, partner_id: str) -> list[Doc]:
        await self.get(partner_id)
        return await self.subscriptions.of_partner(partner_id)

    async def delete_subscription(self, partner_id: str, subscription_id: str) -> None:
        if not await self.subscriptions.delete(partner_id, subscription_id):
            raise ProblemError(404, "no such subscription")

    async def routes(self) -> list[PartnerRoute]:
        return await self.directory.routes()
