"""Diacritic-insensitive search keys, upload types by content and safe file names."""

from __future__ import annotations

import io
import zipfile

import pytest

from services.documents.domain.document import search_key
from services.documents.domain.files import (
    DOCX,
    JPEG,
    ODT,
    PDF,
    PNG,
    UnsupportedType,
    detect_media_type,
    safe_name,
)
from shared.kit.text import fold, words

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})


def odt_bytes() -> bytes:
    return zip_bytes({"mimetype": ODT.encode(), "content.xml": b"<office/>"})


def test_folding_removes_vietnamese_marks_including_d_with_stroke() -> None:
    assert fold("Quyết định về Chuyển đổi số ĐẢNG") == "quyet dinh ve chuyen doi so dang"


def test_the_search_key_covers_subject_and_notation() -> None:
    key = search_key("Kế hoạch triển khai", "1637/QĐ-BNG")
    assert "ke hoach trien khai" in key
    assert "1637/qd-bng" in key
    assert words("1637/QĐ-BNG") == ["1637", "qd", "bng"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n...", PDF),
        (PNG_BYTES, PNG),
        (JPEG_BYTES, JPEG),
        (docx_bytes(), DOCX),
        (odt_bytes(), ODT),
    ],
)
def test_allowed_types_are_recognised_by_their_bytes(data: bytes, expected: str) -> None:
    assert detect_media_type(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00 an executable",
        b"GIF89a" + b"\x00" * 20,
        zip_bytes({"evil.sh": b"rm -rf /"}),
        b"PK\x03\x04 not really a zip",
        b"plain text that claims to be a pdf",
    ],
)
def test_anything_else_is_refused_whatever_its_name(data: bytes) -> None:
    with pytest.raises(UnsupportedType):
        detect_media_type(data)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32.dll", "system32.dll"),
        ("Quyết định 1637.pdf", "Quyết định 1637.pdf"),
        ("a\x00b\n.pdf", "ab.pdf"),
        ("..", "attachment"),
        (None, "attachment"),
        ("<script>.pdf", "_script_.pdf"),
    ],
)
def test_file_names_lose_paths_and_odd_characters(name: str | None, expected: str) -> None:
    assert safe_name(name) == expected
