"""Text from outside: control and bidirectional-override characters are refused.

A subject or body holding NUL, ESC or U+0001 breaks exports, terminals and XML; a right-to-left
override (U+202E) makes a text read differently from what it is. Tab, line feed and carriage
return stay allowed.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

# C0 controls except tab, LF and CR; DEL and the C1 controls; the bidi embeddings, overrides
# and isolates (U+202A–U+202E, U+2066–U+2069).
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def forbidden_character(value: str) -> str | None:
    """The first forbidden character of ``value`` as ``U+XXXX``, or None."""
    found = FORBIDDEN_CHARACTERS.search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def _where(value: Any, path: str = "") -> tuple[str, str] | None:
    if isinstance(value, str):
        char = forbidden_character(value)
        return (path, char) if char else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _where(key, path) if isinstance(key, str) else None
            found = found or _where(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _where(item, f"{path}[{index}]")
            if found:
                return found
    return None


class TextBody(BaseModel):
    """Base of request bodies: unknown fields and control characters anywhere are refused."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, data: Any) -> Any:
        found = _where(data)
        if found is not None:
            field, char = found
            raise ValueError(f"{field or 'the body'} holds the control character {char}")
        return data
