"""Prometheus metrics shared by the services; exposed at /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_CONSUMED = Counter(
    "egov_events_consumed_total", "Events handled by a consumer", ["topic", "type", "outcome"]
)
DEAD_LETTERS = Counter("egov_dead_letters_total", "Records sent to a dead-letter topic", ["topic"])
EVENTS_PUBLISHED = Counter("egov_events_published_total", "Events published", ["topic", "type"])
OUTBOX_PENDING = Gauge("egov_outbox_pending", "Aggregates with unpublished events", ["collection"])
CONSUMER_LAG = Gauge(
    "egov_consumer_lag_seconds", "Age of the last consumed record when handled", ["topic"]
)
HTTP_REQUESTS = Counter("egov_http_requests_total", "HTTP requests", ["method", "route", "status"])
HTTP_LATENCY = Histogram("egov_http_request_seconds", "HTTP latency", ["method", "route"])
