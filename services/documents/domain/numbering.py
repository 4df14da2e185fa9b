"""Register books, sequence keys and the number-and-notation (số, ký hiệu) of Decree 30."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from shared.contracts.vocabulary import (
    LEGAL_NORMATIVE_TYPES,
    Confidentiality,
    DocumentType,
    type_abbreviation,
)

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OUTGOING = "outgoing"
SECRET = "secret"


def local_date(instant: dt.datetime) -> dt.date:
    """The calendar date in Vietnam: registers follow it, not UTC."""
    if instant.tzinfo is None:
        raise ValueError("an aware datetime is required")
    return instant.astimezone(VN_TZ).date()


def register_year(instant: dt.datetime) -> int:
    return local_date(instant).year


def book_for(doc_type: DocumentType, confidentiality: Confidentiality) -> str:
    """Secret documents share one book; each legal normative type has its own."""
    if confidentiality != Confidentiality.THUONG:
        return SECRET
    if doc_type in LEGAL_NORMATIVE_TYPES:
        return doc_type.value
    return OUTGOING


def valid_books() -> frozenset[str]:
    return frozenset({OUTGOING, SECRET, *(t.value for t in LEGAL_NORMATIVE_TYPES)})


def counter_id(issuer: str, book: str, year: int) -> str:
    return f"{issuer}:{book}:{year}"


def book_of(cid: str) -> str:
    """The register book a counter id names (``BNG:incoming:2026`` -> ``incoming``)."""
    parts = cid.split(":")
    return parts[1] if len(parts) == 3 else ""


def first_number(starts: dict[str, int], issuer: str, book: str, year: int) -> int:
    return max(1, starts.get(counter_id(issuer, book, year), 1))


def format_number(number: int) -> str:
    if number < 1:
        raise ValueError("numbers start at 1")
    return f"{number:02d}"


def notation(
    number: int, doc_type: DocumentType, issuer: str, drafting_unit: str, year: int
) -> str:
    """1637/QĐ-BNG; 125/BNG-CNTT for an official letter; 01/2025/TT-BNG for a circular."""
    n = format_number(number)
    if doc_type == DocumentType.CONG_VAN:
        return f"{n}/{issuer}-{drafting_unit}"
    abbreviation = type_abbreviation(doc_type)
    if doc_type in LEGAL_NORMATIVE_TYPES:
        return f"{n}/{year}/{abbreviation}-{issuer}"
    return f"{n}/{abbreviation}-{issuer}"
