"""Vietnamese text folding, the same everywhere: search with or without diacritics.

Compatibility decomposition removes the marks; đ/Đ do not decompose and are mapped by hand.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, no diacritics, đ as d, white space collapsed (punctuation kept)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def words(text: str) -> list[str]:
    """The folded words of ``text``: letters and digits, anything else separates."""
    return [w for w in _NON_WORD.split(fold(text)) if w]
