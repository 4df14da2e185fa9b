"""Search folding and slugs: pure rules."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.portal.domain.search import folded as fold
from services.portal.domain.search import query_tokens, search_text
from services.portal.domain.slug import disambiguated, document_slug, slugify


def test_folding_removes_case_and_diacritics_and_maps_d_with_stroke() -> None:
    assert fold("Quyết định 1637/QĐ-BNG") == "quyet dinh 1637 qd bng"
    assert fold("ĐÔN ĐỐC đào tạo") == "don doc dao tao"
    assert fold("Thông tư 01/2025/TT-BNG") == "thong tu 01 2025 tt bng"


def test_a_query_matches_the_stored_text_word_by_word() -> None:
    stored = search_text("Quyết định", "1637/QĐ-BNG", "Về chuyển đổi số")
    for token in query_tokens("quyet dinh 1637 chuyen doi so"):
        assert f" {token}" in stored


def test_query_tokens_are_distinct_and_bounded() -> None:
    assert query_tokens("số SỐ so  <script>") == ["so", "script"]
    assert len(query_tokens(" ".join(f"w{i}" for i in range(50)))) == 12


def test_slugs_read_like_the_notation_and_carry_the_year_once() -> None:
    assert document_slug("1637/QĐ-BNG", 2025) == "1637-qd-bng-2025"
    assert document_slug("01/2025/TT-BNG", 2025) == "01-2025-tt-bng"
    assert slugify("<script>alert(1)</script>") == "script-alert-1-script"
    assert slugify("!!!") == "van-ban"
    assert disambiguated("1637-qd-bng-2025", "ABC_def-123456789") == "1637-qd-bng-2025-abc-def-1234"


@given(st.text(max_size=300))
def test_folded_text_and_slugs_are_always_url_and_regex_safe(text: str) -> None:
    folded = fold(text)
    assert all(ch.isascii() and (ch.isalnum() or ch == " ") for ch in folded)
    slug = slugify(text)
    assert slug and len(slug) <= 80
    assert all(ch.islower() or ch.isdigit() or ch == "-" for ch in slug)
