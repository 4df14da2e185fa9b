"""Logs are JSON lines carrying the correlation id, and secrets never reach them."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator

import pytest
import structlog

from shared.logging import configure_logging, correlation_id_var, get_logger


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    # The test points the loggers at its captured stdout, which closes afterwards: later
    # tests must not inherit a logger that writes to a closed stream.
    yield
    structlog.reset_defaults()
    logging.basicConfig(stream=sys.__stderr__, force=True)


def test_a_log_line_is_json_with_the_correlation_id_and_no_secret(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("documents", "INFO")
    token = correlation_id_var.set("corr-42")
    try:
        get_logger("test").info(
            "partner.created",
            code="000.00.00.G22",
            api_key="lgsp_abc_secret",
            authorization="Bearer eyJ...",
            secret="whsec_xyz",
        )
    finally:
        correlation_id_var.reset(token)
    line = capsys.readouterr().out.strip().splitlines()[-1]
    entry = json.loads(line)
    assert entry["event"] == "partner.created"
    assert entry["service"] == "documents"
    assert entry["correlation_id"] == "corr-42"
    assert entry["code"] == "000.00.00.G22"
    for key in ("api_key", "authorization", "secret"):
        assert entry[key] == "[redacted]"
    assert "lgsp_abc_secret" not in line and "whsec_xyz" not in line


def test_library_lines_are_json_with_level_time_service_and_trace(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from shared.observability.tracing import configure_tracing, span_in

    configure_tracing("documents")
    configure_logging("documents", "INFO")
    logging.getLogger("aiokafka").warning("broker %s unreachable", "kafka:9092")
    logging.getLogger("aiokafka").info("chatter below WARNING is dropped")
    with span_in(None, "work"):
        logging.getLogger("uvicorn.error").error("worker crashed")
        get_logger("test").info("ours.in_span")
    lines = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert [line["event"] for line in lines] == [
        "broker kafka:9092 unreachable",
        "worker crashed",
        "ours.in_span",
    ]
    for line in lines:
        assert line["level"] and line["timestamp"] and line["service"] == "documents"
    assert lines[0]["logger"] == "aiokafka" and "trace_id" not in lines[0]
    assert lines[1]["trace_id"] == lines[2]["trace_id"]
    assert len(lines[1]["trace_id"]) == 32
