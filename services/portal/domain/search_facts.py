"""What search ranks, filters and counts a candidate by, without reading its page.

Each indexed page has a compact record beside its postings: its sort key (recency, and the
check that a posting is not stale), the facet values (type, issuer, field, year) and its
notation, as one JSON string (the store converts a record value by value, so one string is
the cheapest to write and to read back). A search reads these for its candidates, ranks,
filters and counts them, and reads whole pages only for the result page it shows.
"""

from __future__ import annotations

import json

from shared.kit.types import Doc


def facts_text(page: Doc) -> str:
    """The record's one value for a visible page."""
    issuer = page.get("issuer") or {}
    values = [
        page["sort_key"],
        page.get("doc_type"),
        issuer.get("code"),
        page.get("field"),
        page.get("year"),
        page.get("notation"),
    ]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def facts_view(page_id: str, text: object) -> Doc | None:
    """The record as the fields of a page summary that filters and facet counts read
    (``DocumentFilter.matches``, ``facet_counts``); None when it cannot be read."""
    if not isinstance(text, str):
        return None
    try:
        values = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(values, list) or len(values) != 6 or not isinstance(values[0], str):
        return None
    key, doc_type, issuer, field, year, notation = values
    return {
        "_id": page_id,
        "sort_key": key,
        "visible": True,
        "issue_date": key[:10],
        "doc_type": doc_type,
        "issuer": {"code": issuer},
        "field": field,
        "year": year,
        "notation": notation,
    }


def page_facts(page: Doc) -> Doc | None:
    """The same view built from a page summary (pages indexed before these records
    existed), None when the page is not searchable."""
    if not page.get("visible") or not page.get("sort_key"):
        return None
    return facts_view(str(page["_id"]), facts_text(page))
