"""What automation costs the ingest path, and what evaluating it costs the worker, on PostgreSQL.

Ingest: the real `process_delivery` job on fake-connector deliveries (10 messages each, from
many customers) into a fresh database, twice: with the post-commit sink reduced to the bus
only (automation off) and with the real sink, which enqueues one `after_commit` rq job per
commit on a private Redis started for the run. Rules never run inside ingest: this is the
whole difference ingest sees.

Evaluation: the enqueued `after_commit` jobs are then run in this process with R rules
(all conditions evaluated, one matching a refund message), an SLA policy and round-robin
on: time per message for rules + SLA clock + assignment.
Usage: python bench/rules_overhead.py [--messages 3000] [--per 10] [--rules 2,20] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import fresh_pg_database, machine, write_section
from connectors.fake.connector import sign
from inbox.assignment import save_policy
from inbox.channels import add_account
from inbox.models import InboundDelivery
from inbox.rules import save_rule
from inbox.sla import save_policy as save_sla
from inbox.users import create_user, set_inboxes
from switchboard.reactions import react
from switchboard.runner import EmbeddedRunner, RqRunner
from switchboard.runtime import build_runtime
from switchboard.settings import Settings
from tests.support.servers import free_port
from workers.automation import after_commit
from workers.context import set_runtime
from workers.ingest import process_delivery

TEXTS = [
    "주문번호 2026112400317 배송 언제 되나요?",
    "환불해주세요",
    "Where is my order?",
    "비타민D 1000IU랑 2000IU 차이가 뭔가요?",
    "반품하고 싶어요. 상자가 찢어져서 왔어요",
]


def _private_redis() -> tuple[subprocess.Popen[bytes], str, str]:
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="bench-redis-")
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", workdir],
        stdout=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    return proc, f"redis://127.0.0.1:{port}/0", workdir


def _setup(rt, rules: int, messages: int, per: int) -> list[int]:  # type: ignore[no-untyped-def]
    rng = random.Random(1)
    start = datetime(2026, 12, 5, tzinfo=UTC)
    with rt.db.session() as s:
        account = add_account(
            s,
            channel="facebook",
            connector="fake",
            name="bench",
            external_id="page-1",
            sealed_credentials=None,
        )
        for i in range(5):
            user, _ = create_user(s, email=f"a{i}@bench.test", role="agent", name=f"a{i}")
            set_inboxes(s, user, {account.id})
        save_policy(
            s,
            account.id,
            enabled=True,
            mode="round_robin",
            capacity=1000,
            reassign_off_shift=False,
            actor_id=None,
        )
        save_sla(
            s,
            name="std",
            priority="any",
            account_id=None,
            first_response_minutes=60,
            next_response_minutes=120,
            resolution_minutes=1440,
            actor_id=None,
        )
        for r in range(rules):
            refund = r == rules - 1  # the last one matches refunds; the others match nothing
            save_rule(
                s,
                name=f"rule {r}",
                trigger="customer_message",
                conditions=[
                    {
                        "field": "text",
                        "op": "contains",
                        "value": "환불|반품" if refund else f"없는말{r}",
                    },
                    {"field": "language", "op": "in", "value": ["ko"]},
                    {"field": "kind", "op": "in", "value": ["dm", "chat"]},
                ],
                actions=[
                    {"type": "add_label", "value": "환불"},
                    {"type": "set_priority", "value": "high"},
                ],
                actor_id=None,
            )
        ids = []
        for d in range(messages // per):
            events = [
                {
                    "type": "message",
                    "id": f"m-{d}-{i}",
                    "text": rng.choice(TEXTS),
                    "from": {"id": f"c{rng.randrange(1000)}", "name": "고객"},
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
    return ids


def _settings(url: str, redis_url: str) -> Settings:
    return Settings.load(
        {
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "x",
            "SWITCHBOARD_ENCRYPTION_KEY": "bench",
            "SWITCHBOARD_INSTANCE": "/tmp/bench-rules",
        }
    )


def ingest(
    messages: int, per: int, rules: int, automation: bool, redis_url: str
) -> dict[str, float]:
    url = fresh_pg_database("bench_rules")
    jobs = RqRunner(redis_url)
    rt = build_runtime(_settings(url, redis_url), jobs=jobs)
    set_runtime(rt)
    ids = _setup(rt, rules, messages, per)
    jobs.queues["maintenance"].empty()
    spent = [0.0]
    if not automation:
        rt.db.on_events = rt.bus.publish  # the bus only: what ingest paid before automation
    else:

        def timed(events: list[dict[str, object]]) -> None:
            """The real sink, with the automation part (enqueueing) timed on its own."""
            rt.bus.publish(events)
            began = time.perf_counter()
            react(jobs, events)
            spent[0] += time.perf_counter() - began

        rt.db.on_events = timed
    began = time.perf_counter()
    for delivery_id in ids:
        process_delivery(delivery_id)
    ingest_s = time.perf_counter() - began
    result = {"ingest_s": ingest_s, "rate": messages / ingest_s, "sink_s": spent[0]}
    if automation:
        queued = jobs.queues["maintenance"].jobs
        rt.jobs = EmbeddedRunner(threads=1)  # sends the rules would queue stay in this process
        began = time.perf_counter()
        for job in queued:
            after_commit(*job.args)
        result["eval_s"] = time.perf_counter() - began
        result["jobs"] = len(queued)
    rt.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--per", type=int, default=10)
    parser.add_argument("--rules", default="2,20")
    parser.add_argument("--rounds", type=int, default=3, help="alternating off/on rounds")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    proc, redis_url, workdir = _private_redis()
    counts = [int(x) for x in args.rules.split(",")]
    off_rates: list[float] = []
    on: dict[int, list[dict[str, float]]] = {n: [] for n in counts}
    loads = []
    try:
        for _ in range(args.rounds):  # alternate, so a neighbour's load hits both sides
            off_rates.append(ingest(args.messages, args.per, 2, False, redis_url)["rate"])
            for n in counts:
                on[n].append(ingest(args.messages, args.per, n, True, redis_url))
            loads.append(os.getloadavg()[0])
            print("off", off_rates[-1], {n: on[n][-1] for n in counts}, "load", loads[-1])
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    off = statistics.median(off_rates)
    table = [f"| off (bus only) | {off:,.0f} | — | — | — |"]
    for n in counts:
        rate = statistics.median(r["rate"] for r in on[n])
        per_msg = statistics.median(r["eval_s"] for r in on[n]) / args.messages * 1000
        share = statistics.median(r["sink_s"] / r["ingest_s"] * 100 for r in on[n])
        sink_ms = statistics.median(r["sink_s"] / r["jobs"] * 1000 for r in on[n])
        table.append(
            f"| on, {n} rules | {rate:,.0f} | {(rate - off) / off * 100:+.1f} % | "
            f"{sink_ms:.2f} ms ({share:.1f} %) | {per_msg:.2f} ms |"
        )
    text = "\n".join(table)
    print(text)
    if args.write:
        write_section(
            "Automation overhead (rules, SLA, assignment)",
            f"""
Written by `bench/rules_overhead.py --messages {args.messages} --per {args.per} --rules
{args.rules} --rounds {args.rounds} --write`. {machine()}; 1-minute load average
{min(loads):.1f}–{max(loads):.1f} during the run (shared machine, busy: treat differences
under about 15 % as noise). Medians of {args.rounds} alternating rounds.

Ingest = the real `process_delivery` job, one process, fake-connector deliveries of
{args.per} messages into a fresh PostgreSQL database. "On" adds what automation costs the
ingest path: the post-commit sink enqueues one `after_commit` rq job per commit (private
Redis), timed on its own in the fourth column: that, not the noisy rate, is the measured
ingest overhead. Rules, SLA clocks and assignment then run in that job, never inside
ingest; the last column is that job's cost per message, run afterwards in one process
(all rules evaluated, one matching the refund texts — two in five messages — which adds a
label and sets the priority; the SLA clock; round-robin over 5 agents).

| automation | ingest msg/s | vs off | enqueue per commit (share of ingest time) | job per msg |
|---|---|---|---|---|
{text}
""",
        )


if __name__ == "__main__":
    main()
