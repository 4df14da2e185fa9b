"""The rebuild's reading of the public topic on the real Kafka: every record once, in
batches that start small and double up to the full size (so the store
starts writing at once), up to the ends taken at the start."""

from __future__ import annotations

import datetime as dt

from services.portal.replay import KafkaReplaySource
from shared.contracts.events import DocumentPublished
from shared.contracts.models import DocumentSignature
from shared.contracts.topics import DOCUMENTS_PUBLIC
from tests.integration.portal.conftest import portal_settings
from tests.integration.portal.support import signed_document
from tests.support.kafka import produce_events, produce_raw

NOW = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
EVENTS = 900


def publication(n: int) -> DocumentPublished:
    document = signed_document(document_id=f"src{n:05d}", notation=f"{n + 1}/QĐ-BNG")
    return DocumentPublished(
        document_id=document.document_id,
        document_version=1,
        document=document,
        signature=DocumentSignature(kid="k", value="v", signed_at=NOW),
        published_at=NOW,
    )


async def test_batches_start_small_double_and_hold_every_record_once(topic_suffix: str) -> None:
    await produce_events((publication(n) for n in range(EVENTS)), topic_suffix)
    await produce_raw(DOCUMENTS_PUBLIC + topic_suffix, b"not an event", key=b"x")
    settings = portal_settings(topic_suffix, "http://127.0.0.1:9")
    async with KafkaReplaySource(settings, batch=400, first=50) as source:
        begin, ends = await source.start_offsets(), await source.end_offsets()
        sizes, ids = [], []
        async for batch in source.batches(begin, ends):
            sizes.append(len(batch))
            ids += [r.event.aggregate_id for r in batch]
        assert source.skipped == 1  # the unreadable record, named in the log
    assert sizes == [50, 100, 200, 400, 150]
    assert sorted(ids) == [f"src{n:05d}" for n in range(EVENTS)]
