"""A tiny partner endpoint for the demo: verifies Standard Webhooks signatures, keeps what
it received in memory and lists it at ``GET /received``; ``GET /healthz`` says it is up.

Run: ``python -m services.lgsp.demo_receiver`` (port ``shared.demo.DEMO_RECEIVER_PORT``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from services.lgsp.demo import read_credentials
from shared import demo

MAX_KEPT = 500


def _secret(code: str) -> str | None:
    entry = read_credentials().get(code)
    if isinstance(entry, dict) and entry.get("webhook_secret"):
        return str(entry["webhook_secret"])
    return None


def create_receiver(code: str = demo.WEBHOOK_PARTNER_CODE, secret: str | None = None) -> FastAPI:
    app = FastAPI(title="egov demo partner receiver")
    received: list[dict[str, Any]] = []

    @app.post("/webhook")
    async def webhook(request: Request) -> JSONResponse:
        current = secret or _secret(code)  # re-read until the demo has written it
        if current is None:
            return JSONResponse({"detail": "no webhook secret yet"}, status_code=503)
        body = await request.body()
        try:
            payload = Webhook(current).verify(body, dict(request.headers))
        except WebhookVerificationError as exc:
            return JSONResponse({"detail": f"bad signature: {exc}"}, status_code=401)
        except ValueError:
            return JSONResponse({"detail": "not JSON"}, status_code=400)
        received.append(
            {
                "webhook_id": request.headers.get("webhook-id"),
                "received_at": dt.datetime.now(dt.UTC).isoformat(),
                "payload": payload,
            }
        )
        del received[:-MAX_KEPT]
        return JSONResponse({"ok": True})

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        """Up; ``ready`` once the demo has written the partner's webhook secret."""
        return {"status": "ok", "ready": (secret or _secret(code)) is not None}

    @app.get("/received")
    async def listing() -> dict[str, Any]:
        return {"items": list(reversed(received))}

    return app


app = create_receiver()


def main() -> None:
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=demo.DEMO_RECEIVER_PORT)


if __name__ == "__main__":
    main()
