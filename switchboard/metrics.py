"""Prometheus metrics, served at /metrics for the whole machine's processes.

`switchboard web` (every gunicorn process) and `switchboard worker`/`watch` share one
directory of prometheus_client's multiprocess files (PROMETHEUS_MULTIPROC_DIR, by default
<SWITCHBOARD_INSTANCE>/metrics), so /metrics adds up the web's and the workers' counters
whichever web process answers the scrape. The mode is chosen when prometheus_client is first
imported: switchboard/multiproc.py sets it up before anything imports it. Without the directory
(the demo, tests, one-off CLI commands) the counters are the process's own.
The list of metrics, with alert suggestions, is in docs/operations.md.
"""

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
JOB_FAILURES = Counter(
    "switchboard_job_failures_total", "Jobs that raised, by job function", ["job"]
)
INGEST_LAG = Histogram(
    "switchboard_ingest_lag_seconds",
    "From a delivery's arrival to the drain that claimed it (drain lag)",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
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
    multiprocess_mode="livesum",  # the live processes' slots, added up
)
WAITING_REFUSED = Counter(
    "switchboard_waiting_refused_total",
    "Waiting requests answered at once for want of a slot, by pool and cap",
    ["pool", "cap"],
)
RATE_LIMITED = Counter(
    "switchboard_rate_limited_total", "Requests refused by a rate limit, by endpoint", ["endpoint"]
)
