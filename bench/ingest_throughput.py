"""Ingest throughput of one worker process: fake-connector deliveries into PostgreSQL.

Stores N webhook deliveries (each a batch of messages from many customers, as Meta batches),
then runs the real `process_delivery` job on them in this one process and reports messages/s.
Usage: python bench/ingest_throughput.py [--deliveries 500] [--per 10] [--write]
"""

from __future__ import annotations

import argparse
import json
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=500)
    parser.add_argument("--per", type=int, default=10, help="messages per delivery")
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    url = fresh_pg_database("bench_ingest")
    settings = Settings.load(
        {
            "DATABASE_URL": url,
            "REDIS_URL": "",
            "SECRET_KEY": "x",
            "SWITCHBOARD_ENCRYPTION_KEY": "bench",
            "SWITCHBOARD_INSTANCE": "/tmp/bench-ingest",
        }
    )
    rt = build_runtime(settings, jobs=EmbeddedRunner(threads=1))
    set_runtime(rt)
    rng = random.Random(1)
    start = datetime(2026, 11, 25, tzinfo=UTC)
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
        for d in range(args.deliveries):
            events = [
                {
                    "type": "message",
                    "id": f"m-{d}-{i}",
                    "text": rng.choice(TEXTS),
                    "from": {"id": f"c{rng.randrange(args.customers)}", "name": "고객"},
                    "at": (start + timedelta(seconds=d * args.per + i)).isoformat(),
                }
                for i in range(args.per)
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
    total = args.deliveries * args.per
    began = time.perf_counter()
    for delivery_id in ids:
        process_delivery(delivery_id)
    elapsed = time.perf_counter() - began
    rate = total / elapsed
    print(f"{total} messages in {elapsed:.2f} s: {rate:,.0f} messages/s (one process)")
    if args.write:
        write_section(
            "Ingest throughput",
            f"""
`bench/ingest_throughput.py --deliveries {args.deliveries} --per {args.per} --customers
{args.customers}`: {args.deliveries} stored fake-connector deliveries of {args.per} messages
each ({total:,} messages from {args.customers:,} customers) processed by the real
`workers.ingest.process_delivery` job, one after another, in **one process**, into a fresh
PostgreSQL database on loopback. Each delivery is one transaction with one savepoint; every
message is deduplicated by the unique constraint (INSERT ... ON CONFLICT DO NOTHING); contact,
identity and conversation lookups and creation are included.

- Machine: {machine()}
- Result: **{rate:,.0f} messages/s** per worker process ({elapsed:.2f} s for {total:,} messages).
- Aim: ≥ 2,000 messages/s per worker process.
""",
        )
    rt.close()


if __name__ == "__main__":
    main()
