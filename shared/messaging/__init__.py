"""Kafka messaging on the shared contracts: envelope, publisher, consumers, outbox."""
