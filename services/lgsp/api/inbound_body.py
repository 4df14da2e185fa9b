"""Reading the body of a document sent in: its format from ``Content-Type``, its size limited.

A declared ``Content-Length`` over the limit is refused before a byte is read; a body without
one (chunked) or longer than it declared is counted as it streams and refused as soon as it
passes the limit. The route authenticates the partner first, so an anonymous caller never
makes the service read a body.
"""

from __future__ import annotations

from fastapi import Request

from services.lgsp.errors import InboundTooLarge, UnsupportedMessage
from shared.contracts.vocabulary import MessageFormat

FORMATS: dict[str, MessageFormat] = {
    "application/json": MessageFormat.JSON,
    "application/xml": MessageFormat.EDXML,
    "text/xml": MessageFormat.EDXML,
}


def message_format(content_type: str | None) -> MessageFormat:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    found = FORMATS.get(media_type)
    if found is None:
        raise UnsupportedMessage(media_type)
    return found


async def read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise InboundTooLarge(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise InboundTooLarge(limit)
    return bytes(body)
