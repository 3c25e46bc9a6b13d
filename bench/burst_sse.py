"""Inbound-to-screen latency during a burst, whole processes (issue 12 item 4).

A fresh PostgreSQL database, a private redis-server, `switchboard web` (gunicorn) and one
`switchboard worker`. An admin signs in and opens the inbox's live stream (/live/stream, SSE)
as the browser does. Then 8 client threads POST a burst of N single-message deliveries to
one Page while a probe, every 100 ms, POSTs one message to a second Page, whose
`message.created` events the stream delivers: a probe's latency is webhook POST
sent → event read by the SSE client (verify, store, wake, claim, ingest, commit, Redis
pub/sub, web process, SSE). Two scenarios: the burst arriving over HTTP while the worker
runs (live), and a burst already waiting when the worker starts (backlog: a worker outage).
Each scenario runs with every INGEST_FRESH_SIZE in --fresh (default 50 and 0: the fresh lane
and strict oldest-first), interleaved. Usage:
  python bench/burst_sse.py [--burst 5000] [--fresh 50,0] [--scenarios live,backlog] [--write]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import machine, percentile, write_section
from bench._production import Stack, message_event
from connectors.fake.connector import sign

PASSWORD = "bench-password-1234"


def signed_in(stack: Stack) -> requests.Session:
    stack.cli("user", "create", "admin@bench.test", "--role", "admin", "--password", PASSWORD)
    session = requests.Session()
    page = session.get(stack.base + "/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    response = session.post(
        stack.base + "/login",
        data={"email": "admin@bench.test", "password": PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
    )
    assert response.status_code in (302, 303), response.status_code
    return session


def listen(session: requests.Session, stack: Stack, probe_account: int, out: queue.Queue) -> None:
    """Put (time read, event) for every message.created of the probe account."""
    with contextlib.suppress(requests.RequestException):  # the stack closed under the stream
        _listen(session, stack, probe_account, out)


def _listen(session: requests.Session, stack: Stack, probe_account: int, out: queue.Queue) -> None:
    with session.get(stack.base + "/live/stream", stream=True, timeout=(5, 600)) as response:
        out.put((time.time(), {"topic": "open"}))
        for line in response.iter_lines(decode_unicode=True):
            if not line or not line.startswith("data: "):
                continue
            event = json.loads(line[6:])
            if event.get("topic") == "message.created" and (
                event.get("channel_account_id") == probe_account
            ):
                out.put((time.time(), event))


def send_probe(stack: Stack, n: int) -> float:
    body = json.dumps(
        {"account": "page-2", "events": [message_event(f"probe-{n}", f"p{n}", "지금 봐 주세요")]}
    ).encode()
    sent = time.time()
    response = requests.post(
        stack.base + "/webhooks/fake",
        data=body,
        headers={"X-Fake-Signature": sign("fake-secret", body)},
        timeout=30,
    )
    assert response.status_code == 200
    return sent


def scenario(burst: int, backlog: bool, fresh: str) -> dict[str, object]:
    stack = Stack("bench_sse", accounts=("page-1", "page-2"), env={"INGEST_FRESH_SIZE": fresh})
    try:
        session = signed_in(stack)
        events: queue.Queue = queue.Queue()
        probe_account = stack.account_ids["page-2"]
        threading.Thread(
            target=listen, args=(session, stack, probe_account, events), daemon=True
        ).start()
        events.get(timeout=30)  # the stream is open
        burst_event = lambda i: message_event(f"b-{i}", f"c{i % 2000}", "배송 언제 되나요?")  # noqa: E731
        if backlog:
            stack.post(burst, 8, burst_event)
            worker = stack.start_worker()
            stack.wait_ready(worker)
            poster = None
        else:
            worker = stack.start_worker()
            stack.wait_ready(worker)
            # The burst's 8 clients in a process of their own: in this one they would hold
            # the GIL against the SSE reader, whose read times are the measurement.
            poster = multiprocessing.get_context("fork").Process(
                target=stack.post, args=(burst, 8, burst_event)
            )
            poster.start()
        # A probe every 100 ms while the burst drains, not waiting for the previous one.
        began = time.time()
        sent: list[float] = []
        while stack.processed() < burst or (poster is not None and poster.is_alive()):
            sent.append(send_probe(stack, len(sent)))
            time.sleep(0.1)
        drained = time.time() - began
        # Match each event to its probe by the stored message's external id ("probe-N"):
        # batches of concurrent drainers may commit out of order.
        seen: dict[int, float] = {}
        deadline = time.time() + 60
        while len(seen) < len(sent) and time.time() < deadline:
            try:
                at, event = events.get(timeout=max(0.1, deadline - time.time()))
            except queue.Empty:
                break
            seen[int(event["message_id"])] = at
        names = dict(
            stack.sql("SELECT id, external_id FROM message WHERE id = ANY(%s)", list(seen))
        )
        latencies = [at - sent[int(names[mid].split("-")[1])] for mid, at in seen.items()]
        missed = len(sent) - len(latencies)
        if poster is not None:
            poster.join()
        # Where the time went: a probe's row from stored (received_at) to ingested and
        # committed (processed_at); the rest is the ack before and Redis, web, SSE after.
        waits = [
            float(r[0])
            for r in stack.sql(
                "SELECT extract(epoch from processed_at - received_at) FROM inbound_delivery "
                "WHERE position(CAST('page-2' AS bytea) in body) > 0 AND processed_at IS NOT NULL"
            )
        ]
        return {"latencies": latencies, "missed": missed, "drained": drained, "waits": waits}
    finally:
        stack.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--burst", type=int, default=5000)
    parser.add_argument(
        "--fresh",
        default="50,0",
        help="INGEST_FRESH_SIZE values to compare, interleaved (0: strictly oldest first)",
    )
    parser.add_argument("--scenarios", default="live,backlog", help="which of live,backlog to run")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    chosen = args.scenarios.split(",")
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    rows = []
    runs = [
        (f"{name}, fresh lane {fresh}", backlog, fresh)
        for name, backlog in (("live burst over HTTP", False), ("burst waiting as a backlog", True))
        if ("backlog" if backlog else "live") in chosen
        for fresh in args.fresh.split(",")
    ]
    for name, backlog, fresh in runs:
        load = os.getloadavg()[0]
        r = scenario(args.burst, backlog, fresh)
        lat: list[float] = r["latencies"]  # type: ignore[assignment]
        p50, p95, worst = (
            percentile(lat, 50) * 1000,
            percentile(lat, 95) * 1000,
            max(lat) * 1000,
        )
        print(
            f"{name}: {len(lat)} probes during {r['drained']:.1f} s, p50 {p50:.0f} ms, "
            f"p95 {p95:.0f} ms, max {worst:.0f} ms, missed {r['missed']} (load {load:.1f}); "
            f"stored → committed p50 {percentile(r['waits'], 50) * 1000:.0f} ms, "  # type: ignore[arg-type]
            f"p95 {percentile(r['waits'], 95) * 1000:.0f} ms",  # type: ignore[arg-type]
            flush=True,
        )
        rows.append(
            f"| {name} | {len(lat)} | {p50:.0f} ms | {p95:.0f} ms | {worst:.0f} ms | "
            f"{r['missed']} | {r['drained']:.1f} s | {load:.1f} |"
        )
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"load before {load_before}; {uptime}")
    if args.write:
        table = "\n".join(rows)
        write_section(
            "Inbound to screen during a burst",
            f"""
