"""Ingest throughput of one worker process: fake-connector deliveries into PostgreSQL.

For each batch size, stores N webhook deliveries (each a batch of messages from many
customers, as Meta batches under load), then runs the real `process_delivery` job on them in
this one process and reports messages/s. Usage:
  python bench/ingest_throughput.py [--messages 5000] [--per 1,10,100] [--customers 500] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import fresh_pg_database, machine, write_section
from connectors.fake.connector import sign
from inbox.channels import add_account
from inbox.models import InboundDelivery
from switchboard.runtime import build_runtime
from switchboard.settings import Settings
from workers.context import set_runtime
from workers.ingest import process_delivery
from workers.runner import EmbeddedRunner

TEXTS = [
    "주문번호 2026112400317 배송 언제 되나요?",
    "환불해주세요",
    "Where is my order?",
    "비타민D 1000IU랑 2000IU 차이가 뭔가요?",
    "배송지 변경하고 싶어요. 서울 마포구로요.",
]


def measure(messages: int, per: int, customers: int) -> tuple[float, float]:
    """Return (messages/s, seconds) for `messages` split into deliveries of `per`."""
    url = fresh_pg_database("bench_ingest")
    settings = Settings.load(
        {
            "DATABASE_URL": url,
            "REDIS_URL": "",
            "SECRET_KEY": "x",
            "SWITCHBOARD_ENCRYPTION_KEY": "bench",
            "SWITCHBOARD_INSTANCE": "/tmp/bench-ingest",
            "SWITCHBOARD_FAKE_CONNECTOR": "1",  # the test connector exists only when asked for
            "FAKE_WEBHOOK_SECRET": "fake-secret",
        }
    )
    rt = build_runtime(settings, jobs=EmbeddedRunner(threads=1))
    set_runtime(rt)
    rng = random.Random(1)
    start = datetime(2026, 11, 25, tzinfo=UTC)
    deliveries = messages // per
    with rt.db.session() as s:
        add_account(
            s,
            channel="facebook",
            connector="fake",
            name="bench",
            external_id="page-1",
            sealed_credentials=None,
        )
        ids = []
        for d in range(deliveries):
            events = [
                {
                    "type": "message",
                    "id": f"m-{d}-{i}",
                    "text": rng.choice(TEXTS),
                    "from": {"id": f"c{rng.randrange(customers)}", "name": "고객"},
                    "at": (start + timedelta(seconds=d * per + i)).isoformat(),
                }
                for i in range(per)
            ]
            body = json.dumps({"account": "page-1", "events": events}).encode()
            row = InboundDelivery(
                endpoint="fake",
                connector="fake",
                body=body,
                headers={"X-Fake-Signature": sign("fake-secret", body)},
            )
            s.add(row)
            s.flush()
            ids.append(row.id)
    began = time.perf_counter()
    for delivery_id in ids:
        process_delivery(delivery_id)
    elapsed = time.perf_counter() - began
    rt.close()
    return deliveries * per / elapsed, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--per", default="1,10,100", help="messages per delivery, comma list")
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    rows = []
    for per in (int(p) for p in args.per.split(",")):
        rate, elapsed = measure(args.messages, per, args.customers)
        print(f"{per:>4} per delivery: {rate:,.0f} messages/s ({elapsed:.2f} s)")
        rows.append(f"| {per} | {args.messages // per:,} | {rate:,.0f} | {elapsed:.2f} s |")
    if args.write:
        load = os.getloadavg()[0]
        table = "\n".join(rows)
        write_section(
            "Ingest throughput",
            f"""
`bench/ingest_throughput.py --messages {args.messages} --per {args.per} --customers
{args.customers}`: {args.messages:,} messages from {args.customers:,} customers, stored as
fake-connector deliveries of N messages, then processed by the real
`workers.ingest.process_delivery` job one after another in **one process** into a fresh
PostgreSQL database on loopback. Per delivery: one committed retry-counter bump, then one
transaction that parses, routes, loads the batch's known conversations in one query, creates
missing contacts/identities/conversations, and inserts the run of messages with one
multi-row `INSERT … ON CONFLICT DO NOTHING`; conversations are updated at commit.

- Machine: {machine()}; load average {load:.2f} when the run ended.

| messages per delivery | deliveries | messages/s | time |
|---|---|---|---|
{table}

- Aim: ≥ 2,000 messages/s per worker process. Met when deliveries carry about 100
  messages (Meta batches up to 1,000 under load); with small deliveries the fixed cost per
  delivery (two transactions, two commits, about 8 round trips) dominates, and more worker
  processes (`switchboard worker ingest`) scale it: the work is idempotent and races are
  settled by the unique constraints.
""",
        )


if __name__ == "__main__":
    main()
