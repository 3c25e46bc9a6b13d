"""Prometheus metrics, served at /metrics. Counters are per process (see docs/operations.md)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

WEBHOOKS = Counter(
    "switchboard_webhook_deliveries_total",
    "Webhook requests by endpoint and outcome",
    ["endpoint", "outcome"],
)
INGESTED = Counter(
    "switchboard_ingested_events_total",
    "Events recorded by channel and outcome",
    ["channel", "outcome"],
)
REJECTED = Counter(
    "switchboard_rejected_deliveries_total", "Deliveries stored as rejected", ["connector"]
)
SENDS = Counter(
    "switchboard_sends_total", "Send attempts by channel and outcome", ["channel", "outcome"]
)
POLLS = Counter(
    "switchboard_polls_total", "Poll pages by channel and outcome", ["channel", "outcome"]
)
WEBHOOK_LATENCY = Histogram(
    "switchboard_webhook_seconds",
    "Time to store and acknowledge a webhook",
    ["endpoint"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1.0),
)
WAITING = Gauge(
    "switchboard_waiting_requests",
    "Long-polls and live streams holding a slot now, by pool (web/streams.py)",
    ["pool"],
)
WAITING_REFUSED = Counter(
    "switchboard_waiting_refused_total",
    "Waiting requests answered at once for want of a slot, by pool and cap",
    ["pool", "cap"],
)
RATE_LIMITED = Counter(
    "switchboard_rate_limited_total", "Requests refused by a rate limit, by endpoint", ["endpoint"]
)
