"""Matched words of a search shown in the text as written: folding decides what matches
(``Đôn đốc`` matches ``don doc``), the reader sees the original letters."""

from __future__ import annotations

import re
from collections.abc import Iterable

from shared.kit.text import words

_WORD = re.compile(r"\w+")

Segment = tuple[str, bool]  # a run of text, and whether it is a matched word


def highlight(text: str, tokens: Iterable[str]) -> list[Segment]:
    """``text`` cut into runs; a run is marked when every folded word in it is a query token."""
    wanted = set(tokens)
    segments: list[Segment] = []
    position = 0
    for match in _WORD.finditer(text):
        folded = words(match.group())
        if not folded or not wanted.issuperset(folded):
            continue
        if match.start() > position:
            segments.append((text[position : match.start()], False))
        segments.append((match.group(), True))
        position = match.end()
    if position < len(text):
        segments.append((text[position:], False))
    return _merged(segments)


def _merged(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for text, marked in segments:
        if merged and merged[-1][1] == marked:
            merged[-1] = (merged[-1][0] + text, marked)
        else:
            merged.append((text, marked))
    return merged


def facet_counts(pages: Iterable[dict[str, object]]) -> dict[str, dict[str, int]]:
    """How many of these pages fall under each type, issuer, field and year."""
    counts: dict[str, dict[str, int]] = {"types": {}, "issuers": {}, "fields": {}, "years": {}}
    for page in pages:
        issuer = page.get("issuer")
        values = {
            "types": page.get("doc_type"),
            "issuers": issuer.get("code") if isinstance(issuer, dict) else None,
            "fields": page.get("field"),
            "years": page.get("year"),
        }
        for facet, value in values.items():
            if value is not None and value != "":
                key = str(value)
                counts[facet][key] = counts[facet].get(key, 0) + 1
    return counts
