"""Numbers, notations, register books and the Vietnamese calendar year."""

from __future__ import annotations

import datetime as dt

import pytest

from services.documents.domain.numbering import (
    book_for,
    counter_id,
    first_number,
    format_number,
    local_date,
    notation,
    register_year,
)
from shared.contracts.vocabulary import Confidentiality, DocumentType


@pytest.mark.parametrize(
    ("number", "doc_type", "year", "expected"),
    [
        (1637, DocumentType.QUYET_DINH, 2025, "1637/QĐ-BNG"),
        (125, DocumentType.CONG_VAN, 2025, "125/BNG-CNTT"),
        (1, DocumentType.THONG_TU, 2025, "01/2025/TT-BNG"),
        (9, DocumentType.KE_HOACH, 2025, "09/KH-BNG"),
        (10, DocumentType.KE_HOACH, 2025, "10/KH-BNG"),
        (3, DocumentType.QUY_DINH, 2026, "03/QyĐ-BNG"),
    ],
)
def test_notation_follows_decree_30(
    number: int, doc_type: DocumentType, year: int, expected: str
) -> None:
    assert notation(number, doc_type, "BNG", "CNTT", year) == expected


def test_numbers_below_ten_get_a_leading_zero_and_zero_is_refused() -> None:
    assert [format_number(n) for n in (1, 9, 10, 100)] == ["01", "09", "10", "100"]
    with pytest.raises(ValueError):
        format_number(0)


@pytest.mark.parametrize(
    ("doc_type", "level", "book"),
    [
        (DocumentType.QUYET_DINH, Confidentiality.THUONG, "outgoing"),
        (DocumentType.CONG_VAN, Confidentiality.THUONG, "outgoing"),
        (DocumentType.THONG_TU, Confidentiality.THUONG, "thong_tu"),
        (DocumentType.QUYET_DINH, Confidentiality.MAT, "secret"),
        (DocumentType.THONG_TU, Confidentiality.TUYET_MAT, "secret"),
        (DocumentType.CONG_VAN, Confidentiality.TOI_MAT, "secret"),
    ],
)
def test_secret_documents_have_their_own_book_and_circulars_theirs(
    doc_type: DocumentType, level: Confidentiality, book: str
) -> None:
    assert book_for(doc_type, level) == book


def test_the_register_year_turns_at_midnight_in_hanoi_not_in_utc() -> None:
    # 31 Dec 2025 17:30 UTC is already 1 Jan 2026 00:30 in Hanoi.
    assert register_year(dt.datetime(2025, 12, 31, 17, 30, tzinfo=dt.UTC)) == 2026
    assert register_year(dt.datetime(2025, 12, 31, 16, 59, tzinfo=dt.UTC)) == 2025
    assert local_date(dt.datetime(2025, 12, 31, 17, 0, tzinfo=dt.UTC)) == dt.date(2026, 1, 1)


def test_a_naive_time_is_refused_because_its_year_would_be_a_guess() -> None:
    with pytest.raises(ValueError):
        register_year(dt.datetime(2025, 12, 31, 17, 30))


def test_a_register_starts_at_one_unless_configured() -> None:
    starts = {"BNG:outgoing:2025": 1637}
    assert counter_id("BNG", "outgoing", 2025) == "BNG:outgoing:2025"
    assert first_number(starts, "BNG", "outgoing", 2025) == 1637
    assert first_number(starts, "BNG", "outgoing", 2026) == 1
    assert first_number(starts, "BNG", "secret", 2025) == 1
