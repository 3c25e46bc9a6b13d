"""Ingest throughput in one process (a diagnosis; bench/ingest_drain.py is the headline).

For each batch size, stores N webhook deliveries (each a batch of messages from many
customers, as Meta batches under load), then runs the real `workers.ingest.drain` on them in
this one process and reports messages/s; `--profile FILE` writes a cProfile of the drain.
Usage:
  python bench/ingest_throughput.py [--messages 5000] [--per 1,10,100] [--customers 500] [--write]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import TEXTS, in_process_runtime, machine, store_deliveries, write_section
from workers.ingest import drain


def measure(
    messages: int, per: int, customers: int, profile: str | None = None
) -> tuple[float, float]:
    """Return (messages/s, seconds) for `messages` split into deliveries of `per`."""
    rt = in_process_runtime("bench_ingest")
    deliveries = messages // per
    ids = store_deliveries(rt, messages=messages, per=per, customers=customers, texts=TEXTS)
    assert len(ids) == deliveries
    began = time.perf_counter()
    if profile:
        import cProfile

        cProfile.runctx("drain()", globals(), {"drain": drain}, profile)
    else:
        drain()
    elapsed = time.perf_counter() - began
    rt.close()
    return deliveries * per / elapsed, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--per", default="1,10,100", help="messages per delivery, comma list")
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    parser.add_argument("--profile", help="write a cProfile of the drain to this file")
    args = parser.parse_args()
    rows = []
    for per in (int(p) for p in args.per.split(",")):
        rate, elapsed = measure(args.messages, per, args.customers, args.profile)
        print(f"{per:>4} per delivery: {rate:,.0f} messages/s ({elapsed:.2f} s)")
        rows.append(f"| {per} | {args.messages // per:,} | {rate:,.0f} | {elapsed:.2f} s |")
    if args.write:
        load = os.getloadavg()[0]
        table = "\n".join(rows)
        write_section(
            "Ingest throughput",
            f"""
`bench/ingest_throughput.py --messages {args.messages} --per {args.per} --customers
{args.customers}`: a diagnosis in **one process**, not the headline figure (see "Production
drain"). {args.messages:,} messages from {args.customers:,} customers, stored as
fake-connector deliveries of N messages, then drained by the real `workers.ingest.drain`
(batches of 500 deliveries: one claim, set-based contacts/conversations/messages, one
commit) into a fresh PostgreSQL database on loopback.

- Machine: {machine()}; load average {load:.2f} when the run ended.

| messages per delivery | deliveries | messages/s | time |
|---|---|---|---|
{table}

- Before issue 12 the same script ran `process_delivery` once per delivery: 145 / 933 / 1,609
  messages/s for 1 / 10 / 100 messages per delivery.
""",
        )


if __name__ == "__main__":
    main()
