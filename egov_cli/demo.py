"""`egov demo`: loads the demo data through the services' public APIs."""

from __future__ import annotations

import os

from egov_cli.platform import DEFAULT_PORTS
from shared.demo import DEMO_RECEIVER_PORT


def _url(service: str) -> str:
    port = os.environ.get(f"EGOV_{service.upper()}_PORT", DEFAULT_PORTS[service])
    return os.environ.get(f"EGOV_{service.upper()}_PUBLIC_URL") or f"http://127.0.0.1:{port}"


async def load_all() -> None:
    # Partners first, so that their subscriptions see the documents as they are issued.
    from services.documents.demo import load_demo as load_documents
    from services.documents.demo import load_incoming
    from services.lgsp.demo import load_demo as load_partners
    from services.portal.demo import load_demo as load_news

    await load_partners(_url("lgsp"), f"http://127.0.0.1:{DEMO_RECEIVER_PORT}/webhook")
    await load_documents(_url("documents"))
    # The partners sent documents in as they were loaded: staff handle some of them.
    await load_incoming(_url("documents"))
    await load_news(_url("portal"))
