"""The partner registry: partners, API keys, webhook secrets, grants and subscriptions."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from services.lgsp.domain.certificates import MAX_PER_PARTNER, is_fingerprint, read_certificate
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
from services.lgsp.errors import (
    CertificateInvalid,
    CertificateNotFound,
    KeyNotFound,
    NoAccess,
    NotAuthenticated,
    PartnerBusy,
    PartnerChanged,
    PartnerCodeTaken,
    PartnerNotActive,
    PartnerNotFound,
    ServiceNotFound,
    SubscriptionNotFound,
    UnsafeWebhook,
)
from services.lgsp.repositories import (
    ApiKeyRepository,
    IdempotencyRepository,
    PartnerRepository,
    SubscriptionRepository,
)
from services.lgsp.repositories.partners import CertificateRepository, DuplicateCode
from services.lgsp.services.admin_audit import AdminAudit
from services.lgsp.services.directory import PartnerDirectory
from services.lgsp.settings import Settings
from shared.kit.clock import as_utc, utcnow
from shared.kit.idempotency import body_hash
from shared.kit.types import Doc

Resolver = Callable[[str], Awaitable[list[str]]]
STATE_ACTIONS = {"active": "activated", "suspended": "suspended", "disabled": "disabled"}
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
        audit: AdminAudit | None = None,
        certificates: CertificateRepository,
    ) -> None:
        self.audit = audit
        self.partners = partners
        self.certificates = certificates
        self.directory = directory
        self.on_unparked = on_unparked
        self.idempotency = idempotency
        self.keys = keys
        self.subscriptions = subscriptions
        self.settings = settings
        self._resolve = resolver

    async def _audit(
        self, actor: str, action: str, target: str, details: dict[str, Any] | None = None
    ) -> None:
        """The administrators' audit log: every change to the registry, never a secret."""
        if self.audit is not None:
            await self.audit.record(actor, action, target, details)

    async def check_webhook_url(self, url: str) -> None:
        try:
            host = parse_webhook_url(url)
            if not self.settings.allow_private_webhooks:
                check_addresses(host, await self._resolve(host))
        except UnsafeWebhookUrl as exc:
            raise UnsafeWebhook(str(exc)) from exc

    async def create(
        self, fields: dict[str, Any], caller: str, idempotency_key: str | None = None
    ) -> tuple[Doc, bool, str | None]:
        """The partner, whether it was created now (False: an earlier request of this
        caller with the same Idempotency-Key and body did) and, with a webhook URL, its new
        signing secret: shown this once, so a webhook partner never exists unsigned."""
        if fields.get("webhook_url"):
            await self.check_webhook_url(fields["webhook_url"])
        partner_id = uuid.uuid4().hex
        if idempotency_key:
            claimed = await self.idempotency.claim(
                caller, idempotency_key, body_hash(fields), partner_id
            )
            partner_id = claimed.result_id
            existing = await self.partners.get(partner_id)
            if existing is not None:
                return existing, False, None
        at = utcnow()
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
            raise PartnerCodeTaken(f"a partner with code {fields['code']} exists") from exc
        await self._audit(
            caller,
            "partner.created",
            partner_id,
            {**fields, "secret_id": secrets[0]["secret_id"] if secrets else None},
        )
        return doc, True, secret

    async def page(self, after: str | None, limit: int, code: str | None) -> list[Doc]:
        """Administrators' list by id; with a code, the one partner that has it."""
        return await self.partners.page(after, limit, code)

    async def get(self, partner_id: str) -> Doc:
        doc = await self.partners.get(partner_id)
        if doc is None:
            raise PartnerNotFound()
        return doc

    async def update(
        self, partner_id: str, version: int, fields: dict[str, Any], *, actor: str
    ) -> tuple[Doc, str | None]:
        """The updated partner and, when it just got a webhook URL but had no signing
        secret, its new secret (shown this once)."""
        current = await self.get(partner_id)
        if current["version"] != version:
            raise PartnerChanged(current["version"])
        changes = dict(fields)
        at = utcnow()
        secret: str | None = None
        if changes.get("webhook_url"):
            await self.check_webhook_url(changes["webhook_url"])
            if not signing_secrets(current, at):
                entry, secret = _secret_entry(at)
                changes["secrets"] = [*(current.get("secrets") or []), entry]
        new_endpoint = "webhook_url" in changes
        if new_endpoint:
            changes["webhook_enabled"] = True  # a new endpoint is a fresh start after a 410
        changes["updated_at"] = at
        try:
            doc = await self.partners.change(partner_id, version, changes, unpark=new_endpoint)
        except DuplicateCode as exc:
            raise PartnerCodeTaken("another partner has this code") from exc
        if doc is None:
            raise PartnerChanged((await self.get(partner_id))["version"])
        await self._after_change(current, doc)
        state = fields.get("state")
        action = (
            f"partner.{STATE_ACTIONS.get(state, state)}"
            if state and state != current["state"]
            else "partner.updated"
        )
        new_secret = changes["secrets"][-1]["secret_id"] if secret is not None else None
        await self._audit(actor, action, partner_id, {**fields, "secret_id": new_secret})
        return doc, secret

    async def _after_change(self, before: Doc, after: Doc) -> None:
        """A partner that can be sent to again: its parked jobs become due now."""
        self.directory.invalidate()
        at = utcnow()
        if parked_reason(before, at) and not parked_reason(after, at):
            await self.on_unparked(after["_id"])

    # API keys -------------------------------------------------------------------------
    async def first_sending(
        self, caller: str, form_key: str | None, action: str, partner_id: str
    ) -> bool:
        """False when ``caller`` sent this very form (``form_key``) for ``action`` before: a
        reloaded page that showed a new key or secret must not issue another one."""
        if not form_key:
            return True
        digest = body_hash({"action": action, "partner_id": partner_id})
        return (await self.idempotency.claim(caller, form_key, digest, partner_id)).fresh

    async def issue_key(
        self, partner_id: str, revoke_others: bool, *, actor: str
    ) -> dict[str, Any]:
        await self.get(partner_id)
        key = new_api_key()
        at = utcnow()
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
        await self._audit(
            actor, "api_key.issued", partner_id, {"key_id": key.key_id, "revoked": revoked}
        )
        return {"key_id": key.key_id, "api_key": key.plaintext, "revoked": revoked}

    async def list_keys(self, partner_id: str) -> list[Doc]:
        await self.get(partner_id)
        return await self.keys.of_partner(partner_id)

    async def revoke_key(self, partner_id: str, key_id: str, *, actor: str) -> None:
        if not await self.keys.revoke(partner_id, utcnow(), key_id=key_id):
            raise KeyNotFound()
        await self._audit(actor, "api_key.revoked", partner_id, {"key_id": key_id})

    async def authenticate(self, plaintext: str | None) -> Doc:
        parts = split_api_key(plaintext or "")
        if parts is None:
            raise NotAuthenticated("a valid partner API key is required")
        key = await self.keys.get(parts[0])
        if key is None or key.get("revoked_at") or not secret_matches(parts[1], key["hash"]):
            raise NotAuthenticated("the API key is unknown or revoked")
        partner = await self.partners.get(key["partner_id"])
        if partner is None:
            raise NotAuthenticated("the API key is unknown or revoked")
        if partner["state"] != PartnerState.ACTIVE.value:
            raise PartnerNotActive(f"the partner is {partner['state']}")
        await self.keys.touch(parts[0], utcnow())
        return partner

    # Webhook secrets ------------------------------------------------------------------
    async def rotate_secret(
        self, partner_id: str, overlap_s: float | None, *, actor: str
    ) -> dict[str, Any]:
        overlap = dt.timedelta(
            seconds=self.settings.secret_overlap_s if overlap_s is None else overlap_s
        )
        for _ in range(5):
            partner = await self.get(partner_id)
            at = utcnow()
            kept = []
            for entry in partner.get("secrets") or []:
                expires = entry.get("expires_at")
                if expires is not None and as_utc(expires) <= at:
                    continue  # past its overlap: drop it
                kept.append({**entry, "expires_at": expires or at + overlap})
            entry, secret = _secret_entry(at)
            updated = await self.partners.set_secrets(
                partner_id, [*kept, entry], partner["version"]
            )
            if updated is not None:
                await self._after_change(partner, updated)
                await self._audit(
                    actor,
                    "webhook_secret.rotated",
                    partner_id,
                    {"secret_id": entry["secret_id"], "overlap_s": overlap.total_seconds()},
                )
                return {
                    "secret_id": entry["secret_id"],
                    "secret": secret,
                    "previous_valid_until": at + overlap if kept else None,
                }
        raise PartnerBusy("the partner is changing too fast; try again")

    # Certificates of edXML signatures ------------------------------------------------------
    async def add_certificate(self, partner_id: str, pem: str, *, actor: str) -> tuple[Doc, bool]:
        """The registered certificate and whether it is new (False: it already was)."""
        await self.get(partner_id)
        info = read_certificate(pem)
        current = await self.certificates.of_partner(partner_id)
        for known in current:
            if known["fingerprint"] == info.fingerprint:
                return known, False
        if len(current) >= MAX_PER_PARTNER:
            raise CertificateInvalid(
                f"a partner has at most {MAX_PER_PARTNER} certificates; remove an old one first"
            )
        entry: Doc = {
            "fingerprint": info.fingerprint,
            "subject": info.subject,
            "issuer": info.issuer,
            "serial_number": info.serial_number,
            "not_before": info.not_before,
            "not_after": info.not_after,
            "pem": info.pem,
            "added_at": utcnow(),
        }
        added = await self.certificates.add(partner_id, entry)
        if not added:  # a concurrent request registered it first
            for existing in await self.certificates.of_partner(partner_id):
                if existing["fingerprint"] == info.fingerprint:
                    return existing, False
        if added:
            details = {k: entry[k] for k in ("fingerprint", "subject", "issuer", "not_after")}
            await self._audit(actor, "certificate.registered", partner_id, details)
        return entry, added

    async def list_certificates(self, partner_id: str) -> list[Doc]:
        await self.get(partner_id)
        return await self.certificates.of_partner(partner_id)

    async def remove_certificate(self, partner_id: str, fingerprint: str, *, actor: str) -> None:
        value = fingerprint.lower()
        if not is_fingerprint(value) or not await self.certificates.remove(partner_id, value):
            raise CertificateNotFound()
        await self._audit(actor, "certificate.removed", partner_id, {"fingerprint": value})

    async def certificate_pems(self, partner: Doc) -> list[str]:
        """The PEM certificates a partner registered: its edXML signatures are checked
        against these (one read by _id)."""
        return [c["pem"] for c in await self.certificates.of_partner(partner["_id"])]

    # Grants and subscriptions ---------------------------------------------------------
    async def set_grant(
        self, partner_id: str, service_name: str, granted: bool, *, actor: str
    ) -> Doc:
        service = service_named(service_name)
        if service is None:
            raise ServiceNotFound(service_name)
        await self.get(partner_id)
        doc = await self.partners.set_grant(partner_id, service.value, granted)
        if doc is None:
            raise PartnerNotFound()
        self.directory.invalidate()
        action = "grant.added" if granted else "grant.removed"
        await self._audit(actor, action, partner_id, {"service": service.value})
        return doc

    async def require_grant(self, partner: Doc, service: Service) -> None:
        if service.value not in (partner.get("grants") or []):
            raise NoAccess(f"the partner has no access to {service.value}")

    async def add_subscription(
        self, partner_id: str, filters: dict[str, list[str]], *, actor: str
    ) -> Doc:
        await self.get(partner_id)
        doc: Doc = {
            "_id": uuid.uuid4().hex,
            "partner_id": partner_id,
            **filters,
            "created_at": utcnow(),
        }
        await self.subscriptions.insert(doc)
        await self._audit(
            actor, "subscription.added", partner_id, {"subscription_id": doc["_id"], **filters}
        )
        return doc

    async def list_subscriptions(self, partner_id: str) -> list[Doc]:
        await self.get(partner_id)
        return await self.subscriptions.of_partner(partner_id)

    async def delete_subscription(
        self, partner_id: str, subscription_id: str, *, actor: str
    ) -> None:
        if not await self.subscriptions.delete(partner_id, subscription_id):
            raise SubscriptionNotFound()
        await self._audit(
            actor, "subscription.removed", partner_id, {"subscription_id": subscription_id}
        )

    async def routes(self) -> list[PartnerRoute]:
        return await self.directory.routes()
