"""A listing cursor is a document id; a forged one lists from the start, never a 500."""

from __future__ import annotations

import pytest

from services.documents.repositories.documents import day_of


@pytest.mark.parametrize("forged", ["ffffffffffffzz", "ffffffffffff" + "0" * 12, "zz", ""])
def test_a_forged_cursor_is_read_as_a_day(forged: str) -> None:
    assert len(day_of(forged)) == 10


def test_a_real_id_gives_its_creation_day() -> None:
    assert day_of("019ac0de0000" + "0" * 12) == "2025-11-26"
