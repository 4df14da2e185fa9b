"""The administrators' audit log: who changed the partner registry, what and when.

Separate from the message log (its own collections), one hash chain with the same
machinery (``services.message_log.HashChain``): append-only, signed checkpoints, verified
by _id. Details never hold secrets: a new API key or webhook secret is named by its id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.lgsp.services.message_log import HashChain, Verdict
from shared.kit.clock import utcnow
from shared.kit.types import Doc

CHAIN = "admin"
SECRET_FIELDS = frozenset({"secret", "webhook_secret", "api_key", "password", "token", "hash"})


def _clean(details: Mapping[str, Any]) -> dict[str, Any]:
    """Drop anything named like a credential, whatever the caller passed."""
    return {k: v for k, v in details.items() if k not in SECRET_FIELDS}


class AdminAudit:
    def __init__(self, chain: HashChain) -> None:
        self.chain = chain

    async def record(
        self, actor: str, action: str, target: str, details: Mapping[str, Any] | None = None
    ) -> Doc:
        return await self.chain.append(
            CHAIN,
            {
                "at": utcnow(),
                "actor": actor,
                "action": action,
                "target": target,
                "details": _clean(details or {}),
            },
        )

    async def page(self, before: int | None, limit: int) -> tuple[list[Doc], int | None]:
        """Newest first."""
        return await self.chain.newest(CHAIN, before, limit, lambda _: True)

    async def verify(
        self, *, from_seq: int | None = None, max_positions: int | None = None
    ) -> Verdict:
        return await self.chain.verify(CHAIN, from_seq=from_seq, max_positions=max_positions)
