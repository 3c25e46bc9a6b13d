"""Production drain of single-message webhook deliveries, whole processes (issue 12).

For each worker count: a fresh PostgreSQL database, a private redis-server, `switchboard web`
(gunicorn) and a load generator that POSTs N signed single-message deliveries over loopback
HTTP while no worker runs (the backlog a burst or a worker outage leaves). Then K
`switchboard worker` processes start and drain it; the rate counts from the moment the first
worker's drainer is up to the last commit. With one worker, more clients keep posting while
it drains: their acknowledgement latency is the "ack while draining" figure. CPU seconds of
the worker(s), the database's backends and the web processes are read from /proc.
Usage: python bench/ingest_drain.py [--messages 10000] [--workers 1,2,4] [--write]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import TEXTS, machine, percentile, write_section
from bench._production import Stack, children, cpu_seconds, message_event, rss_kib


def run(
    messages: int, workers: int, customers: int, during: int, db: str = "bench_drain"
) -> dict[str, object]:
    stack = Stack(db)
    try:
        backlog_acks, backlog_wall = stack.post(
            messages,
            8,
            lambda i: message_event(f"d-{i}", f"c{i % customers}", TEXTS[i % len(TEXTS)]),
        )
        last_backlog_id = int(stack.sql("SELECT max(id) FROM inbound_delivery")[0][0])
        web_pids = [stack.web.pid, *children(stack.web.pid)]
        web_cpu0 = sum(cpu_seconds(p) for p in web_pids)
        procs = [stack.start_worker() for _ in range(workers)]
        ready = min(stack.wait_ready(p) for p in procs)
        backends = {p: cpu_seconds(p) for p in stack.backend_pids()}
        worker_cpu0 = sum(cpu_seconds(p.pid) for p in procs)
        idle_rss = [rss_kib(p.pid) for p in procs]
        extra: dict[str, object] = {}
        if during:
            result: list[tuple[list[float], float]] = []
            poster = threading.Thread(
                target=lambda: result.append(
                    stack.post(
                        during,
                        2,
                        lambda i: message_event(f"x-{i}", f"x{i % customers}", TEXTS[i % 5]),
                    )
                )
            )
            poster.start()
        while stack.processed() < messages:
            time.sleep(0.02)
        done = time.time()
        worker_cpu = sum(cpu_seconds(p.pid) for p in procs) - worker_cpu0
        pg_cpu = sum(cpu_seconds(p) - backends.get(p, 0.0) for p in stack.backend_pids())
        web_cpu = sum(cpu_seconds(p) for p in web_pids) - web_cpu0
        first, last = stack.sql(
            "SELECT extract(epoch from min(processed_at)), extract(epoch from max(processed_at))"
            " FROM inbound_delivery WHERE id <= %s",
            last_backlog_id,
        )[0]
        if during:
            poster.join()
            extra["during_acks"] = result[0][0]
            while stack.processed() < messages + during:
                time.sleep(0.05)
        counts = stack.sql(
            "SELECT (SELECT count(*) FROM message), (SELECT count(*) FROM conversation),"
            " (SELECT count(*) FROM contact_identity),"
            " (SELECT count(*) FROM inbound_delivery WHERE status = 'processed')"
        )[0]
        busy_rss = [rss_kib(p.pid) for p in procs]
        return {
            "workers": workers,
            "rate": messages / (float(last) - ready),
            "commit_span": float(last) - float(first),
            "seconds": float(last) - ready,
            "wall": done - ready,
            "backlog_acks": backlog_acks,
            "backlog_rate": messages / backlog_wall,
            "worker_cpu": worker_cpu,
            "pg_cpu": pg_cpu,
            "web_cpu": web_cpu,
            "idle_rss": idle_rss,
            "busy_rss": busy_rss,
            "counts": counts,
            **extra,
        }
    finally:
        stack.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--during", type=int, default=2000, help="deliveries posted while draining")
    parser.add_argument("--db", default="bench_drain", help="database name (dropped first)")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    rows, results = [], []
    runs = [(int(w), 0) for w in args.workers.split(",")]
    if args.during:
        runs.append((1, args.during))  # one more: one worker drains while clients keep posting
    during_run: dict[str, object] = {}
    for k, during in runs:
        r = run(args.messages, k, args.customers, during, args.db)
        p99 = percentile(r["backlog_acks"], 99) * 1000  # type: ignore[arg-type]
        print(
            f"{k} worker(s){' + clients posting' if during else ''}: {r['rate']:,.0f} msg/s "
            f"({r['seconds']:.2f} s; commits span "
            f"{r['commit_span']:.2f} s); CPU s: worker {r['worker_cpu']:.1f}, postgres "
            f"{r['pg_cpu']:.1f}, web {r['web_cpu']:.1f}; rows {r['counts']}; "
            f"backlog posted at {r['backlog_rate']:.0f}/s, ack p99 {p99:.1f} ms; "
            f"worker RSS idle {[round(x / 1024) for x in r['idle_rss']]} MiB, "  # type: ignore[attr-defined]
            f"after {[round(x / 1024) for x in r['busy_rss']]} MiB",  # type: ignore[attr-defined]
            flush=True,
        )
        if during:
            during_run = r
            acks: list[float] = r["during_acks"]  # type: ignore[assignment]
            p50, p99 = percentile(acks, 50) * 1000, percentile(acks, 99) * 1000
            print(f"  ack while draining ({len(acks)} deliveries): p50 {p50:.1f}, p99 {p99:.1f} ms")
            continue
        results.append(r)
        rows.append(
            f"| {k} | {args.messages:,} | {r['rate']:,.0f} | {r['seconds']:.2f} s | "
            f"{r['worker_cpu']:.1f} / {r['pg_cpu']:.1f} / {r['web_cpu']:.1f} |"
        )
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average before {load_before}, after {load_after}")
    if not args.write:
        return
    one = results[0]
    acks = during_run.get("during_acks", [])
    backlog = one["backlog_acks"]
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    table = "\n".join(rows)
    write_section(
        "Production drain (bulk ingest)",
        f"""
