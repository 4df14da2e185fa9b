"""One documents app per test module where tests do not need a fresh database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.documents.app import create_app
from tests.integration.documents import support
from tests.support.services import running_app


@pytest.fixture(scope="module")
async def client(module_suffix: str) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(
        create_app, support.settings(module_suffix, max_attachment_bytes=64 * 1024)
    ) as http:
        yield http
