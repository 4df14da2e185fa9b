"""Upload rules: allowed types recognised by their content, and harmless file names; the
bytes of a stored file as they are handed out."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
ALLOWED = frozenset({PDF, PNG, JPEG, DOCX, ODT})
# The extensions each type may carry; the first is the one given when the name has none of them.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    DOCX: (".docx",),
    ODT: (".odt",),
}
_UNSAFE = re.compile(r"[^\w.\- ()]+", re.UNICODE)


@dataclass(frozen=True)
class FileBytes:
    """A stored file's bytes with the media type and name it is handed out under."""

    data: bytes
    media_type: str
    name: str


class UnsupportedType(Exception):
    pass


def _zip_kind(data: bytes) -> str | None:
    """DOCX and ODT are zip files: tell them apart by what the archive declares."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                return ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return None
    return None


def detect_media_type(data: bytes) -> str:
    """The media type the bytes really are, or UnsupportedType."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data)
        if kind:
            return kind
        raise UnsupportedType("a zip archive that is neither DOCX nor ODT")
    guess = filetype.guess_mime(data)
    if guess in (PNG, JPEG):
        return str(guess)
    raise UnsupportedType(f"content of type {guess or 'unknown'} is not accepted")


def safe_name(name: str | None, fallback: str = "attachment") -> str:
    """Keep only the last path segment and ordinary characters: no traversal, no controls."""
    raw = unicodedata.normalize("NFC", name or "")
    raw = raw.replace("\\", "/").split("/")[-1]
    raw = "".join(c for c in raw if unicodedata.category(c)[0] != "C")
    cleaned = _UNSAFE.sub("_", raw).strip(" .")
    return (cleaned or fallback)[:200]


def stored_name(name: str | None, media_type: str) -> str:
    """The name a file is stored and served under: harmless (see ``safe_name``) and ending in
    the extension its content proves, so ``poly.html`` holding a PDF becomes ``poly.pdf``."""
    cleaned = safe_name(name)
    allowed = EXTENSIONS.get(media_type)
    if not allowed or cleaned.lower().endswith(allowed):
        return cleaned
    stem, dot, _ = cleaned.rpartition(".")
    base = (stem if dot and stem else cleaned).strip(" .") or "attachment"
    return base[: 200 - len(allowed[0])] + allowed[0]
