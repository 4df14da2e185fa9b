"""Backoff, Retry-After, outcome classes, rate limits, signatures, keys and the SSRF guard."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from standardwebhooks import Webhook

from services.lgsp.domain.backoff import (
    OutcomeKind,
    TokenBucket,
    classify,
    next_attempt_at,
    parse_retry_after,
)
from services.lgsp.domain.payload import delivery_payload
from services.lgsp.domain.signing import (
    new_api_key,
    new_webhook_secret,
    secret_matches,
    split_api_key,
    webhook_headers,
)
from services.lgsp.domain.webhook_url import UnsafeWebhookUrl, check_addresses, parse_webhook_url
from shared.kit.backoff import Backoff

NOW = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)


def test_backoff_grows_exponentially_with_jitter_and_is_capped() -> None:
    backoff = Backoff(base_s=2.0, max_s=60.0)
    rng = random.Random(1)
    for attempt, ceiling in [(1, 2.0), (2, 4.0), (3, 8.0), (10, 60.0)]:
        delay = backoff.delay(attempt, rng)
        assert ceiling / 2 <= delay <= ceiling


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    assert parse_retry_after("7", NOW) == 7.0
    assert parse_retry_after("Sat, 01 Mar 2025 00:00:30 GMT", NOW) == 30.0
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_only_2xx_is_success_410_is_gone_and_redirects_are_failures() -> None:
    assert classify(204, None, None).kind is OutcomeKind.DELIVERED
    assert classify(410, None, None).kind is OutcomeKind.GONE
    assert classify(302, None, None).kind is OutcomeKind.RETRY
    assert classify(500, None, 5.0).retry_after_s is None
    assert classify(429, None, 5.0).retry_after_s == 5.0
    assert classify(None, "reset", None).kind is OutcomeKind.RETRY


def test_retry_after_is_honoured_instead_of_the_backoff() -> None:
    outcome = classify(503, None, 42.0)
    assert next_attempt_at(NOW, 1, outcome, Backoff(1, 3600)) == NOW + dt.timedelta(seconds=42)


def test_a_token_bucket_allows_a_burst_then_the_rate() -> None:
    bucket = TokenBucket(rate=2.0, burst=3.0)
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.take(0.5)
    assert not bucket.take(0.5)


def test_signatures_verify_with_the_standardwebhooks_package_during_rotation() -> None:
    old, new = new_webhook_secret(), new_webhook_secret()
    body = b'{"id":"e1"}'
    headers = webhook_headers([old, new], "e1", int(NOW.timestamp()), body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    fresh = webhook_headers([old, new], "e1", int(dt.datetime.now(dt.UTC).timestamp()), body)
    assert Webhook(old).verify(body, fresh) == {"id": "e1"}
    assert Webhook(new).verify(body, fresh) == {"id": "e1"}


def test_api_keys_are_looked_up_by_id_and_checked_against_a_hash() -> None:
    key = new_api_key()
    parts = split_api_key(key.plaintext)
    assert parts is not None and parts[0] == key.key_id
    assert secret_matches(parts[1], key.secret_hash)
    assert not secret_matches(parts[1] + "x", key.secret_hash)
    assert key.secret_hash not in key.plaintext
    assert split_api_key("garbage") is None
    assert split_api_key("lgsp_short") is None


@pytest.mark.parametrize(
    ("url", "addresses"),
    [
        ("http://127.0.0.1:9000/hook", ["127.0.0.1"]),
        ("http://localhost/hook", ["127.0.0.1"]),
        ("https://intranet.example/hook", ["10.1.2.3"]),
        ("https://meta.example/hook", ["169.254.169.254"]),
        ("https://v6.example/hook", ["::1"]),
        ("https://mapped.example/hook", ["::ffff:192.168.1.1"]),
        ("https://nowhere.example/hook", []),
    ],
)
def test_webhooks_into_private_networks_are_refused(url: str, addresses: list[str]) -> None:
    with pytest.raises(UnsafeWebhookUrl):
        check_addresses(parse_webhook_url(url), addresses)


def test_a_public_https_webhook_is_accepted_and_odd_urls_are_not() -> None:
    check_addresses(parse_webhook_url("https://partner.gov.vn/hook"), ["203.162.4.1"])
    for bad in ["ftp://x/hook", "/relative", "https://user:pw@partner.gov.vn/"]:
        with pytest.raises(UnsafeWebhookUrl):
            parse_webhook_url(bad)


def test_the_payload_links_attachments_on_the_lgsp_instead_of_the_producer() -> None:
    data = {"attachments": [{"sha256": "ab" * 32, "fetch_path": "/api/v1/files/x", "name": "a"}]}
    payload = delivery_payload("e1", "gov.egov.x.v1", NOW, "d1", data, "https://lgsp.example/")
    attachment = payload["data"]["attachments"][0]
    assert attachment["url"] == f"https://lgsp.example/api/v1/files/{'ab' * 32}"
    assert "fetch_path" not in attachment
    assert payload["time"] == "2025-03-01T00:00:00Z"
    assert payload["id"] == "e1" and payload["subject"] == "d1"
