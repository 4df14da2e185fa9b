"""Keys of the portal's bounded indexes: list buckets, facet values, search terms, notations.

Every index record is found by its ``_id``: a request builds the ids it needs from these
rules and reads them with one ``_id``/``_id $in`` query, never a filter or a sort.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import zlib
from collections.abc import Iterable, Iterator

import orjson

from services.portal.domain.page import page_body, type_label
from shared.kit.text import words
from shared.kit.types import Doc

ALL = ("all", "")
MAX_VALUE_BYTES = 120
MAX_TERM_LEN = 40
MAX_BODY_TERMS = 200
MAX_CACHED_PIECE = 48
MIN_COMPRESSED = 200  # shorter packed postings are kept as plain JSON
DAYS = [f"{d:02d}" for d in range(31, 0, -1)]


def value_key(value: str) -> str:
    """A facet value as it appears in an ``_id``; long values by their hash."""
    if len(value.encode()) <= MAX_VALUE_BYTES:
        return value
    return "#" + hashlib.sha256(value.encode()).hexdigest()[:32]


def facet_pairs(page: Doc) -> list[tuple[str, str]]:
    """The buckets a visible page is listed in: all pages, and one per facet value."""
    pairs = [ALL, ("type", str(page["doc_type"])), ("year", str(page["year"]))]
    if page.get("field"):
        pairs.append(("field", str(page["field"])))
    code = (page.get("issuer") or {}).get("code")
    if code:
        pairs.append(("issuer", str(code)))
    return pairs


def issuer_entry(issuer: Doc) -> str:
    """``code|name`` of an issuer, kept beside the facet values so lists show its name."""
    return f"{issuer.get('code', '')}|{issuer.get('name', '')}"


def issuer_names(entries: list[str]) -> dict[str, str]:
    """Code → name from ``issuer_entry`` values (the last one stored wins)."""
    names: dict[str, str] = {}
    for entry in sorted(entries):
        code, _, name = entry.partition("|")
        names[code] = name or code
    return names


def day_of(key: str) -> str:
    """The issue day (``yyyy-mm-dd``) that starts a sort key (or a cursor position)."""
    return key[:10]


def month_of(key: str) -> str:
    return key[:7]


def bucket_id(facet: str, value: str, day: str) -> str:
    """A day's entries of one facet value; the fixed-length day ends it, so ids never clash."""
    return f"d|{facet}|{value_key(value)}|{day}"


def directory_id(facet: str, value: str) -> str:
    """The months in which a facet value has entries."""
    return f"m|{facet}|{value_key(value)}"


def days_newest_first(month: str) -> list[str]:
    """Every possible day of a month, newest first (a missing bucket simply is not found)."""
    return [f"{month}-{d}" for d in DAYS]


def id_of(key: str) -> str:
    """The document id at the end of a sort key ``issue_date|stamp|id``."""
    return key.split("|", 2)[2]


def notation_key(text: str) -> str:
    """``1637/QĐ-BNG``, ``1637/qđ-bng`` and ``1637 QD BNG`` share one key."""
    return "-".join(words(text))


def term_id(term: str, day: str) -> str:
    """The posting list of one folded word for pages issued on one day: its size is bounded
    by a day's documents, so adding to it costs the same however long the history."""
    return f"t|{term}|{day}"


def packed_term_id(term: str, month: str) -> str:
    """The posting lists of one folded word for a whole month, packed (``p``) by a rebuild
    or a preload; a month (7 characters) never reads as a day (10), so ids never clash."""
    return f"t|{term}|{month}"


def pack_postings(month: str, head: Iterable[str], body: Iterable[str]) -> str:
    """A month's posting lists of one word as one value: JSON ``[heading keys, body keys]``,
    sorted, each key without the month that the record's id names. The store converts a
    record value by value, so one string costs one conversion where a list costs one per
    key, and one record a month is 31 fewer to write and read than one a day."""
    cut = len(month) + 1
    return _packed(sorted(k[cut:] for k in head), sorted(k[cut:] for k in body))


