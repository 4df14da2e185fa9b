"""The read model this process serves, and when the public site last changed.

Both come from one ``_id $in`` read of the pointer and the change stamp, repeated every
``refresh_s``: a switch made by ``egov portal rebuild`` (or a change made by the other
replica) reaches this process within that time, and no request ever reads them itself.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

from services.portal.repositories.model import ModelCollections, ReadModelRepository
from shared.background import BackgroundLoop
from shared.kit.clock import utcnow
from shared.logging import get_logger

log = get_logger(__name__)
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def whole_second_after(moment: dt.datetime) -> dt.datetime:
    """Change stamps are whole seconds (as HTTP dates are), rounded up: a stamp is never
    earlier than the change it marks."""
    return dt.datetime.fromtimestamp(math.ceil(moment.timestamp()), dt.UTC)


class ActiveModel:
    def __init__(
        self,
        repository: ReadModelRepository,
        collections: ModelCollections,
        *,
        refresh_s: float,
        on_switch: Callable[[], None] = lambda: None,
    ) -> None:
        self._repository = repository
        self.collections = collections
        self._on_switch = on_switch
        self._changed_at = EPOCH
        self._unsaved: dt.datetime | None = None
        self._loop = BackgroundLoop("portal-read-model", self.refresh, refresh_s)

    @property
    def prefix(self) -> str:
        return self.collections.prefix

    @property
    def changed_at(self) -> dt.datetime:
        """The last change this process knows of (its own at once, others' within a round)."""
        return self._changed_at

    def mark_changed(self) -> None:
        """Something public changed here: the stamp moves now, and is saved on the next round."""
        stamp = whole_second_after(utcnow())
        self._changed_at = max(self._changed_at, stamp)
        self._unsaved = max(self._unsaved or stamp, stamp)
        self._loop.wake()

    async def refresh(self) -> None:
        if self._unsaved is not None:
            unsaved, self._unsaved = self._unsaved, None
            await self._repository.touch(unsaved)
        pointer, stamp = await self._repository.read()
        if stamp is not None:
            stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
            self._changed_at = max(self._changed_at, stamp)
        active = str((pointer or {}).get("active") or "")
        if active != self.collections.prefix:
            log.info("portal.read_model_switched", previous=self.collections.prefix, active=active)
            self.collections.prefix = active
            self._changed_at = max(self._changed_at, whole_second_after(utcnow()))
            self._on_switch()

    def on_switch(self, callback: Callable[[], None]) -> None:
        self._on_switch = callback

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()
