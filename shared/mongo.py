"""PyMongo's async client (Motor reached end of life in May 2026)."""

from __future__ import annotations

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.kit.types import Doc
from shared.settings import ServiceSettings


def make_mongo_client(settings: ServiceSettings) -> AsyncMongoClient[Doc]:
    return AsyncMongoClient(
        settings.mongo_url.get_secret_value(),
        tz_aware=True,
        serverSelectionTimeoutMS=5_000,
        appname=f"egov-{settings.service_name}",
    )


def database(client: AsyncMongoClient[Doc], settings: ServiceSettings) -> AsyncDatabase[Doc]:
    return client[settings.database_name()]
