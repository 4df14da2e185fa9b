"""Oversized uploads are refused from their size, before (or while) the body is read."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from tests.integration.documents import support
from tests.integration.documents.support import drafter, with_version

LIMIT = 64 * 1024  # the module app's max_attachment_bytes
CHUNK = 8 * 1024
BOUNDARY = "egov-test-boundary"


class CountingBody:
    """A multipart upload streamed in chunks, counting how many the server pulled."""

    def __init__(self, file_bytes: int) -> None:
        self.pulled = 0
        self.total = 0
        head = (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n%PDF-"
        ).encode()
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.chunks = [head, *([b"0" * CHUNK] * (file_bytes // CHUNK)), tail]
        self.length = sum(len(c) for c in self.chunks)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.pulled += 1
            yield chunk


def upload_headers(current: httpx.Response) -> dict[str, str]:
    return {
        **with_version(drafter(), current),
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
    }


async def assert_refused(client: httpx.AsyncClient, response: httpx.Response, doc_id: str) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 413
    after = await client.get(f"/api/v1/documents/{doc_id}", headers=drafter())
    assert after.json()["version"] == 1 and after.json().get("attachments", []) == []


async def test_an_upload_declaring_too_many_bytes_is_refused_before_any_is_read(
    client: httpx.AsyncClient,
) -> None:
    draft = await support.create(client)
    doc_id = draft.json()["id"]
    body = CountingBody(2 * 1024 * 1024)
    response = await client.post(
        f"/api/v1/documents/{doc_id}/attachments",
        content=body,
        headers={**upload_headers(draft), "Content-Length": str(body.length)},
    )
    await assert_refused(client, response, doc_id)
    assert body.pulled == 0


async def test_a_chunked_upload_is_cut_off_once_it_grows_past_the_limit(
    client: httpx.AsyncClient,
) -> None:
    draft = await support.create(client)
    doc_id = draft.json()["id"]
    body = CountingBody(2 * 1024 * 1024)
    response = await client.post(
        f"/api/v1/documents/{doc_id}/attachments", content=body, headers=upload_headers(draft)
    )
    sent = response.request.headers
    assert "content-length" not in sent and sent["transfer-encoding"] == "chunked"
    await assert_refused(client, response, doc_id)
    # Limit plus the allowed multipart overhead, in 8 KiB chunks, and not one more.
    assert body.pulled <= (LIMIT + 16 * 1024) // CHUNK + 2 < len(body.chunks)


async def test_a_file_within_the_streaming_allowance_is_still_refused_after_parsing(
    client: httpx.AsyncClient,
) -> None:
    draft = await support.create(client)
    doc_id = draft.json()["id"]
    body = CountingBody(LIMIT + CHUNK)
    response = await client.post(
        f"/api/v1/documents/{doc_id}/attachments", content=body, headers=upload_headers(draft)
    )
    assert body.pulled == len(body.chunks)
    await assert_refused(client, response, doc_id)


async def test_a_chunked_upload_under_the_limit_is_accepted(client: httpx.AsyncClient) -> None:
    draft = await support.create(client)
    body = CountingBody(4 * CHUNK)
    response = await client.post(
        f"/api/v1/documents/{draft.json()['id']}/attachments",
        content=body,
        headers=upload_headers(draft),
    )
    assert response.status_code == 201, response.text
    assert response.json()["size"] == len("%PDF-") + 4 * CHUNK
