"""Slug → document and notation → documents: the ``_id``-keyed lookups of pages.

A slug belongs to the document that inserted its record first (the insert is the claim,
so two replicas can never hand one slug to two documents). A notation can repeat across
years and issuers, so its record holds every document id that carried it.
"""

from __future__ import annotations

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.portal.domain.index import notation_key
from services.portal.repositories.model import ModelCollections, as_model
from shared.kit.types import Doc


class SlugRepository:
    def __init__(self, db: AsyncDatabase[Doc] | ModelCollections) -> None:
        self._model = as_model(db)

    @property
    def slugs(self) -> AsyncCollection[Doc]:
        return self._model["page_slugs"]

    @property
    def notations(self) -> AsyncCollection[Doc]:
        return self._model["page_notations"]

    async def claim(self, slug: str, document_id: str) -> bool:
        """True when ``slug`` is (now or already) this document's."""
        try:
            await self.slugs.insert_one({"_id": slug, "document_id": document_id})
        except DuplicateKeyError:
            return await self.owner(slug) == document_id
        return True

    async def owner(self, slug: str) -> str | None:
        found = await self.slugs.find_one({"_id": slug})
        return str(found["document_id"]) if found else None

    async def add_notation(self, notation: str, document_id: str) -> None:
        key = notation_key(notation)
        if key:
            await self.notations.update_one(
                {"_id": key}, {"$addToSet": {"ids": document_id}}, upsert=True
            )

    async def with_notation(self, text: str) -> list[str]:
        """Ids of documents whose notation folds to the same key as ``text``."""
        key = notation_key(text)
        found = await self.notations.find_one({"_id": key}) if key else None
        return [str(i) for i in found.get("ids", [])] if found else []
