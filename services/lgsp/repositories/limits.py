"""The shared per-partner limit state: one small document per partner, keyed by its id."""

from __future__ import annotations

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.lgsp.domain.limits import LimitState
from shared.kit.types import Doc


def state_of(doc: Doc | None) -> LimitState:
    if doc is None:
        return LimitState()
    slots = {str(k): float(v) for k, v in (doc.get("slots") or {}).items()}
    return LimitState(slots, float(doc.get("tokens", -1.0)), float(doc.get("refilled_at", 0.0)))


def _fields(state: LimitState) -> Doc:
    return {"slots": dict(state.slots), "tokens": state.tokens, "refilled_at": state.refilled_at}


class PartnerLimitRepository:
    """Writes are compare-and-swap on ``version`` (acquire) or one atomic update (release)."""

    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["partner_limits"]

    async def ensure_indexes(self) -> None:
        return None  # every access is by _id

    async def get(self, partner_id: str) -> Doc | None:
        return await self.collection.find_one({"_id": partner_id})

    async def create(self, partner_id: str, state: LimitState) -> Doc | None:
        doc = {"_id": partner_id, "version": 1, **_fields(state)}
        try:
            await self.collection.insert_one(doc)
        except DuplicateKeyError:
            return None
        return doc

    async def swap(self, partner_id: str, version: int, state: LimitState) -> Doc | None:
        """The new document, or None when another replica changed it first."""
        result = await self.collection.update_one(
            {"_id": partner_id, "version": version},
            {"$set": _fields(state), "$inc": {"version": 1}},
        )
        if result.modified_count != 1:
            return None
        return {"_id": partner_id, "version": version + 1, **_fields(state)}

    async def release(self, partner_id: str, slot_id: str) -> Doc | None:
        """Free one slot; bumps the version so a concurrent swap cannot bring it back."""
        return await self.collection.find_one_and_update(
            {"_id": partner_id},
            {"$unset": {f"slots.{slot_id}": ""}, "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER,
        )
