"""TLS and SASL for every Kafka client of the platform, from one set of settings.

The broker (FastStream) takes a security object; the plain aiokafka clients (topic admin,
tools) take keyword arguments. Both come from :class:`KafkaClientSettings`, so a production
cluster with SASL/SCRAM over TLS needs the same five variables everywhere.
"""

from __future__ import annotations

import ssl
from typing import Any

from faststream.security import (
    BaseSecurity,
    SASLPlaintext,
    SASLScram256,
    SASLScram512,
)

from shared.settings import KafkaClientSettings


def ssl_context(settings: KafkaClientSettings) -> ssl.SSLContext | None:
    """A verifying TLS context when the protocol uses TLS; the CA file if one is set."""
    if settings.kafka_security_protocol not in ("SSL", "SASL_SSL"):
        return None
    return ssl.create_default_context(cafile=settings.kafka_ssl_cafile or None)


def client_options(settings: KafkaClientSettings) -> dict[str, Any]:
    """Keyword arguments for aiokafka's producer, consumer and admin clients."""
    options: dict[str, Any] = {"security_protocol": settings.kafka_security_protocol}
    context = ssl_context(settings)
    if context is not None:
        options["ssl_context"] = context
    if settings.kafka_security_protocol.startswith("SASL_"):
        options["sasl_mechanism"] = settings.kafka_sasl_mechanism
        options["sasl_plain_username"] = settings.kafka_sasl_username
        options["sasl_plain_password"] = settings.kafka_sasl_password.get_secret_value()
    return options


def broker_security(settings: KafkaClientSettings) -> BaseSecurity | None:
    """The same connection settings in FastStream's form (None: plaintext)."""
    protocol = settings.kafka_security_protocol
    context = ssl_context(settings)
    if protocol == "PLAINTEXT":
        return None
    if protocol == "SSL":
        return BaseSecurity(ssl_context=context, use_ssl=True)
    user = settings.kafka_sasl_username
    password = settings.kafka_sasl_password.get_secret_value()
    use_ssl = protocol == "SASL_SSL"
    mechanism = settings.kafka_sasl_mechanism
    if mechanism == "SCRAM-SHA-512":
        return SASLScram512(user, password, ssl_context=context, use_ssl=use_ssl)
    if mechanism == "SCRAM-SHA-256":
        return SASLScram256(user, password, ssl_context=context, use_ssl=use_ssl)
    return SASLPlaintext(user, password, ssl_context=context, use_ssl=use_ssl)
