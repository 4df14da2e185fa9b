"""Search normalisation: case- and diacritics-insensitive, with đ/Đ mapped to d."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")
MAX_QUERY_TOKENS = 12


def fold(text: str) -> str:
    """Lower case, no diacritics (đ does not decompose: mapped by hand), words by spaces."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.lower()).strip()


def search_text(*parts: str) -> str:
    """The stored search field: every part folded, joined by one space, padded."""
    return " " + " ".join(fold(p) for p in parts if p) + " "


def query_tokens(query: str) -> list[str]:
    """Distinct folded words of a user's query, in order, at most MAX_QUERY_TOKENS."""
    seen: list[str] = []
    for word in fold(query).split():
        if word not in seen:
            seen.append(word)
    return seen[:MAX_QUERY_TOKENS]
