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
