"""Webhook acknowledgement latency on loopback under load, in the production setup.

A fresh PostgreSQL database, a private redis-server, `switchboard web` (gunicorn) and one
`switchboard worker` (bench/_production.py). Two measurements, client-side latency of signed
fake-connector deliveries (verify → store, committed → 200):

1. "while the worker drains a backlog": B deliveries are stored with no worker running, then
   the worker starts and, while it drains them, C clients POST more: the ack path competing
   with a busy worker and PostgreSQL for the same CPUs (the issue's "p99 < 20 ms while the
   worker drains");
2. "steady": C clients POST while the worker keeps up, for each C in --concurrency.

Also the web processes' CPU time per acknowledgement (from /proc: unlike latency, barely
moved by other load on the machine) and the resident memory of the idle worker and of the
web processes. Usage:
  python bench/webhook_latency.py [--requests 3000] [--concurrency 2,8] [--backlog 10000]
      [--write]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import machine, percentile, write_section
from bench._production import Stack, children, cpu_seconds, message_event, rss_kib

TEXT = "주문번호 2026112400317 배송 언제 되나요?"


def _event(tag: str):  # type: ignore[no-untyped-def]
    return lambda i: message_event(f"{tag}-{i}", f"c{i % 300}", TEXT)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", default="2,8", help="concurrent clients, comma list")
    parser.add_argument("--backlog", type=int, default=10000, help="0: skip the draining run")
    parser.add_argument("--during-clients", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--db", default="bench_webhook", help="database name (dropped first)")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    stack = Stack(args.db, web_workers=args.web_workers)
    rows = []
    try:
        if args.backlog:
            stack.post(args.backlog, 8, _event("backlog"))
        started = time.time()
        worker = stack.start_worker()
        startup = stack.wait_ready(worker) - started  # process start to its drainer running
        idle_worker = rss_kib(worker.pid)
        web_pids = children(stack.web.pid)
        web_rss = [rss_kib(p) for p in web_pids]

        def web_cpu() -> float:
            return sum(cpu_seconds(p) for p in web_pids)

        if args.backlog:
            load = os.getloadavg()[0]
            result: list[tuple[list[float], float]] = []
            poster = threading.Thread(
                target=lambda: result.append(
                    stack.post(args.requests, args.during_clients, _event("during"))
                )
            )
            began, cpu = time.time(), web_cpu()
            poster.start()
            while stack.processed() < args.backlog:
                time.sleep(0.05)
            drained = time.time() - began
            poster.join()
            latencies, wall = result[0]
            rows.append(
                _row(
                    f"while the worker drains {args.backlog:,} waiting deliveries "
                    f"(drained in {drained:.1f} s)",
                    args.during_clients, latencies, wall, load, web_cpu() - cpu,
                )
            )  # fmt: skip
            print(rows[-1], flush=True)
        for level in (int(c) for c in args.concurrency.split(",")):
            load, cpu = os.getloadavg()[0], web_cpu()
            latencies, wall = stack.post(args.requests, level, _event(f"steady{level}"))
            rows.append(
                _row("steady, the worker keeping up", level, latencies, wall, load, web_cpu() - cpu)
            )
            print(rows[-1], flush=True)
        web_rss_after = [rss_kib(p) for p in children(stack.web.pid)]
    finally:
        stack.close()
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    memory = (
        f"idle `switchboard worker` (one process) {idle_worker / 1024:.0f} MiB, started in "
        f"{startup:.2f} s (exec to its ingest drainer running); each web process "
        f"{max(web_rss) / 1024:.0f} MiB idle, {max(web_rss_after) / 1024:.0f} MiB after the runs"
    )
    print(f"{memory}; load before {load_before}, after {load_after}")
    if args.write:
        table = "\n".join(rows)
        write_section(
            "Webhook acknowledgement latency and memory",
            f"""
`bench/webhook_latency.py --requests {args.requests} --concurrency {args.concurrency} --backlog
{args.backlog}`: the production setup on loopback — a fresh PostgreSQL database, a private
redis-server, `switchboard web` (gunicorn, {args.web_workers} processes) and one
`switchboard worker`, all on the same 2 CPUs as the load generator (Python threads with
`requests`). Clients POST signed single-message fake-connector deliveries; latency is
measured by the client for verify → store (committed) → 200; "web CPU per ack" is the
web processes' CPU time over the run (/proc) divided by its deliveries. First {args.backlog:,}
deliveries are stored with no worker running; the worker starts and, while it drains them,
{args.during_clients} clients POST {args.requests:,} more; then clients POST while it keeps up.

- Machine: {machine()}; load average before {load_before}, after {load_after}.

| run | clients | deliveries | p50 | p99 | deliveries/s | web CPU per ack | 1-min load at start |
|---|---|---|---|---|---|---|---|
{table}

- Memory (RSS): {memory}.
""",
        )


def _row(
    name: str, clients: int, latencies: list[float], wall: float, load: float, cpu: float
) -> str:
    """`cpu`: CPU seconds of the web processes over the run (/proc), shared by the acks."""
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    return (
        f"| {name} | {clients} | {len(latencies):,} | {p50:.1f} ms | {p99:.1f} ms | "
        f"{len(latencies) / wall:.0f} | {cpu / len(latencies) * 1000:.2f} ms | {load:.1f} |"
    )


if __name__ == "__main__":
    main()
