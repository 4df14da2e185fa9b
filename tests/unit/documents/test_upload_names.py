"""A stored file's name ends in the extension its content proves, without controls or bidi
overrides (a PDF named poly.html, or ``Quyết định \\u202efdp.exe``, is no longer served as one)."""

from __future__ import annotations

import pytest

from services.documents.domain.files import DOCX, JPEG, PDF, PNG, stored_name


@pytest.mark.parametrize(
    ("name", "media_type", "expected"),
    [
        ("poly.html", PDF, "poly.pdf"),
        ("Quyết định \u202efdp.exe", PDF, "Quyết định fdp.pdf"),
        ("Quyết định\u202e.pdf", PDF, "Quyết định.pdf"),
        ("scan.PDF", PDF, "scan.PDF"),
        ("ảnh.jpeg", JPEG, "ảnh.jpeg"),
        ("ảnh.jpg", JPEG, "ảnh.jpg"),
        ("ảnh.png", JPEG, "ảnh.jpg"),
        ("report", DOCX, "report.docx"),
        ("../../etc/passwd", PNG, "passwd.png"),
        ("", PDF, "attachment.pdf"),
        (None, PDF, "attachment.pdf"),
        (".html", PDF, "html.pdf"),
        ("a\x00b\x1b.pdf", PDF, "ab.pdf"),
    ],
)
def test_the_stored_name_matches_the_content(
    name: str | None, media_type: str, expected: str
) -> None:
    assert stored_name(name, media_type) == expected


def test_a_long_name_keeps_its_extension() -> None:
    name = stored_name("x" * 500 + ".html", PDF)
    assert name.endswith(".pdf")
    assert len(name) <= 200
