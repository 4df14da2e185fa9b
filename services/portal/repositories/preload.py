"""Bulk preload of ready-made visible pages with all their index records (benchmarks).

``preload_pages(db, count)`` writes ``count`` pages as the projection would have left them
(signature already verified, nothing left to do in the work collections), and the records
that find them: slugs, notations, list buckets and their month directories, facet values,
search postings and their word directories. What each page was indexed under is not kept
(a preloaded page that gets a new version leaves stale postings, which searches skip).
Pages are spread over issue days (``per_day`` a day, newest ending at ``end``), as a
ministry's documents are.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from services.portal.domain.index import (
    bucket_id,
    day_of,
    directory_id,
    facet_pairs,
    issuer_entry,
    month_of,
    notation_key,
    page_terms,
    term_id,
    word_directory_id,
)
from services.portal.domain.page import SignatureStatus, sort_key
from services.portal.domain.slug import document_slug
from services.portal.repositories.bulk import bulk_update
from services.portal.repositories.listing import FACETS_ID
from services.portal.repositories.model import ModelCollections
from shared.contracts.models import OrgRef, Signer
from shared.contracts.vocabulary import DocumentType, type_name
from shared.kit.types import Doc

BATCH = 2000
LOOKUP = 500
VOCABULARY = (
    "triển khai kế hoạch chuyển đổi số ngoại giao kinh tế văn hóa lãnh sự hộ chiếu đào tạo "
    "cán bộ hợp tác quốc tế hội nghị tổ chức quy chế quản lý dữ liệu an toàn thông tin "
    "bảo hộ công dân người Việt Nam ở nước ngoài biên giới lãnh thổ phân giới cắm mốc "
    "điều ước thỏa thuận thi đua khen thưởng ngân sách kiểm tra giám sát cải cách hành chính"
)
WORDS = VOCABULARY.split()
FIELDS = ["Chuyển đổi số", "Lãnh sự", "Ngoại giao kinh tế", "Tổ chức cán bộ", None]
ISSUERS = [
    OrgRef(code="000.00.00.G10", name="Bộ Ngoại giao").model_dump(mode="json"),
    OrgRef(code="000.00.31.H01", name="Cục Lãnh sự").model_dump(mode="json"),
    OrgRef(code="000.00.32.H01", name="Vụ Tổ chức cán bộ").model_dump(mode="json"),
]
ABBREVIATIONS = {
    DocumentType.QUYET_DINH: "QĐ",
    DocumentType.THONG_TU: "TT",
    DocumentType.CONG_VAN: "CV",
}


def make_page(n: int, day: dt.date, rng: random.Random, prefix: str) -> Doc:
    """One visible page, shaped like the projection's (``page_fields``) output."""
    document_id = f"{prefix}{n:08d}"
    doc_type = rng.choice(list(ABBREVIATIONS))
    notation = f"{n + 1}/{ABBREVIATIONS[doc_type]}-BNG"
    issuer = rng.choice(ISSUERS)
    subject = "Về việc " + " ".join(rng.sample(WORDS, 8))
    body = "Điều 1. " + " ".join(rng.choices(WORDS, k=40))
    published = dt.datetime.combine(day, dt.time(8), dt.UTC) + dt.timedelta(seconds=n % 86_400)
    signer = Signer(name="Bùi Thanh Sơn", position="Bộ trưởng").model_dump(mode="json")
    return {
        "_id": document_id,
        "visible": True,
        "slug": document_slug(notation, day.year),
        "notation": notation,
        "number": n + 1,
        "year": day.year,
        "doc_type": str(doc_type),
        "type_name": type_name(doc_type),
        "type_name_en": type_name(doc_type, "en"),
        "subject": subject,
        "issuer": issuer,
        "drafting_unit": None,
        "signer": signer,
        "issue_date": day.isoformat(),
        "effective_date": day.isoformat(),
        "field": rng.choice(FIELDS),
        "language": "vi",
        "body": body,
        "attachments": [],
        "published_at": published.isoformat(),
        "version": 1,
        "sort_key": sort_key(day, published, document_id),
        "signed": {"document_id": document_id, "notation": notation, "subject": subject},
        "signature": {"kid": "preload", "value": "", "signed_at": published.isoformat()},
        "signature_status": str(SignatureStatus.VERIFIED),
        "applied": {"page": {"version": 1, "event_id": f"preload-{document_id}"}},
    }


