"""Keys of the bounded indexes: pure rules."""

from __future__ import annotations

import json
import random

from services.portal.domain.index import (
    MAX_BODY_TERMS,
    MAX_TERM_LEN,
    bucket_id,
    days_newest_first,
    facet_pairs,
    id_of,
    notation_key,
    pack_postings,
    page_terms,
    unpack_postings,
    value_key,
)
from shared.kit.text import words


def test_bucket_ids_end_with_the_day_so_values_never_clash() -> None:
    assert bucket_id("field", "x", "2025-03-01") != bucket_id("field", "x|2025-03-01", "2025-03-02")
    long = "Lĩnh vực " * 40
    assert len(value_key(long)) < 40 and value_key(long) == value_key(long)
    assert value_key("Lãnh sự") == "Lãnh sự"


def test_days_are_walked_newest_first_and_keys_carry_the_id() -> None:
    days = days_newest_first("2025-02")
    assert days[0] == "2025-02-31" and days[-1] == "2025-02-01" and len(days) == 31
    assert id_of("2025-03-28|20250328T080000000000|doc|with|bars") == "doc|with|bars"


def test_a_page_is_listed_under_all_and_each_facet_value() -> None:
    page = {"doc_type": "quyet_dinh", "year": 2025, "field": None, "issuer": {"code": "G10"}}
    assert facet_pairs(page) == [
        ("all", ""),
        ("type", "quyet_dinh"),
        ("year", "2025"),
        ("issuer", "G10"),
    ]


def test_notations_fold_to_one_key() -> None:
    assert notation_key("1637/QĐ-BNG") == notation_key("1637 qd bng") == "1637-qd-bng"


def test_heading_words_win_and_body_words_are_capped() -> None:
    page = {
        "type_name": "Quyết định",
        "notation": "1/QĐ-BNG",
        "subject": "Đôn đốc",
        "issuer": {"name": "Bộ Ngoại giao"},
        "body": "đôn " + " ".join(f"w{i}" for i in range(1000)) + " " + "a" * 300,
    }
    head, body = page_terms(page)
    assert {"quyet", "dinh", "qd", "don", "doc", "ngoai"} <= set(head)
    assert "don" not in body and len(body) == MAX_BODY_TERMS


def test_body_words_read_piece_by_piece_equal_the_whole_body_folded() -> None:
    rng = random.Random(5)
    letters = list("aăâbdđeêhiôơưyàáảãạằắẳẵặầấẩẫậềếểễệòóỏõọờớởỡợùúủũụừứửữựĐÁ019 .,;/-\n΅")
    for _ in range(300):
        body = "".join(rng.choice(letters) for _ in range(rng.randint(0, 4000)))
        page = {"type_name": "Quyết định", "notation": "1/QĐ-BNG", "subject": "x", "body": body}
        head, found = page_terms(page)
        whole = [w for w in words(body) if len(w) <= MAX_TERM_LEN and w not in head]
        assert found == sorted(list(dict.fromkeys(whole))[:MAX_BODY_TERMS])


def test_packed_postings_read_back_exactly_compressed_or_not() -> None:
    month = "2025-06"
    keys = [
        f"2025-06-{d:02d}|20250601T08{n:04d}000000|doc{n:06d}" for d in (1, 2) for n in range(300)
    ]
    head, body = keys[:200], keys[200:]
    packed = pack_postings(month, head, body)
    assert packed.startswith("z") and len(packed) < len(json.dumps([head, body])) / 3
    assert unpack_postings(month, packed) == (sorted(head), sorted(body))
    short = pack_postings(month, keys[:1], [])
    assert json.loads(short) == [[keys[0][len(month) + 1 :]], []]  # plain JSON as before
    assert unpack_postings(month, short) == (keys[:1], [])
    for garbage in ("z!!not base64", "z" + "AAAA", "[1,", None, 7):
        assert unpack_postings(month, garbage) == ([], [])
