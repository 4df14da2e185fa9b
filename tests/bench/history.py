"""Preloading a history in bulk, while the services are stopped.

HISTORY issued documents (documents service), 10 × HISTORY finished delivery jobs (LGSP) and
HISTORY public pages (portal), written with insert_many / unordered bulk writes in batches,
into the collections the repository classes name. Each service's records are built in ONE
place below, so a change of shape or of collection in a service is adapted here:

- documents: ``issued_document`` copies a document the first round really issued onto a
  10-minute grid of past years (slot 0 = 31 December of last year, 23:50 Vietnam time), so
  every year has its own gapless register; plus the day buckets staff listings walk, the
  register entries and the counters at the preloaded maximum. Today's register is untouched,
  so the numbers issued during the bench stay checkable.
- LGSP: ``delivered_job`` is the LGSP's ``new_job`` with what ``record_outcome`` sets on a
  delivery, finished within the retention window (most recent first); plus the lookup
  record and the finished-minute bucket the LGSP keeps for every job.
- portal: ``portal_page`` copies a page the first round really projected (the page only;
  the portal's listing and search index records are not written). With ``portal_own=True``
  (the default; ``--no-portal-preload`` turns it off) the portal's own ``preload_pages``
  writes pages with all their index records instead.

The three services' records are written one service after another, never concurrently.
"""

from __future__ import annotations

import copy
import datetime as dt
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pymongo import AsyncMongoClient, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from services.documents.domain.document import search_key
from services.documents.domain.numbering import VN_TZ, counter_id, notation
from services.documents.repositories.counters import CounterRepository, entry_id
from services.documents.repositories.documents import EARLIEST, DocumentRepository, day_of
from services.lgsp.domain.deliveries import JobState, job_id
from services.lgsp.repositories.buckets import minute_key
from services.lgsp.repositories.deliveries import FINISHED, DeliveryRepository, new_job
from services.lgsp.repositories.lookups import document_key
from services.lgsp.repositories.partners import PartnerRepository
from services.portal.domain.page import SignatureStatus, sort_key
from services.portal.domain.slug import document_slug
from services.portal.repositories.pages import PageRepository
from shared.contracts.vocabulary import DocumentType
from shared.signing import canonical_bytes

Doc = dict[str, Any]
DB = AsyncDatabase[Doc]
DELIVERIES_PER_DOCUMENT = 10
SLOT = dt.timedelta(minutes=10)  # one document every ten minutes: 144 a day
JOB_SPACING = dt.timedelta(seconds=20)  # 100,000 documents' deliveries in 23 days
BATCH = 5000  # small records (delivery jobs, lookups)
DOCUMENT_BATCH = 1000  # documents and pages (2-3 KB each)


@dataclass
class Templates:
    """Records the first round produced through the real APIs, copied for the history."""

    document: Doc
    page: Doc | None
    job: Doc | None
    partners: list[Doc]


def history_end() -> dt.datetime:
    """Slot 0: the last ten minutes of last year, Vietnam time (registers follow it)."""
    year = dt.datetime.now(VN_TZ).year - 1
    return dt.datetime(year, 12, 31, 23, 50, tzinfo=VN_TZ).astimezone(dt.UTC)


def slot_time(slot: int) -> dt.datetime:
    return history_end() - slot * SLOT


def register_position(at: dt.datetime) -> tuple[int, int]:
    """(year, number): the n-th ten-minute slot of its year, so numbers are gapless."""
    local = at.astimezone(VN_TZ)
    start = dt.datetime(local.year, 1, 1, tzinfo=VN_TZ)
    return local.year, (local - start) // SLOT + 1


# Documents service -----------------------------------------------------------------------
def issued_document(template: Doc, slot: int) -> Doc:
    at = slot_time(slot)
    year, number = register_position(at)
    doc_type = DocumentType(template["doc_type"])
    text = notation(number, doc_type, template["issuer_code"], template["drafting_unit"], year)
    subject = f"{template['subject']} (lưu trữ {slot})"
    millis = int(at.timestamp() * 1000)
    doc = copy.deepcopy(template)
    doc.update(
        {
            "_id": f"{millis:012x}{slot:012x}",  # time-ordered, as the service's new_id
            "subject": subject,
            "number": number,
            "notation": text,
            "year": year,
            "issue_date": at.astimezone(VN_TZ).date().isoformat(),
            "created_at": at,
            "updated_at": at,
            "issued_at": at,
            "search": search_key(subject, text),
            "outbox": [],
            "outbox_lease": None,
            "audit_pending": [],
        }
    )
    if isinstance(doc.get("issue"), dict):
        doc["issue"].update({"started_at": at, "year": year, "issue_date": doc["issue_date"]})
    if isinstance(doc.get("signed"), dict):
        # The signature stays the template's: these copies are not meant to verify.
        doc["signed"].update(
            {
                k: doc[k]
                for k in ("number", "notation", "year", "issue_date", "subject")
                if k in doc["signed"]
            }
            | {"document_id": doc["_id"]}
        )
    return doc