`bench/ingest_drain.py --messages {args.messages} --workers {args.workers} --customers
{args.customers} --during {args.during}`: for each row a fresh PostgreSQL database, a private
redis-server, `switchboard web` (gunicorn, 2 processes × `WEB_THREADS` threads) and a load generator
(8 Python client threads) that POSTs {args.messages:,} signed **single-message** fake-connector
deliveries over loopback HTTP from {args.customers:,} customers (every customer new at first)
while no worker runs. Then K `switchboard worker` processes start; the rate counts from the
moment the first worker's ingest drainer is up until the last batch commits. CPU seconds
are read from /proc for the worker process(es), the database's PostgreSQL backends and the
web processes over the drain. Everything (load generator included) shares the same 2 CPUs.

- Machine: {machine()}; Redis {redis_version()}.
- Load: `uptime` before the runs {load_before}, after: `{uptime}` (a machine shared with
  other sessions' tests and benchmarks).

| worker processes | messages | messages/s | drain time | CPU s worker / postgres / web |
|---|---|---|---|---|
{table}

- Backlog posted at {one["backlog_rate"]:.0f} deliveries/s by 8 clients with no worker running:
  ack p50 {percentile(backlog, 50) * 1000:.1f} ms, p99 {percentile(backlog, 99) * 1000:.1f} ms.
- **Ack while the worker drains**: one more run where one worker drains the backlog while 2
  more clients POST {len(acks):,} deliveries: ack p50 {percentile(acks, 50) * 1000:.1f} ms, p99
  {percentile(acks, 99) * 1000:.1f} ms (client-measured); that worker drained the backlog at
  {during_run.get("rate", 0):,.0f} messages/s while the web processes competed for the CPUs.
- Worker RSS (one process: rq SimpleWorker, two ingest drainers, scheduler and beat threads):
  idle {one["idle_rss"][0] / 1024:.0f} MiB, after draining {one["busy_rss"][0] / 1024:.0f} MiB.
""",
    )


def redis_version() -> str:
    out = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout
    return out.split("v=")[1].split()[0] if "v=" in out else "?"


if __name__ == "__main__":
    main()
