"""Vietnamese text folding, the same everywhere: search with or without diacritics.

Compatibility decomposition removes the marks; đ/Đ do not decompose and are mapped by hand.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")
_CACHED_WORD_LEN = 40  # words longer than any real one are folded every time, not kept


def _fold_text(text: str) -> str:
    """The definition: NFKD without the combining marks, đ/Đ as d/D, lower case,
    white space collapsed."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


_fold_cached = functools.lru_cache(maxsize=1 << 16)(_fold_text)


def _fold_piece(piece: str) -> str:
    return _fold_cached(piece) if len(piece) <= _CACHED_WORD_LEN else _fold_text(piece)


def fold(text: str) -> str:
    """Lower case, no diacritics, đ as d, white space collapsed (punctuation kept).

    Folded one white-space-separated piece at a time, each remembered (texts repeat the
    same few thousand words): nothing in the folding reaches across white space, which
    stays white space, so the pieces joined equal the whole text folded.
    """
    if text.isascii():  # nothing to decompose or strip
        return " ".join(text.lower().split())
    return " ".join(filter(None, map(_fold_piece, text.split())))


def words(text: str) -> list[str]:
    """The folded words of ``text``: letters and digits, anything else separates."""
    return [w for w in _NON_WORD.split(fold(text)) if w]