async def preload_documents(db: DB, template: Doc, start: int, stop: int) -> int:
    repo = DocumentRepository(db)
    counters = CounterRepository(db)
    days: dict[str, set[str]] = defaultdict(set)
    last: dict[str, int] = {}
    count = 0
    for first in range(start, stop, DOCUMENT_BATCH):
        docs = [
            issued_document(template, s) for s in range(first, min(stop, first + DOCUMENT_BATCH))
        ]
        entries = []
        for doc in docs:
            cid = counter_id(str(doc["issuer_code"]), str(doc["book"]), int(doc["year"]))
            entries.append({"_id": entry_id(cid, int(doc["number"])), "document_id": doc["_id"]})
            last[cid] = max(last.get(cid, 0), int(doc["number"]))
            days[day_of(doc["_id"])].add(doc["_id"])
        await repo.collection.insert_many(docs, ordered=False)
        await counters._entries.insert_many(entries, ordered=False)
        count += len(docs)
    await _add_to_sets(repo._days, {day: {"ids": ids} for day, ids in days.items()})
    earliest = await repo._days.find_one({"_id": EARLIEST})
    oldest = min(days)
    if earliest is None or str(earliest["day"]) > oldest:
        await repo._days.update_one({"_id": EARLIEST}, {"$set": {"day": oldest}}, upsert=True)
    for cid, number in last.items():  # each history register stands at its last number
        current = await counters.collection.find_one({"_id": cid})
        if current is None:
            await counters.collection.insert_one({"_id": cid, "last": number, "reservations": []})
        elif int(current["last"]) < number:
            await counters.collection.update_one({"_id": cid}, {"$set": {"last": number}})
    return count


# LGSP ----------------------------------------------------------------------------------
def delivered_job(
    document_id: str, partner: Doc, event_id: str, at: dt.datetime, template: Doc | None
) -> Doc:
    like = template or {}
    delivered = at + dt.timedelta(milliseconds=150)
    job = new_job(
        delivery_id=job_id(event_id, str(partner["_id"])),
        event_id=event_id,
        event_type=str(like.get("event_type", "egov.document.published")),
        partner=partner,
        document_id=document_id,
        priority=int(like.get("priority", 0)),
        attachments=[],
        now=at,
        give_up_at=at + dt.timedelta(days=3),
        publish_status=bool(like.get("publish_status", True)),
    )
    # What DeliveryService.record_outcome writes for a delivered attempt.
    job.update(
        {
            "state": JobState.DELIVERED.value,
            "attempts": 1,
            "attempt_log": [{"at": delivered, "result": "delivered", "detail": ""}],
            "delivered_at": delivered,
            "finished_at": delivered,
            "version": int(like.get("version", 2)),
        }
    )
    return job


def _history_partners(real: list[Doc]) -> list[Doc]:
    """Ten partners per document: the registered ones, then partners of the past."""
    out = [{"_id": p["_id"], "code": p["code"], "webhook_url": p.get("webhook_url")} for p in real]
    for k in range(DELIVERIES_PER_DOCUMENT - len(out)):
        out.append(
            {
                "_id": f"history-partner-{k}",
                "code": f"HIST.{k:02d}",
                "webhook_url": f"https://partner-{k}.example.gov.vn/hook",
            }
        )
    return out[:DELIVERIES_PER_DOCUMENT]


