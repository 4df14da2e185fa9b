"""One set of EGOV_KAFKA_* settings gives the broker and the plain clients the same TLS
and SASL connection."""

from __future__ import annotations

import ssl

import pytest
from faststream.kafka.security import parse_security
from pydantic import ValidationError

from shared.messaging.kafka_security import broker_security, client_options
from shared.messaging.topics_admin import planned_topics
from shared.settings import KafkaClientSettings


def test_plaintext_adds_nothing() -> None:
    settings = KafkaClientSettings()
    assert client_options(settings) == {"security_protocol": "PLAINTEXT"}
    assert broker_security(settings) is None


def test_sasl_scram_over_tls_is_the_same_for_the_broker_and_the_clients() -> None:
    settings = KafkaClientSettings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="egov-documents",
        kafka_sasl_password="s3cret",
    )
    options = client_options(settings)
    broker = parse_security(broker_security(settings))
    for parsed in (options, broker):
        assert parsed["security_protocol"] == "SASL_SSL"
        assert parsed["sasl_mechanism"] == "SCRAM-SHA-512"
        assert parsed["sasl_plain_username"] == "egov-documents"
        assert parsed["sasl_plain_password"] == "s3cret"
        context = parsed["ssl_context"]
        assert isinstance(context, ssl.SSLContext) and context.verify_mode == ssl.CERT_REQUIRED


def test_tls_without_sasl() -> None:
    settings = KafkaClientSettings(kafka_security_protocol="SSL")
    assert parse_security(broker_security(settings))["security_protocol"] == "SSL"
    assert "sasl_mechanism" not in client_options(settings)


def test_sasl_without_credentials_is_refused() -> None:
    with pytest.raises(ValidationError, match="EGOV_KAFKA_SASL_USERNAME"):
        KafkaClientSettings(kafka_security_protocol="SASL_SSL")


def test_the_password_never_shows_in_the_settings() -> None:
    settings = KafkaClientSettings(
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_username="u",
        kafka_sasl_password="s3cret",
    )
    assert "s3cret" not in repr(settings)


def test_replicated_topics_carry_min_insync_replicas() -> None:
    for topic in planned_topics(".x", partitions=6, replication=3, min_insync_replicas=2):
        assert topic.replication_factor == 3
        assert topic.topic_configs["min.insync.replicas"] == "2"
    assert all(
        "min.insync.replicas" not in t.topic_configs for t in planned_topics(".x", replication=1)
    )
