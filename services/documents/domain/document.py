"""Ids and the search key of a document."""

from __future__ import annotations

import secrets
import time

from shared.kit.text import fold, words


def new_id() -> str:
    """Time-ordered ids: newest-first listing is a sort on _id."""
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(6)}"


def search_key(subject: str, notation: str | None) -> str:
    """The folded text a listing's ``q`` searches: subject, notation split and whole."""
    parts = [subject]
    if notation:
        parts.append(notation.replace("/", " ").replace("-", " "))
        parts.append(notation)
    return " ".join(fold(p) for p in parts)


def matches_search(key: str, query_words: list[str]) -> bool:
    """Every word of the query starts a word of the search key."""
    key_words = words(key)
    return all(any(w.startswith(q) for w in key_words) for q in query_words)
