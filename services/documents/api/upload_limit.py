"""Refuse an oversized attachment upload before its body is read (pure ASGI).

A declared ``Content-Length`` above the limit is answered 413 at once, without reading a
byte. A body without one (chunked), or one longer than it declared, is counted as it
streams; past the limit reading stops and the answer is 413. The route's own check after
parsing stays: this layer allows a little multipart overhead on top of the file limit.
"""

from __future__ import annotations

import contextlib
import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.problems import PROBLEM_JSON
from shared.logging import get_logger

UPLOAD_PATH = re.compile(r"^/api/v1/documents/[^/]+/attachments/?$")
log = get_logger(__name__)


class _TooLarge(Exception):
    pass


def _problem(limit: int) -> bytes:
    return json.dumps(
        {
            "type": "https://egov.gov.vn/problems/content-too-large",
            "title": "Content too large",
            "status": 413,
            "detail": f"files are limited to {limit} bytes",
        }
    ).encode()


class UploadLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_file_bytes: int, overhead_bytes: int) -> None:
        self.app = app
        self.max_file_bytes = max_file_bytes
        self.max_body_bytes = max_file_bytes + overhead_bytes

    async def _refuse(self, send: Send) -> None:
        body = _problem(self.max_file_bytes)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not UPLOAD_PATH.match(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                length = -1
            if length > self.max_body_bytes:
                log.info("upload.refused", declared=length, limit=self.max_body_bytes)
                await self._refuse(send)
                return

        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise _TooLarge()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    exceeded = True
                    raise _TooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                # Whatever the framework made of the interrupted body (a 400 for an
                # unparsable form) is replaced by the 413 below.
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        with contextlib.suppress(_TooLarge):
            await self.app(scope, counting_receive, guarded_send)
        if exceeded:
            log.info("upload.refused", received=received, limit=self.max_body_bytes)
            if started:
                await send({"type": "http.response.body", "body": b""})
            else:
                await self._refuse(send)