`bench/burst_sse.py --burst {args.burst}`: a fresh PostgreSQL database, a private
redis-server, `switchboard web` (gunicorn, 2 processes × `WEB_THREADS` threads) and one
`switchboard worker`. An admin signs in and holds `/live/stream` (SSE) open as the inbox
page does. 8 client threads (a process of their own since issue 12 `thru`: in the reader's
process they held its GIL) POST {args.burst:,} signed single-message deliveries to one Page;
meanwhile a probe POSTs one message to a second Page every 100 ms, and the SSE client reads
their `message.created` events (matched to their probe by the stored message's id).
Latency = probe POST sent → event read by the SSE client (store, wake, claim, set-based
ingest, commit, Redis pub/sub, web, SSE). "Live": the
burst arrives over HTTP while the worker runs; "backlog": the burst was already stored when
the worker started (a worker outage, or a burst faster than the drain). "Fresh lane 50": the
worker's fresh-lane thread claims new deliveries that no older waiting one concerns the same
customer as (docs/scaling.md); "fresh lane 0": strictly oldest first, as before.

- Machine: {machine()}.
- Load: before {load_before}; after: `{uptime}`.

| scenario | probes | p50 | p95 | max | missed | burst drained in | 1-min load at start |
|---|---|---|---|---|---|---|---|
{table}
""",
        )


if __name__ == "__main__":
    main()
