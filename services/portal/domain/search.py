"""Search normalisation: case- and diacritics-insensitive, with đ/Đ mapped to d."""

from __future__ import annotations

from shared.kit.text import words

MAX_QUERY_TOKENS = 12


def folded(text: str) -> str:
    """The folded words of ``text`` joined by single spaces (punctuation separates words)."""
    return " ".join(words(text))


def search_text(*parts: str) -> str:
    """Every part's folded words, joined by one space and padded: a query word ``w`` is in
    it exactly when `` w`` is."""
    return " " + " ".join(folded(p) for p in parts if p) + " "


def query_tokens(query: str) -> list[str]:
    """Distinct folded words of a user's query, in order, at most MAX_QUERY_TOKENS."""
    return list(dict.fromkeys(words(query)))[:MAX_QUERY_TOKENS]
