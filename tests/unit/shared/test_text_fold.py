"""``fold`` through a translation table gives exactly what decomposing the whole text gave."""

from __future__ import annotations

import random
import unicodedata

from shared.kit.text import fold, words

VIETNAMESE = (
    "Quyết định về việc Đôn đốc triển khai kế hoạch chuyển đổi số ngoại giao kinh tế văn hóa "
    "lãnh sự hộ chiếu đào tạo cán bộ hợp tác quốc tế hội nghị tổ chức quy chế quản lý dữ liệu "
    "an toàn thông tin bảo hộ công dân người Việt Nam ở nước ngoài biên giới lãnh thổ phân "
    "giới cắm mốc điều ước thỏa thuận thi đua khen thưởng ngân sách ĐẶNG ĐỨC Ữ Ỹ ỳ ỵ Ở Ợ "
    "1637/QĐ-BNG Nghị định 42/2022/NĐ-CP ﬁ ① Ⅻ ½ ＡＢＣ İstanbul ΑΣ Ω Straße"
)
COMBINING = [chr(c) for c in range(0x300, 0x370)] + ["\u1dc0", "\u20d0", "\ufe20"]


def fold_by_decomposition(text: str) -> str:
    """The definition: đ/Đ by hand, NFKD of the whole text, combining marks dropped."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def sample(rng: random.Random, alphabet: list[str]) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))


def test_fold_equals_the_decomposition_on_vietnamese_and_marks() -> None:
    rng = random.Random(42)
    letters = list(VIETNAMESE) + COMBINING + list(" \t\n.,;/-¨") + ["\u00a0", "\u2003", "Σ"]
    texts = [VIETNAMESE, VIETNAMESE.upper(), unicodedata.normalize("NFD", VIETNAMESE)]
    texts += [sample(rng, letters) for _ in range(20_000)]
    texts += [unicodedata.normalize(rng.choice(["NFC", "NFD"]), t) for t in texts[3:2000]]
    for text in texts:
        assert fold(text) == fold_by_decomposition(text), repr(text)


def test_fold_equals_the_decomposition_on_every_code_point_below_0x3000() -> None:
    every = [chr(c) for c in range(0x3000) if not 0xD800 <= c < 0xE000]
    for start in range(0, len(every), 64):
        text = " ".join(every[start : start + 64]) + "".join(every[start : start + 64])
        assert fold(text) == fold_by_decomposition(text)


def test_words_fold_the_letters_vietnamese_readers_type() -> None:
    assert words("Đôn đốc 1637/QĐ-BNG") == ["don", "doc", "1637", "qd", "bng"]
    assert fold("  Thông   TƯ ") == "thong tu"
    assert fold("ASCII Only") == "ascii only"
