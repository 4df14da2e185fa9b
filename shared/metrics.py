"""Prometheus metrics shared by the services; exposed at /metrics on the admin port.

What operators alert on (``deploy/observability/alerts.yaml``): consumer lag in records,
outbox backlog and its oldest marker, the LGSP's queue per partner and parked partners,
dead letters held, numbering reservations left open, HTTP latency, and the age of events
when they are applied. Every value comes from bounded reads (docs/performance.md).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_CONSUMED = Counter(
    "egov_events_consumed_total", "Events handled by a consumer", ["topic", "type", "outcome"]
)
DEAD_LETTERS = Counter("egov_dead_letters_total", "Records sent to a dead-letter topic", ["topic"])
EVENTS_PUBLISHED = Counter("egov_events_published_total", "Events published", ["topic", "type"])
OUTBOX_PENDING = Gauge(
    "egov_outbox_pending",
    "Aggregates with a pending marker: written in the last settle period or with work left",
    ["collection"],
)
OUTBOX_OLDEST_PENDING = Gauge(
    "egov_outbox_oldest_pending_seconds",
    "Age of the oldest pending marker (0 when there is none)",
    ["collection"],
)
EVENT_AGE = Histogram(
    "egov_event_age_seconds",
    "Time from an event's ce_time to its effect being applied",
    ["topic", "type"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600),
)
CONSUMER_LAG = Gauge(
    "egov_consumer_lag_records",
    "Records not yet committed by the consumer group (end offset minus committed offset)",
    ["group", "topic", "partition"],
)
DEAD_LETTERS_HELD = Gauge(
    "egov_dead_letters_held", "Records held in a dead-letter topic", ["topic"]
)
KAFKA_METRICS_UP = Gauge(
    "egov_kafka_metrics_up", "1 when the last lag and dead-letter reading succeeded"
)
DELIVERY_QUEUE_DEPTH = Gauge(
    "egov_lgsp_delivery_queue_depth", "Open webhook delivery jobs", ["partner"]
)
DELIVERY_OLDEST_DUE = Gauge(
    "egov_lgsp_delivery_oldest_due_seconds",
    "How long the partner's most overdue job has been due (0 when none is due)",
    ["partner"],
)
PARTNER_PARKED = Gauge(
    "egov_lgsp_partner_parked", "1 while the partner cannot be sent to", ["partner"]
)
NUMBERING_RESERVATIONS = Gauge(
    "egov_documents_numbering_reservations", "Register numbers reserved and not yet settled"
)
NUMBERING_OLDEST_RESERVATION = Gauge(
    "egov_documents_numbering_oldest_reservation_seconds",
    "Age of the oldest open reservation (0 when there is none)",
)
HTTP_REQUESTS = Counter("egov_http_requests_total", "HTTP requests", ["method", "route", "status"])
HTTP_LATENCY = Histogram(
    "egov_http_request_seconds",
    "HTTP latency per route",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