class IndexBuilder:
    """The index records of many visible pages, gathered in memory, then written in bulk
    (a preload, or a rebuild into a fresh read model)."""

    def __init__(self) -> None:
        self.sets: dict[str, dict[str, set[Any]]] = defaultdict(lambda: defaultdict(set))
        self.slugs: list[Doc] = []
        self.indexed: list[Doc] = []  # what each page was indexed under (search_pages)

    def add(self, page: Doc, terms: tuple[list[str], list[str]] | None = None) -> None:
        """Index a visible page (its ``terms`` computed beforehand, or here)."""
        key, document_id = str(page["sort_key"]), str(page["_id"])
        for facet, value in facet_pairs(page):
            self.sets[bucket_id(facet, value, day_of(key))]["e"].add(key)
            self.sets[directory_id(facet, value)]["m"].add(month_of(key))
        facets = self.sets[FACETS_ID]
        facets["types"].add(page["doc_type"])
        facets["years"].add(page["year"])
        if page.get("field"):
            facets["fields"].add(page["field"])
        facets["issuers"].add(page["issuer"]["code"])
        facets["issuer_names"].add(issuer_entry(page["issuer"]))
        self.sets["n|" + notation_key(page["notation"])]["ids"].add(document_id)
        self.slugs.append({"_id": page["slug"], "document_id": document_id})
        head, body = terms or page_terms(page)
        self.indexed.append({"_id": document_id, "key": key, "head": head, "body": body})
        month = month_of(key)
        for flag, words in (("h", head), ("b", body)):
            for word in words:
                word = sys.intern(word)
                self.sets["t|" + term_id(word, day_of(key))][flag].add(key)
                self.sets["t|" + word_directory_id(word)]["m"].add(month)

    def records(self, prefix: str) -> list[Doc]:
        """Records of one collection (``t|`` postings, ``n|`` notations, else list index)."""
        found = []
        for record_id, fields in self.sets.items():
            if prefix == "" and record_id[:2] in ("t|", "n|"):
                continue
            if prefix and not record_id.startswith(prefix):
                continue
            doc: Doc = {"_id": record_id[len(prefix) :]}
            doc.update({name: sorted(values) for name, values in fields.items()})
            found.append(doc)
        return found


async def _insert_or_merge(collection: AsyncCollection[Doc], docs: list[Doc]) -> None:
    """Insert new records; merge the arrays of records that already exist.

    Merged in memory and written back whole: ``$addToSet`` with thousands of values into an
    array of thousands costs the store their product. A preload runs with the services
    stopped, so nothing else writes these records meanwhile.
    """
    for start in range(0, len(docs), BATCH):
        chunk = docs[start : start + BATCH]
        try:
            await collection.insert_many(chunk, ordered=False)
        except BulkWriteError as exc:
            existing = [chunk[e["index"]] for e in exc.details.get("writeErrors", [])]
            stored: dict[Any, Doc] = {}
            for first in range(0, len(existing), LOOKUP):  # `_id $in` is indexed up to 1,000
                ids = [e["_id"] for e in existing[first : first + LOOKUP]]
                stored.update({d["_id"]: d async for d in collection.find({"_id": {"$in": ids}})})
            merges = []
            for doc in existing:
                before = stored.get(doc["_id"], {})
                merged = {
                    k: sorted(set(before.get(k, [])) | set(v)) for k, v in doc.items() if k != "_id"
                }
                merges.append(UpdateOne({"_id": doc["_id"]}, {"$set": merged}, upsert=True))
            await bulk_update(collection, merges)


async def _insert_new(collection: AsyncCollection[Doc], docs: Iterable[Doc]) -> None:
    """Insert records that belong to one page each; ones already there are kept."""
    batch: list[Doc] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= BATCH:
            await _insert_ignoring_duplicates(collection, batch)
            batch = []
    if batch:
        await _insert_ignoring_duplicates(collection, batch)


async def _insert_ignoring_duplicates(collection: AsyncCollection[Doc], docs: list[Doc]) -> None:
    try:
        await collection.insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", [])):
            raise


async def preload_pages(
    db: AsyncDatabase[Doc],
    count: int,
    *,
    end: dt.date | None = None,
    per_day: int = 30,
    seed: int = 1,
    id_prefix: str = "pre",
) -> list[str]:
    """Write ``count`` visible pages and all their index records; returns their ids.

    The newest page is issued on ``end`` (default: today), ``per_day`` pages a day before
    it. Safe to run on a database that already has pages (records are merged).
    """
    rng = random.Random(seed)
    end = end or dt.date.today()
    index = IndexBuilder()
    ids: list[str] = []
    batch: list[Doc] = []
    for n in range(count):
        page = make_page(n, end - dt.timedelta(days=n // per_day), rng, id_prefix)
        index.add(page)
        ids.append(str(page["_id"]))
        batch.append(page)
        if len(batch) >= BATCH:
            await _insert_ignoring_duplicates(db["pages"], batch)
            batch = []
    if batch:
        await _insert_ignoring_duplicates(db["pages"], batch)
    await write_index(ModelCollections(db), index, with_search_pages=False)
    return ids


async def write_index(
    model: ModelCollections, index: IndexBuilder, *, with_search_pages: bool = True
) -> None:
    """Write (or merge into) a read model's index records from ``index``.

    One collection after another: concurrent bulk writes into one database hold the
    store's per-database write lock in turns and gain nothing.
    """
    await _insert_new(model["page_slugs"], index.slugs)
    await _insert_or_merge(model["page_index"], index.records(""))
    await _insert_or_merge(model["page_notations"], index.records("n|"))
    await _insert_or_merge(model["search_terms"], index.records("t|"))
    if with_search_pages:
        await _insert_new(model["search_pages"], index.indexed)
