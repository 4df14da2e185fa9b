"""structlog JSON logging with a correlation id that follows a document everywhere.

Every line a process writes is one JSON object with ``level``, ``timestamp``, ``service``,
the correlation id and the trace and span ids of the current trace, whoever wrote it: our own
loggers and the libraries' (aiokafka, pymongo, uvicorn, FastStream, httpx) alike, through
structlog's ``ProcessorFormatter`` on the standard library's root handler.
"""

from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import MutableMapping
from contextvars import ContextVar
from typing import Any

import structlog

correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)

_SECRET_KEYS = {
    "authorization",
    "password",
    "secret",
    "secrets",
    "token",
    "api_key",
    "x-api-key",
    "key",
    "client_secret",
    "private_key",
    "signing_key",
}
# Libraries whose routine chatter is not worth a line each below WARNING.
_CHATTY = ("aiokafka", "pymongo", "httpx", "httpcore", "faststream", "uvicorn.access")
_service_name = {"value": ""}  # one service per process


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def current_correlation_id() -> str | None:
    return correlation_id_var.get()


def _add_correlation_id(
    _: Any, __: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    cid = correlation_id_var.get()
    if cid and "correlation_id" not in event:
        event["correlation_id"] = cid
    return event


def _add_trace_ids(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    from shared.observability.tracing import current_ids

    ids = current_ids()
    if ids is not None and "trace_id" not in event:
        event["trace_id"], event["span_id"] = ids
    return event


def _redact_secrets(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    # Secrets never reach a log line, whatever a caller passes by mistake.
    for key in list(event):
        if key.lower() in _SECRET_KEYS:
            event[key] = "[redacted]"
    return event


def _foreign_origin(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    # A library's line: name the library, and keep the service (contextvars may be unset
    # in the library's own tasks).
    record = event.get("_record")
    if record is not None:
        event.setdefault("logger", record.name)
    service = _service_name["value"]
    if service and "service" not in event:
        event["service"] = service
    return event


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        _add_correlation_id,
        _add_trace_ids,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def configure_logging(service: str, level: str = "INFO") -> None:
    lvl = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_shared_processors(), _foreign_origin],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _redact_secrets,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(lvl)
    for chatty in _CHATTY:
        logging.getLogger(chatty).setLevel(max(lvl, logging.WARNING))
    # uvicorn's own loggers keep no handlers of their own: their lines go through ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        library = logging.getLogger(name)
        library.handlers[:] = []
        library.propagate = True
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(),
            structlog.stdlib.add_logger_name,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.stdlib.BoundLogger,
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=False,
    )
    _service_name["value"] = service
    structlog.contextvars.bind_contextvars(service=service)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)  # type: ignore[no-any-return]
