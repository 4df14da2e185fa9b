"""Work in flight, one record per page: what is there is still to do, and goes when done.

The background worker reads only these collections, never the history of all pages, so
an idle portal looks at an empty collection. A record is claimed for a lease so two
replicas do not do the same work; it is deleted only if no newer version asked for the
work again in the meantime.
"""

from __future__ import annotations

import datetime as dt

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.portal.repositories.model import ModelCollections, as_model
from shared.kit.clock import utcnow
from shared.kit.types import Doc

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class PendingWork:
    def __init__(self, db: AsyncDatabase[Doc] | ModelCollections, name: str) -> None:
        self._model = as_model(db)
        self._name = name

    @property
    def collection(self) -> AsyncCollection[Doc]:
        return self._model[self._name]

    async def add(self, document_id: str, version: int) -> None:
        update = {"$set": {"version": version, "lease_until": EPOCH}}
        try:
            await self.collection.update_one({"_id": document_id}, update, upsert=True)
        except DuplicateKeyError:  # another replica created it first: update that one
            await self.collection.update_one({"_id": document_id}, update)

    async def claim(self, lease_s: float) -> Doc | None:
        moment = utcnow()
        return await self.collection.find_one_and_update(
            {"lease_until": {"$lte": moment}},
            {"$set": {"lease_until": moment + dt.timedelta(seconds=lease_s)}},
            return_document=ReturnDocument.AFTER,
        )

    async def release(self, document_id: str) -> None:
        """Give the work back now (it could not be done yet)."""
        await self.collection.update_one({"_id": document_id}, {"$set": {"lease_until": EPOCH}})

    async def done(self, record: Doc) -> None:
        await self.collection.delete_one({"_id": record["_id"], "version": record["version"]})
