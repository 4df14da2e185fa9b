"""Partners, their API keys and their feed subscriptions.

Partners, keys and subscriptions are bounded by configuration (agencies an administrator
registered), not by history; a code is found through ``partner_codes`` (_id = code). Every
write to partners or subscriptions bumps the registry version so caches reload.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.lgsp.repositories.meta import MetaRepository
from shared.kit.types import Doc


class DuplicateCode(Exception):
    pass


class PartnerRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["partners"]
        self.codes = db["partner_codes"]
        self.meta = MetaRepository(db)

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("code", ASCENDING)], unique=True, name="code_unique")

    async def _claim_code(self, code: str, partner_id: str) -> None:
        """Own ``code`` or raise DuplicateCode; a claim left by a crash is taken over."""
        try:
            await self.codes.insert_one({"_id": code, "partner_id": partner_id})
            return
        except DuplicateKeyError:
            pass
        found = await self.codes.find_one({"_id": code})
        holder = str(found["partner_id"]) if found else None
        if holder == partner_id:
            return
        owner = await self.get(holder) if holder else None
        if owner is not None and owner.get("code") == code:
            raise DuplicateCode(code)
        taken = await self.codes.update_one(
            {"_id": code, "partner_id": holder}, {"$set": {"partner_id": partner_id}}, upsert=True
        )
        if not (taken.modified_count or taken.upserted_id):
            raise DuplicateCode(code)

    async def insert(self, doc: Doc) -> None:
        await self._claim_code(doc["code"], doc["_id"])
        try:
            await self.collection.insert_one(doc)
        except DuplicateKeyError as exc:
            raise DuplicateCode(doc["code"]) from exc
        finally:
            await self.meta.bump_registry()

    async def get(self, partner_id: str) -> Doc | None:
        return await self.collection.find_one({"_id": partner_id})

    async def by_code(self, code: str) -> Doc | None:
        found = await self.codes.find_one({"_id": code})
        if found is None:
            return None
        partner = await self.get(str(found["partner_id"]))
        return partner if partner is not None and partner.get("code") == code else None

    async def page(self, after: str | None, limit: int, code: str | None = None) -> list[Doc]:
        if code:
            found = await self.by_code(code)
            return [found] if found is not None and (not after or found["_id"] > after) else []
        query: dict[str, Any] = {"_id": {"$gt": after}} if after else {}
        cursor = self.collection.find(query).sort("_id", ASCENDING).limit(limit)
        return [doc async for doc in cursor]

    async def all(self) -> list[Doc]:
        return [doc async for doc in self.collection.find({})]

    async def with_secrets(self) -> list[Doc]:
        cursor = self.collection.find({}, projection={"secrets": 1, "code": 1})
        return [doc async for doc in cursor if doc.get("secrets")]

    async def pull_secrets(self, partner_id: str, entries: list[Doc]) -> int:
        """Remove exactly these (expired) secret entries; one atomic update."""
        result = await self.collection.update_one(
            {"_id": partner_id}, {"$pullAll": {"secrets": entries}}
        )
        if result.modified_count:
            await self.meta.bump_registry()
        return result.modified_count

    async def change(
        self, partner_id: str, version: int, fields: Doc, *, unpark: bool
    ) -> Doc | None:
        """An administrator's edit at ``version``; ``unpark``: a new endpoint clears why the
        old one was parked or disabled. None when the version moved."""
        update: dict[str, Any] = {"$set": fields}
        if unpark:
            update["$unset"] = {"parked": "", "webhook_disabled_reason": ""}
        return await self._update(partner_id, update, version)

    async def set_secrets(self, partner_id: str, secrets: list[Doc], version: int) -> Doc | None:
        return await self._update(partner_id, {"$set": {"secrets": secrets}}, version)

    async def set_grant(self, partner_id: str, service: str, granted: bool) -> Doc | None:
        if granted:
            return await self._update(partner_id, {"$addToSet": {"grants": service}})
        return await self._update(partner_id, {"$pullAll": {"grants": [service]}})

    async def disable_webhook(self, partner_id: str, reason: str) -> None:
        """The endpoint answered 410: not sent to again until a new URL is set."""
        await self._update(
            partner_id, {"$set": {"webhook_enabled": False, "webhook_disabled_reason": reason}}
        )

    async def park(self, partner_id: str, reason: str, at: dt.datetime) -> None:
        await self._update(partner_id, {"$set": {"parked": {"reason": reason, "at": at}}})

    async def _update(
        self, partner_id: str, update: dict[str, Any], expected_version: int | None = None
    ) -> Doc | None:
        query: dict[str, Any] = {"_id": partner_id}
        if expected_version is not None:
            query["version"] = expected_version
        merged = {k: dict(v) for k, v in update.items()}
        merged.setdefault("$inc", {})["version"] = 1
        new_code = merged.get("$set", {}).get("code")
        before = await self.get(partner_id) if new_code else None
        if new_code and before is not None and before.get("code") != new_code:
            await self._claim_code(str(new_code), partner_id)
        try:
            doc = await self.collection.find_one_and_update(
                query, merged, return_document=ReturnDocument.AFTER
            )
        except DuplicateKeyError as exc:
            raise DuplicateCode(str(update)) from exc
        finally:
            await self.meta.bump_registry()
        if doc is not None and before is not None and before.get("code") != doc.get("code"):
            await self.codes.delete_one({"_id": before.get("code"), "partner_id": partner_id})
        return doc

    async def ensure_code(self, doc: Doc) -> None:
        """The code record of a partner stored before codes had one (the migration)."""
        await self.codes.update_one(
            {"_id": doc["code"]}, {"$setOnInsert": {"partner_id": doc["_id"]}}, upsert=True
        )


class ApiKeyRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["api_keys"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("partner_id", ASCENDING)], name="partner")

    async def insert(self, doc: Doc) -> None:
        await self.collection.insert_one(doc)

    async def get(self, key_id: str) -> Doc | None:
        return await self.collection.find_one({"_id": key_id})

    async def of_partner(self, partner_id: str) -> list[Doc]:
        cursor = self.collection.find({"partner_id": partner_id}).sort("created_at", ASCENDING)
        return [doc async for doc in cursor]

    async def revoke(
        self, partner_id: str, when: dt.datetime, key_id: str | None = None, keep: str = ""
    ) -> int:
        query: dict[str, Any] = {"partner_id": partner_id, "revoked_at": None}
        if key_id is not None:
            query["_id"] = key_id
        elif keep:
            query["_id"] = {"$ne": keep}
        result = await self.collection.update_many(query, {"$set": {"revoked_at": when}})
        return result.modified_count

    async def delete_revoked_before(self, cutoff: dt.datetime) -> int:
        result = await self.collection.delete_many({"revoked_at": {"$lt": cutoff}})
        return result.deleted_count

    async def touch(self, key_id: str, when: dt.datetime) -> None:
        await self.collection.update_one({"_id": key_id}, {"$set": {"last_used_at": when}})


class SubscriptionRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["subscriptions"]
        self.meta = MetaRepository(db)

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("partner_id", ASCENDING)], name="partner")

    async def insert(self, doc: Doc) -> None:
        await self.collection.insert_one(doc)
        await self.meta.bump_registry()

    async def of_partner(self, partner_id: str) -> list[Doc]:
        cursor = self.collection.find({"partner_id": partner_id}).sort("created_at", ASCENDING)
        return [doc async for doc in cursor]

    async def all(self) -> list[Doc]:
        return [doc async for doc in self.collection.find({})]

    async def delete(self, partner_id: str, subscription_id: str) -> bool:
        result = await self.collection.delete_one(
            {"_id": subscription_id, "partner_id": partner_id}
        )
        await self.meta.bump_registry()
        return bool(result.deleted_count)


class CertificateRepository:
    """The X.509 certificates a partner signs edXML with: one record per partner
    (_id = partner id), certificates keyed by their SHA-256 fingerprint (hex, no dots)."""

    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["partner_certificates"]

    async def ensure_indexes(self) -> None:
        return None  # by _id only

    async def of_partner(self, partner_id: str) -> list[Doc]:
        doc = await self.collection.find_one({"_id": partner_id})
        found: dict[str, Doc] = (doc or {}).get("certificates") or {}
        return sorted(found.values(), key=lambda c: (c["added_at"], c["fingerprint"]))

    async def add(self, partner_id: str, entry: Doc) -> bool:
        """Add (or keep) the certificate; False when it was already registered."""
        key = f"certificates.{entry['fingerprint']}"
        await self.collection.update_one(
            {"_id": partner_id}, {"$setOnInsert": {"certificates": {}}}, upsert=True
        )
        added = await self.collection.update_one(
            {"_id": partner_id, key: {"$exists": False}}, {"$set": {key: entry}}
        )
        return bool(added.modified_count)

    async def remove(self, partner_id: str, fingerprint: str) -> bool:
        key = f"certificates.{fingerprint}"
        result = await self.collection.update_one(
            {"_id": partner_id, key: {"$exists": True}}, {"$unset": {key: ""}}
        )
        return bool(result.modified_count)
