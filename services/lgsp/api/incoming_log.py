"""Messages from a partner, in its message log with what became of them.

One place for every partner endpoint that takes a message (documents sent in, recalls,
acknowledgements, statuses): the API key and other credentials in the headers are never
logged (the message log drops them).
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request

from services.lgsp.api.deps import ComponentsDep, Partner
from services.lgsp.components import LgspComponents
from services.lgsp.domain.message_log import Direction
from shared.kit.errors import DomainError
from shared.kit.types import Doc

T = TypeVar("T")


@dataclass(frozen=True)
class IncomingLog:
    components: LgspComponents
    partner: Doc
    request: Request

    async def note(self, kind: str, payload: bytes, outcome: str, ref: str | None = None) -> None:
        await self.components.message_log.append(
            partner_id=str(self.partner["_id"]),
            partner_code=str(self.partner["code"]),
            direction=Direction.IN,
            kind=kind,
            headers=dict(self.request.headers),
            payload=payload,
            outcome=outcome,
            ref=ref,
        )

    async def around(
        self,
        kind: str,
        ref: str,
        call: Awaitable[T],
        *,
        payload: bytes | None = None,
        outcome: str = "accepted",
    ) -> T:
        """Run ``call``; log the message (by default the request's body) as ``outcome``, or
        as refused with the reason of the domain error it raised."""
        body = payload if payload is not None else await self.request.body()
        try:
            result = await call
        except DomainError as exc:
            await self.note(kind, body, f"refused: {exc.detail}", ref)
            raise
        await self.note(kind, body, outcome, ref)
        return result


def incoming_log(components: ComponentsDep, partner: Partner, request: Request) -> IncomingLog:
    return IncomingLog(components, partner, request)


InLog = Annotated[IncomingLog, Depends(incoming_log)]
