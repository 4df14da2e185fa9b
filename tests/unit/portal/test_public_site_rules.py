"""Highlights by folding, facet counts, the language switch and HTTP validators."""

from __future__ import annotations

import datetime as dt

from services.portal.api.conditional import _etag_matches, _not_modified_since, last_modified
from services.portal.api.i18n import organisation, other_language
from services.portal.api.rendering import _date, _format, section_of
from services.portal.domain.highlight import facet_counts, highlight
from services.portal.services.read_model import whole_second_after


def test_highlight_marks_folded_matches_in_the_original_letters() -> None:
    runs = highlight("Đôn đốc đào tạo, 1637/QĐ-BNG", ["don", "doc", "qd"])
    assert [t for t, hit in runs if hit] == ["Đôn", "đốc", "QĐ"]
    assert "".join(t for t, _ in runs) == "Đôn đốc đào tạo, 1637/QĐ-BNG"
    assert highlight("không khớp", ["x"]) == [("không khớp", False)]


def test_facet_counts_count_each_value() -> None:
    pages = [
        {"doc_type": "quyet_dinh", "issuer": {"code": "G10"}, "field": "A", "year": 2025},
        {"doc_type": "quyet_dinh", "issuer": {"code": "H01"}, "field": None, "year": 2024},
    ]
    counts = facet_counts(pages)
    assert counts["types"] == {"quyet_dinh": 2} and counts["issuers"] == {"G10": 1, "H01": 1}
    assert counts["fields"] == {"A": 1} and counts["years"] == {"2025": 1, "2024": 1}


def test_the_language_switch_keeps_the_page_and_its_query() -> None:
    assert other_language("/van-ban/1637-qd-bng-2025", "", "vi") == "/en/documents/1637-qd-bng-2025"
    assert other_language("/en/documents", "q=x&page=2", "en") == "/van-ban?q=x&page=2"
    assert other_language("/", "", "vi") == "/en" and other_language("/en", "", "en") == "/"
    assert other_language("/tin-tuc/bai", "", "vi") == "/en/news/bai"
    assert section_of("/en/documents/x", "en") == "documents" and section_of("/", "vi") == "home"


def test_dates_formats_and_names_in_the_readers_language() -> None:
    assert (
        _date("2025-03-28", "vi") == "28/03/2025" and _date("2025-03-28", "en") == "28 March 2025"
    )
    assert (
        _format("application/pdf", "a.pdf") == "PDF"
        and _format("application/x-y", "b.odt") == "ODT"
    )
    assert organisation("Bộ Ngoại giao", "en") == "Ministry of Foreign Affairs"
    assert organisation("Bộ Ngoại giao", "vi") == "Bộ Ngoại giao"


def test_validators_match_and_dates_never_hide_a_later_change() -> None:
    assert _etag_matches('W/"a", "b"', '"b"') and _etag_matches("*", '"x"')
    assert not _etag_matches('"a"', '"b"')
    stamp = whole_second_after(dt.datetime(2025, 1, 1, 10, 0, 0, 300_000, tzinfo=dt.UTC))
    assert stamp == dt.datetime(2025, 1, 1, 10, 0, 1, tzinfo=dt.UTC)
    # Rendered before the stamp's second is over: dated by the render, rounded down.
    early = dt.datetime(2025, 1, 1, 10, 0, 0, 500_000, tzinfo=dt.UTC)
    assert last_modified(stamp, early) == dt.datetime(2025, 1, 1, 10, 0, 0, tzinfo=dt.UTC)
    late = dt.datetime(2025, 1, 1, 10, 0, 3, tzinfo=dt.UTC)
    assert last_modified(stamp, late) == stamp
    assert _not_modified_since("Wed, 01 Jan 2025 10:00:01 GMT", stamp)
    assert not _not_modified_since("Wed, 01 Jan 2025 10:00:00 GMT", stamp)
    assert not _not_modified_since("not a date", stamp)
