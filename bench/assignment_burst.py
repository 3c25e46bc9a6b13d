"""Auto-assignment under a burst: 500 new conversations, 5 agents with capacity 20, on PostgreSQL.

Two ingest processes write the 500 conversations through the real `record_event` (one commit
each, as webhooks arrive) while four decider processes run `assign_waiting` for the inbox in
a tight loop, racing each other and the ingest: what the rq workers do when the post-commit
events of a burst arrive. Then 40 conversations are resolved and the deciders refill.

Checks: every decision replayed in commit order keeps max − min assigned ≤ 1 while capacity
lasts, nobody exceeds capacity, nothing is assigned twice, the rest waits in the queue.
Usage: python bench/assignment_burst.py [--conversations 500] [--agents 5] [--capacity 20]
       [--deciders 4] [--write]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from bench._common import fresh_pg_database, machine, write_section
from connectors.base import ConversationKind, EventKind, InboundEvent, Participant
from inbox.assignment import assign_waiting, save_policy
from inbox.channels import add_account
from inbox.conversations import Change, apply_change
from inbox.database import Database
from inbox.ingest import record_event
from inbox.models import AuditLog, ChannelAccount, Conversation
from inbox.users import create_user, set_inboxes


def _ingest(url: str, account_id: int, numbers: list[int]) -> None:
    db = Database(url)
    for n in numbers:
        with db.session() as s:
            account = s.get(ChannelAccount, account_id)
            assert account is not None
            record_event(
                s,
                account,
                InboundEvent(
                    kind=EventKind.MESSAGE,
                    account_external_id=account.external_id,
                    external_id=f"burst-{n}",
                    thread_key=f"cust-{n}",
                    conversation_kind=ConversationKind.DM,
                    sent_at=datetime.now(UTC),
                    customer=Participant(external_id=f"cust-{n}", name=f"고객 {n}"),
                    text="환불 문의드려요",
                ),
            )
    db.dispose()


def _decide(url: str, account_id: int, stop_at: float, done: mp.Event) -> None:  # type: ignore[valid-type]
    db = Database(url)
    while time.time() < stop_at:
        with db.session() as s:
            decided = assign_waiting(s, account_id)
        if not decided and done.is_set():  # type: ignore[attr-defined]
            break
    db.dispose()


def _replay(url: str, account_id: int, agents: list[int], capacity: int) -> dict[str, int]:
    """Walk the decisions in commit order; the worst spread while everybody had room."""
    db = Database(url)
    with db.session() as s:
        rows = s.execute(
            select(AuditLog.detail)
            .where(AuditLog.action == "conversation.auto_assign")
            .order_by(AuditLog.id)
        ).all()
        twice = s.scalar(
            select(func.count()).select_from(
                select(AuditLog.target_id)
                .where(AuditLog.action == "conversation.auto_assign")
                .group_by(AuditLog.target_id)
                .having(func.count() > 1)
                .subquery()
            )
        )
    db.dispose()
    load = dict.fromkeys(agents, 0)
    worst = 0
    for (detail,) in rows:
        load[detail["user_id"]] += 1
        if max(load.values()) <= capacity:
            worst = max(worst, max(load.values()) - min(load.values()))
    return {
        "decisions": len(rows),
        "worst_spread": worst,
        "max_load": max(load.values()),
        "assigned_twice": int(twice or 0),
    }


def run(conversations: int, n_agents: int, capacity: int, deciders: int) -> dict[str, object]:
    url = fresh_pg_database("bench_assignment")
    db = Database(url)
    with db.session() as s:
        account = add_account(
            s,
            channel="facebook",
            connector="fake",
            name="burst",
            external_id="burst-page",
            sealed_credentials=None,
            options={},
        )
        account_id = account.id
        agents = []
        for i in range(n_agents):
            user, _ = create_user(s, email=f"agent{i}@bench.test", role="agent", name=f"agent{i}")
            set_inboxes(s, user, {account_id})
            agents.append(user.id)
        save_policy(
            s,
            account_id,
            enabled=True,
            mode="round_robin",
            capacity=capacity,
            reassign_off_shift=False,
            actor_id=None,
        )
    ctx = mp.get_context("fork")
    done = ctx.Event()
    started = time.time()
    numbers = list(range(conversations))
    ingest = [ctx.Process(target=_ingest, args=(url, account_id, numbers[i::2])) for i in range(2)]
    decide = [
        ctx.Process(target=_decide, args=(url, account_id, started + 300, done))
        for _ in range(deciders)
    ]
    for p in ingest + decide:
        p.start()
    for p in ingest:
        p.join()
    ingest_s = time.time() - started
    done.set()
    for p in decide:
        p.join()
    burst_s = time.time() - started
    first = _replay(url, account_id, agents, capacity)
    with db.session() as s:
        waiting = s.scalar(
            select(func.count()).where(
                Conversation.channel_account_id == account_id, Conversation.assignee_id.is_(None)
            )
        )
        # Each agent resolves 8: 40 slots free up; the deciders refill from the queue.
        for agent in agents:
            mine = s.scalars(
                select(Conversation)
                .where(Conversation.assignee_id == agent)
                .order_by(Conversation.id)
                .limit(8)
            ).all()
            for c in mine:
                apply_change(s, c, Change(status="resolved"), actor=None)
    done = ctx.Event()
    done.set()
    refill_started = time.time()
    decide = [
        ctx.Process(target=_decide, args=(url, account_id, time.time() + 60, done))
        for _ in range(deciders)
    ]
    for p in decide:
        p.start()
    for p in decide:
        p.join()
    refill_s = time.time() - refill_started
    with db.session() as s:
        loads = dict(
            s.execute(
                select(Conversation.assignee_id, func.count())
                .where(
                    Conversation.channel_account_id == account_id,
                    Conversation.status == "open",
                    Conversation.assignee_id.is_not(None),
                )
                .group_by(Conversation.assignee_id)
            )
            .tuples()
            .all()
        )
        still_waiting = s.scalar(
            select(func.count()).where(
                Conversation.channel_account_id == account_id, Conversation.assignee_id.is_(None)
            )
        )
    db.dispose()
    return {
        **first,
        "waiting_after_burst": int(waiting or 0),
        "ingest_s": ingest_s,
        "burst_s": burst_s,
        "refill_s": refill_s,
        "open_loads_after_refill": sorted(loads.values()),
        "waiting_after_refill": int(still_waiting or 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--agents", type=int, default=5)
    parser.add_argument("--capacity", type=int, default=20)
    parser.add_argument("--deciders", type=int, default=4)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    result = run(args.conversations, args.agents, args.capacity, args.deciders)
    load = os.getloadavg()[0]
    ok = (
        result["worst_spread"] <= 1
        and result["max_load"] <= args.capacity
        and result["assigned_twice"] == 0
        and result["decisions"] == args.agents * args.capacity
    )
    print(result, "load", load, "PASS" if ok else "FAIL")
    loads = result["open_loads_after_refill"]
    if args.write:
        write_section(
            "Auto-assignment burst",
            f"""
Written by `bench/assignment_burst.py --write`. {machine()}; 1-minute load average
{load:.2f} at the end (shared machine).

{args.conversations} new conversations arrive (two ingest processes, one commit each through
`record_event`) while {args.deciders} decider processes race `assign_waiting` on the inbox
(PostgreSQL row lock on the policy, SKIP LOCKED on conversations); {args.agents} agents with
capacity {args.capacity}, round-robin. Then every agent resolves 8 and the deciders refill.

| figure | value |
|---|---|
| decisions during the burst (agents × capacity) | {result["decisions"]} |
| worst max − min, replayed in commit order, while capacity lasts | {result["worst_spread"]} |
| highest load / capacity | {result["max_load"]} / {args.capacity} |
| conversations assigned twice | {result["assigned_twice"]} |
| waiting in the queue after the burst | {result["waiting_after_burst"]} |
| burst: all ingested / all decided (s) | {result["ingest_s"]:.1f} / {result["burst_s"]:.1f} |
| after 40 resolved: refill (s) | {result["refill_s"]:.2f} |
| after the refill: open loads, still waiting | {loads}, {result["waiting_after_refill"]} |
| verdict | {"PASS" if ok else "FAIL"} |
""",
        )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
