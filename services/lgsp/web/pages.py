"""The console's routes under one prefix: partners, deliveries and replays, monitoring."""

from __future__ import annotations

from fastapi import APIRouter

from services.lgsp.web import deliveries, monitoring, partners
from services.lgsp.web.common import PREFIX

router = APIRouter(prefix=PREFIX)
router.include_router(partners.router)
router.include_router(deliveries.router)
router.include_router(monitoring.router)