def unpack_postings(month: str, value: object) -> tuple[list[str], list[str]]:
    """The heading and body keys of a packed ``p`` (nothing when it is not one)."""
    head, body = _unpacked(value)
    prefix = month + "-"
    return [prefix + k for k in head], [prefix + k for k in body]


COMPRESSED = "z"  # a packed value that starts so is base64 of the zlib-compressed JSON


def _packed(head: list[str], body: list[str]) -> str:
    """The JSON, compressed when that is shorter: a month's sorted keys share most of
    their characters, and the store pays per byte written and read (the fastest level:
    most of the gain at a fraction of the time)."""
    text = orjson.dumps([head, body])  # compact JSON, as json.dumps would write it
    if len(text) < MIN_COMPRESSED:
        return text.decode()
    squeezed = COMPRESSED + base64.b64encode(zlib.compress(text, 1)).decode()
    return squeezed if len(squeezed) < len(text) else text.decode()


def _unpacked(value: object) -> tuple[list[str], list[str]]:
    if not isinstance(value, str):
        return [], []
    try:
        if value.startswith(COMPRESSED):
            value = zlib.decompress(base64.b64decode(value[1:], validate=True)).decode()
        head, body = json.loads(value)
    except (ValueError, TypeError, zlib.error):
        return [], []
    if not isinstance(head, list) or not isinstance(body, list):
        return [], []
    return head, body


def merged_record(before: Doc, new: Doc) -> Doc:
    """The fields of an index record built in memory merged with the stored one's: lists
    united, packed postings (of the same month, so the same cut keys) united too."""
    merged: Doc = {}
    for name, value in new.items():
        if name == "_id":
            continue
        if name == "p":
            old_head, old_body = _unpacked(before.get("p"))
            head, body = _unpacked(value)
            merged[name] = _packed(sorted({*old_head, *head}), sorted({*old_body, *body}))
        else:
            merged[name] = sorted(set(before.get(name, [])) | set(value))
    return merged


def word_directory_id(term: str) -> str:
    """The months in which a folded word has postings."""
    return f"w|{term}"


def _words(*parts: str | None) -> list[str]:
    return [w for part in parts if part for piece in part.split() for w in _piece_words(piece)]


def _piece_words(piece: str) -> tuple[str, ...]:
    """The indexable words of one white-space-separated piece (nothing in ``words``
    reaches across white space); short pieces are remembered, as texts repeat the same
    few thousand of them, long ones are not kept."""
    if len(piece) <= MAX_CACHED_PIECE:
        return _cached_piece_words(piece)
    return _indexable(piece)


def _indexable(piece: str) -> tuple[str, ...]:
    return tuple(w for w in words(piece) if len(w) <= MAX_TERM_LEN)


_cached_piece_words = functools.lru_cache(maxsize=1 << 16)(_indexable)


@functools.lru_cache(maxsize=1024)
def _label_words(label: str | None) -> tuple[str, ...]:
    """Words of a label many pages share (a type's or an issuer's name): folded once."""
    return tuple(_words(label))


def page_terms(page: Doc, body_text: str | None = None) -> tuple[list[str], list[str]]:
    """Folded words of the heading (type, notation, subject, issuer) and of the body
    (``body_text`` when the caller has it, else read from the page's signed copy).

    A word in both counts as a heading word; body words are capped per page so one huge
    text cannot make indexing unbounded.
    """
    issuer = (page.get("issuer") or {}).get("name")
    head = sorted(
        {
            *_label_words(type_label(page)),
            *_label_words(issuer),
            *_words(page.get("notation"), page.get("subject")),
        }
    )
    seen = set(head)
    body: list[str] = []
    text = page_body(page) if body_text is None else body_text
    for word in _body_words(text):
        if word not in seen:
            seen.add(word)
            body.append(word)
            if len(body) >= MAX_BODY_TERMS:
                break
    return head, sorted(body)


def _body_words(text: str) -> Iterator[str]:
    """The words of a body in order, folded piece by piece as they are needed (folding
    never reaches across white space), so a long text stops being read at the cap."""
    for piece in text.split():
        yield from _piece_words(piece)
