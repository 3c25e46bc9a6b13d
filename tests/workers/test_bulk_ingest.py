"""The bulk ingest path (issue 12): many deliveries claimed and recorded per transaction.

Embedded tests run on SQLite and PostgreSQL; the racing test needs PostgreSQL's row locks.
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
from sqlalchemy import func, select

import connectors
from connectors.base import Capability
from connectors.fake import FakeConnector
from inbox.models import Contact, ContactIdentity, Conversation, InboundDelivery, Message
from tests.support.factory import fake_delivery, fake_message
from workers.ingest import (
    FETCH_JOB,
    MAX_ATTEMPTS,
    DeliveryFailed,
    drain,
    ingest_batch,
    process_delivery,
)

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
T0 = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)


def store(rt, *events, account: str = "page-1", raw: bytes | None = None) -> int:
    body, headers = fake_delivery(account, *events)
    with rt.db.session() as s:
        row = InboundDelivery(endpoint="fake", connector="fake", headers=headers, body=raw or body)
        s.add(row)
        s.flush()
        return row.id


def deliveries(rt) -> dict[int, tuple[str, str | None, int]]:
    with rt.db.session() as s:
        rows = s.execute(
            select(
                InboundDelivery.id,
                InboundDelivery.status,
                InboundDelivery.reason,
                InboundDelivery.attempts,
            )
        )
        return {r.id: (r.status, r.reason, r.attempts) for r in rows}


def count(rt, model, *where) -> int:
    with rt.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


@BOTH
def test_one_drain_records_a_mixed_batch_with_every_guarantee(rt, factory):
    account = factory.account(external_id="page-1")
    known = factory.inbound(account)  # an existing conversation with its customer
    with rt.db.session() as s:
        conv = s.get(Conversation, known.id)
        customer = conv.participant_key
        ours = Message(
            conversation_id=conv.id,
            channel_account_id=account.id,
            direction="outbound",
            kind="message",
            text="답변",
            status="sending",
        )
        s.add(ours)
        s.flush()
        ours_id, ours_uuid = ours.id, ours.uuid
    ids = [
        store(rt, fake_message("n-1", "새 고객 1", customer="new-1", at=at(1))),
        store(rt, fake_message("n-2", "새 고객 2", customer="new-2", at=at(2))),
        store(rt, fake_message("n-1", "새 고객 1", customer="new-1", at=at(1))),  # redelivered
        store(rt, fake_message("k-1", "기존 고객", customer=customer, at=at(3))),
        store(rt, {"type": "echo", "id": "echo-1", "ref": ours_uuid, "at": at(4), "text": "답변"}),
        store(rt, {"type": "read", "id": "r-1", "targets": ["echo-1"], "at": at(6)}),
        store(rt, {"type": "delivered", "id": "d-1", "targets": ["echo-1"], "at": at(5)}),
        store(rt, fake_message("x-1", "둘이 한 배송", customer="new-3", at=at(7))),
        store(rt, raw=b"{not json"),  # poison: cannot be parsed at all
        store(rt, fake_message("x-2", "같은 고객 두 번째", customer="new-3", at=at(8))),
    ]
    assert drain() == len(ids)  # one batch: everything waiting
    result = deliveries(rt)
    assert [result[i][0] for i in ids] == ["processed"] * 8 + ["rejected", "processed"]
    assert result[ids[8]][1]  # the reason is kept
    inbound = count(rt, Message, Message.direction == "inbound")
    assert inbound == 1 + 5  # the factory's message + n-1, n-2, k-1, x-1, x-2
    assert count(rt, Conversation) == 4  # known, new-1, new-2, new-3
    assert count(rt, ContactIdentity) == 4 and count(rt, Contact) == 4
    with rt.db.session() as s:
        echo = s.get(Message, ours_id)
        assert (echo.status, echo.external_id) == ("read", "echo-1")  # never back to delivered
        new3 = s.scalars(select(Conversation).where(Conversation.participant_key == "new-3")).one()
        assert new3.last_activity_at.replace(tzinfo=UTC) == T0 + timedelta(minutes=8)
        assert s.scalar(select(func.count()).where(Message.conversation_id == new3.id)) == 2
    assert drain() == 0  # nothing left, nothing redone


@BOTH
def test_a_failing_delivery_waits_for_retries_then_is_rejected_without_blocking_others(rt, factory):
    factory.account(external_id="page-1")
    good = store(rt, fake_message("g-1", "정상"))
    with rt.db.session() as s:  # a delivery for a connector this build does not have
        bad = InboundDelivery(endpoint="gone", connector="gone", headers={}, body=b"{}")
        s.add(bad)
        s.flush()
        bad_id = bad.id
    later = store(rt, fake_message("g-2", "그 다음"))
    assert drain() == 3
    result = deliveries(rt)
    assert result[good][0] == result[later][0] == "processed"
    assert result[bad_id][0] == "received" and result[bad_id][2] == 1
    assert "attempt 1 failed" in (result[bad_id][1] or "")
    assert drain() == 0  # a failed delivery is not retried by every batch: the sweeper does
    for _ in range(2, MAX_ATTEMPTS):  # the sweeper's retries
        with pytest.raises(DeliveryFailed, match="failed"):
            process_delivery(bad_id)
    process_delivery(bad_id)  # the last attempt stores it rejected, and does not raise
    status, reason, attempts = deliveries(rt)[bad_id]
    assert (status, attempts) == ("rejected", MAX_ATTEMPTS)
    assert "KeyError" in (reason or "")


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_poison_event_fails_the_batch_savepoint_and_only_its_delivery_is_rejected(rt, factory):
    factory.account(external_id="page-1")
    ids = [store(rt, fake_message(f"p-{i}", f"정상 {i}", customer=f"c{i}")) for i in range(4)]
    # PostgreSQL refuses NUL in text: the set-based insert fails for the whole batch.
    poison = store(rt, fake_message("p-nul", "널\x00문자", customer="c-nul"))
    ids.append(store(rt, fake_message("p-5", "뒤에 온 것", customer="c5")))
    assert drain() == 6
    result = deliveries(rt)
    assert {result[i][0] for i in ids} == {"processed"}
    assert result[poison][0] == "rejected" and "p-nul: failed" in (result[poison][1] or "")
    assert count(rt, Message) == 5
    assert count(rt, Conversation) == 5  # the poison's conversation was rolled back too


class _Fetching(FakeConnector):
    """The fake channel downloading attachments it was given by URL, as Meta's connectors do:
    a stored message with such an attachment asks for a fetch job."""

    capabilities: ClassVar[frozenset[Capability]] = FakeConnector.capabilities | {
        Capability.FETCH_ATTACHMENT
    }

    def fetch_attachment(self, account: Any, attachment: Any) -> bytes:
        return b"\xff\xd8 a photo"


@BOTH
def test_a_rolled_back_batch_forgets_the_jobs_it_asked_for(rt, factory, monkeypatch):
    fetching = dataclasses.replace(connectors.FAKE, connector=_Fetching)
    monkeypatch.setattr(connectors, "FAKE", fetching)
    factory.account(external_id="page-1")
    requested: list[dict[str, Any]] = []
    send = rt.db.on_jobs

    def sent_and_seen(jobs: list[dict[str, Any]]) -> None:
        requested.extend(jobs)
        send(jobs)

    monkeypatch.setattr(rt.db, "on_jobs", sent_and_seen)
    photo = {"kind": "image", "url": "https://cdn.example/p.jpg", "content_type": "image/jpeg"}
    good = store(rt, fake_message("f-1", "사진", customer="c1", at=at(1), attachments=[photo]))
    # A lone surrogate cannot be encoded for either database: the second account's insert
    # fails inside the batch's savepoint after page-1's messages were stored and their fetches
    # asked for (accounts are recorded in turn); the batch is redone delivery by delivery.
    factory.account(external_id="page-2")
    broken = fake_message("f-bad", "깨진 \ud800 글자", customer="c3", at=at(2))
    poison = store(rt, broken, account="page-2")
    later = store(rt, fake_message("f-2", "사진 둘", customer="c2", at=at(3), attachments=[photo]))
    assert drain() == 3
    result = deliveries(rt)
    assert result[good][0] == result[later][0] == "processed"
    assert result[poison][0] == "rejected"
    with rt.db.session() as s:
        stored = sorted(s.scalars(select(Message.id).where(Message.direction == "inbound")))
    assert len(stored) == 2
    fetches = sorted(job["args"][0] for job in requested if job["func"] == FETCH_JOB)
    assert fetches == stored  # one per stored message; none left from the rolled-back attempt


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_racing_drains_claim_disjoint_batches_and_store_each_message_once(rt, factory):
    factory.account(external_id="page-1")
    total = 600
    for i in range(total):
        # Every message is delivered twice (Meta redelivers), in different deliveries.
        event = fake_message(f"r-{i % 300}", f"경합 {i % 300}", customer=f"c{i % 300 % 40}")
        store(rt, event)
    barrier = threading.Barrier(4)
    taken: list[list[int]] = [[] for _ in range(4)]
    errors: list[BaseException] = []

    def work(n: int) -> None:
        barrier.wait()
        try:
            while batch := ingest_batch(37):  # small batches so the racers overlap often
                taken[n].extend(batch)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    every = [i for batch in taken for i in batch]
    assert len(every) == len(set(every)) == total  # none twice, none skipped
    assert sum(1 for batch in taken if batch) > 1  # the racers really shared the work
    assert {status for status, _, _ in deliveries(rt).values()} == {"processed"}
    assert count(rt, Message) == 300
    assert count(rt, Conversation) == 40 and count(rt, ContactIdentity) == 40


def test_the_webhook_wakes_one_coalesced_drain_in_embedded_mode(rt, client, factory):
    factory.account(external_id="page-1")
    for i in range(20):
        body, headers = fake_delivery("page-1", fake_message(f"w-{i}", f"깨우기 {i}"))
        assert client.post("/webhooks/fake", data=body, headers=headers).status_code == 200
    queued = [f for _, f, _ in rt.jobs.pending()]
    assert queued.count("workers.ingest.drain") <= 1  # not one job per delivery
    assert rt.jobs.drain()
    assert {s for s, _, _ in deliveries(rt).values()} == {"processed"}
    assert count(rt, Message) == 20