async def preload_deliveries(db: DB, t: Templates, start: int, stop: int) -> int:
    repo = DeliveryRepository(db)
    partners = _history_partners(t.partners)
    newest = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=2)
    buckets: dict[str, set[str]] = defaultdict(set)
    count = 0
    for first in range(start, stop, BATCH // DELIVERIES_PER_DOCUMENT):
        jobs: list[Doc] = []
        for slot in range(first, min(stop, first + BATCH // DELIVERIES_PER_DOCUMENT)):
            document_id = issued_document(t.document, slot)["_id"]
            event_id = str(uuid.uuid4())
            at = newest - slot * JOB_SPACING
            jobs += [delivered_job(document_id, p, event_id, at, t.job) for p in partners]
        lookups = [
            {
                "_id": document_key(j["partner_id"], j["document_id"]),
                "delivery_id": j["_id"],
                "event_id": j["event_id"],
            }
            for j in jobs
        ]
        for j in jobs:
            buckets[f"{FINISHED}:{minute_key(j['finished_at'])}"].add(j["_id"])
        await repo.collection.insert_many(jobs, ordered=False)
        await repo.lookups.collection.insert_many(lookups, ordered=False)
        count += len(jobs)
    await _add_to_sets(repo.buckets.collection, {k: {"ids": v} for k, v in buckets.items()})
    return count


# Portal ---------------------------------------------------------------------------------
def portal_page(template: Doc, document: Doc) -> Doc:
    """A copy of a real page for this document (when the portal has no preload of its own)."""
    at: dt.datetime = document["issued_at"]
    page = copy.deepcopy(template)
    for stale in ("revoked", "replaced_by", "replaces"):
        page.pop(stale, None)
    page.update(
        {k: document[k] for k in ("notation", "number", "year", "subject", "issue_date", "signed")}
        | {
            "_id": document["_id"],
            "slug": document_slug(document["notation"], document["year"]),
            "published_at": at.isoformat(),
            "sort_key": sort_key(
                dt.date.fromisoformat(document["issue_date"]), at, document["_id"]
            ),
            "signed": canonical_bytes(document["signed"]).decode(),  # one value, as signed
            "signature_status": str(SignatureStatus.VERIFIED),  # checked long ago
            "attachments": [],
            "applied": {"page": {"version": document["version"], "event_id": str(uuid.uuid4())}},
        }
    )
    return page


async def preload_pages(
    db: DB, t: Templates, start: int, stop: int, portal_own: bool = False
) -> int:
    portal_preload: Callable[..., Awaitable[list[str]]] | None = None
    if portal_own:
        from services.portal.repositories.preload import preload_pages as portal_preload
    if portal_preload is not None:
        per_day = int(dt.timedelta(days=1) / SLOT)
        end = history_end().astimezone(VN_TZ).date() - dt.timedelta(days=start // per_day)
        ids = await portal_preload(
            db, stop - start, end=end, per_day=per_day, id_prefix=f"hist{start}-"
        )
        return len(ids)
    if t.page is None:
        raise RuntimeError("the first round left no portal page to copy")
    collection = PageRepository(db).collection
    count = 0
    for first in range(start, stop, DOCUMENT_BATCH):
        pages = [
            portal_page(t.page, issued_document(t.document, s))
            for s in range(first, min(stop, first + DOCUMENT_BATCH))
        ]
        await collection.insert_many(pages, ordered=False)
        count += len(pages)
    return count


# Loading --------------------------------------------------------------------------------
async def _add_to_sets(
    collection: AsyncCollection[Doc], records: dict[str, dict[str, Any]]
) -> None:
    """Upsert ``{_id: {field: values}}`` with $addToSet, unordered, in chunks."""
    ops = [
        UpdateOne(
            {"_id": key},
            {"$addToSet": {f: {"$each": sorted(v)} for f, v in fields.items()}},
            upsert=True,
        )
        for key, fields in records.items()
    ]
    for first in range(0, len(ops), 500):
        await collection.bulk_write(ops[first : first + 500], ordered=False)


async def load_templates(client: AsyncMongoClient[Doc], databases: dict[str, str]) -> Templates:
    lgsp = client[databases["lgsp"]]
    document = await DocumentRepository(client[databases["documents"]]).collection.find_one(
        {"state": "issued", "published": True}
    )
    if document is None:
        raise RuntimeError("the first round left no issued document to copy")
    page = await PageRepository(client[databases["portal"]]).collection.find_one({"visible": True})
    job = await DeliveryRepository(lgsp).collection.find_one({"state": JobState.DELIVERED.value})
    partners = [p async for p in PartnerRepository(lgsp).collection.find({})]
    return Templates(document, page, job, partners)


async def preload(
    databases: dict[str, str],
    mongo_url: str,
    start: int,
    stop: int,
    say: Callable[[str], None] = print,
    *,
    portal_own: bool = False,
) -> dict[str, float]:
    """Grow the history from ``start`` to ``stop`` documents (the services are stopped)."""
    client: AsyncMongoClient[Doc] = AsyncMongoClient(mongo_url)
    try:
        t = await load_templates(client, databases)
        started = time.perf_counter()
        # One service after another: concurrent bulk writes can stall FerretDB.
        documents = await preload_documents(client[databases["documents"]], t.document, start, stop)
        deliveries = await preload_deliveries(client[databases["lgsp"]], t, start, stop)
        pages = await preload_pages(client[databases["portal"]], t, start, stop, portal_own)
        seconds = time.perf_counter() - started
        say(
            f"  preloaded {documents:,} documents, {deliveries:,} delivery jobs, {pages:,} "
            f"portal pages in {seconds:.1f} s"
        )
        return {
            "documents": documents,
            "deliveries": deliveries,
            "pages": pages,
            "seconds": round(seconds, 1),
        }
    finally:
        await client.close()
