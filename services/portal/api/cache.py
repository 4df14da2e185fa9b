"""A short-lived cache of rendered public pages, per process.

Lists, the feed, sitemaps and document pages are read far more often than they change;
each replica keeps what it rendered for ``ttl_s`` seconds (so a change made through the
other replica shows within that time) and forgets everything at once when its own
projection changes a page. Only successful answers are kept, and only so many.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import Response

from services.portal.api.conditional import http_date, last_modified
from shared.kit.clock import utcnow

# Headers that belong to one answer, never to a copy served later.
PER_RESPONSE = {"content-length", "x-correlation-id", "traceparent"}


class ResponseCache:
    def __init__(
        self,
        ttl_s: float,
        max_entries: int = 512,
        stamp: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._ttl_s = ttl_s
        # The site's change stamp: a kept answer keeps the Last-Modified of when it was made.
        self._stamp = stamp
        self._max = max_entries
        self._entries: OrderedDict[str, tuple[float, int, bytes, list[tuple[str, str]]]] = (
            OrderedDict()
        )

    def clear(self) -> None:
        self._entries.clear()

    async def get(self, request: Request, render: Callable[[], Awaitable[Response]]) -> Response:
        if self._ttl_s <= 0:
            return await render()
        key = str(request.url.path) + "?" + str(request.url.query)
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            self._entries.move_to_end(key)
            _, status, body, headers = hit
            return Response(body, status_code=status, headers=dict(headers))
        dated = http_date(last_modified(self._stamp(), utcnow())) if self._stamp else None
        response = await render()
        if dated and response.status_code == 200:
            response.headers["Last-Modified"] = dated
        if response.status_code == 200 and isinstance(response.body, bytes):
            headers = [(k, v) for k, v in response.headers.items() if k not in PER_RESPONSE]
            self._entries[key] = (now + self._ttl_s, 200, bytes(response.body), headers)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return response
