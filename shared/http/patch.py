"""Partial updates (PATCH bodies): a field left out keeps its value; ``null`` clears it, which
only a field that may be empty accepts. Without this check a ``null`` would be stored where the
aggregate needs a value, and every later read of it would fail."""

from __future__ import annotations

from collections.abc import Collection

from pydantic import BaseModel


def refuse_cleared(body: BaseModel, clearable: Collection[str] = ()) -> None:
    """Raises ``ValueError`` (a 422) naming the fields sent as null that may not be cleared."""
    cleared = sorted(
        name
        for name in body.model_fields_set
        if getattr(body, name) is None and name not in clearable
    )
    if cleared:
        raise ValueError(f"{', '.join(cleared)} cannot be null: leave it out to keep it")
