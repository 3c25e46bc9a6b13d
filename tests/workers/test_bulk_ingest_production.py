"""Bulk ingest in production mode: real `switchboard worker` processes on PostgreSQL and
Redis, killed, multiplied, and left without Redis or PostgreSQL for a while (issues 12, 14).

The database is the source of truth: every test ends with each delivery processed once and
each message stored once, whatever happened to the processes and servers in between.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from connectors.fake.connector import sign
from inbox.migrate import upgrade
from inbox.models import InboundDelivery, Message
from switchboard.runtime import Runtime
from tests.conftest import REDIS_TEST_URL
from tests.support.factory import Factory, fake_message
from tests.support.private_servers import private_postgres, private_redis
from tests.support.production import Production, production, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
FAST = {"SWEEP_INTERVAL_SECONDS": "1", "SWEEP_STALE_SECONDS": "1", "INGEST_POLL_SECONDS": "1"}


@pytest.fixture
def prod(pg_url: str, tmp_path: Path) -> Iterator[Production]:
    with production(pg_url, tmp_path, REDIS_TEST_URL, **FAST) as harness:
        Factory(harness.rt).account("facebook", external_id="page-1")
        yield harness


class Poster:
    """Signed fake-connector webhooks through the real endpoint (store, commit, wake)."""

    def __init__(self, rt: Runtime) -> None:
        from web import create_app

        self.client = create_app(rt).test_client()

    def post(self, *events: dict[str, Any], delay: float = 0) -> None:
        doc = {"account": "page-1", "events": list(events), "parse_delay": delay}
        body = json.dumps(doc).encode()
        response = self.client.post(
            "/webhooks/fake", data=body, headers={"X-Fake-Signature": sign("fake-secret", body)}
        )
        assert response.status_code == 200


def statuses(rt: Runtime) -> list[str]:
    with rt.db.session() as s:
        return list(s.scalars(select(InboundDelivery.status).order_by(InboundDelivery.id)))


def messages(rt: Runtime) -> int:
    with rt.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Message)) or 0)


def all_processed(rt: Runtime, n: int) -> bool:
    return statuses(rt) == ["processed"] * n


def batch_in_flight(rt: Runtime) -> bool:
    """Every `received` delivery is locked by a worker's open batch transaction."""
    with rt.db.session() as s:
        waiting = s.scalars(
            select(InboundDelivery.id).where(InboundDelivery.status == "received")
        ).all()
        free = s.scalars(
            select(InboundDelivery.id)
            .where(InboundDelivery.status == "received")
            .with_for_update(skip_locked=True)
        ).all()
        return bool(waiting) and not free


def test_worker_killed_mid_batch_loses_and_duplicates_nothing(prod: Production) -> None:
    rt, poster = prod.rt, Poster(prod.rt)
    for i in range(30):
        poster.post(fake_message(f"k-{i}", f"배치 중에 죽어도 {i}", customer=f"c{i % 7}"))
    poster.post(fake_message("k-slow", "느린 배송"), delay=4)  # the batch's last parse
    worker = prod.start_worker()
    wait_for(lambda: batch_in_flight(rt), what="a worker to hold all 31 in one batch")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    assert statuses(rt) == ["received"] * 31 and messages(rt) == 0
    prod.start_worker()
    wait_for(lambda: all_processed(rt, 31), what="the next worker to take the batch over")
    assert messages(rt) == 31


def test_several_workers_share_a_backlog_and_store_each_message_once(prod: Production) -> None:
    rt, poster = prod.rt, Poster(prod.rt)
    for i in range(900):
        n = i % 750  # 150 redeliveries of earlier messages, as Meta retries
        poster.post(fake_message(f"s-{n}", f"여러 워커 {n}", customer=f"c{n % 90}"))
    workers = [prod.start_worker() for _ in range(3)]
    for i in range(900, 1000):  # more arrive while they drain
        poster.post(fake_message(f"s-{i}", f"여러 워커 {i}", customer=f"c{i % 90}"))
    wait_for(lambda: all_processed(rt, 1000), what="three workers to drain the backlog")
    assert messages(rt) == 850
    assert all(w.poll() is None for w in workers)


def test_redis_flushed_with_a_batch_in_flight_loses_nothing(prod: Production) -> None:
    rt, poster = prod.rt, Poster(prod.rt)
    for i in range(10):
        poster.post(fake_message(f"f-{i}", f"레디스가 비어도 {i}"))
    poster.post(fake_message("f-slow", "느린 것"), delay=3)
    prod.start_worker()
    wait_for(lambda: batch_in_flight(rt), what="a batch in flight")
    prod.redis.flushdb()  # queues, locks, worker registrations: gone mid-batch
    for i in range(5):
        poster.post(fake_message(f"g-{i}", f"비운 다음 {i}"))
    wait_for(lambda: all_processed(rt, 16), what="everything, before and after the flush")
    assert messages(rt) == 16


def test_worker_keeps_going_through_a_redis_restart(pg_url: str, tmp_path: Path) -> None:
    with private_redis() as server, production(pg_url, tmp_path, server.url, **FAST) as prod:
        rt = prod.rt
        factory = Factory(rt)
        account = factory.account("facebook", external_id="page-1")
        poster = Poster(rt)
        worker = prod.start_worker()
        for i in range(5):
            poster.post(fake_message(f"a-{i}", f"재시작 전 {i}"))
        wait_for(lambda: all_processed(rt, 5), what="ingest before the restart")
        server.kill()  # Redis dies and loses everything
        for i in range(5):
            poster.post(fake_message(f"b-{i}", f"레디스 없이 {i}"))  # stored; wake-up lost
        wait_for(lambda: all_processed(rt, 10), what="ingest without Redis (the worker polls)")
        server.start()
        for i in range(5):
            poster.post(fake_message(f"c-{i}", f"재시작 후 {i}"))
        wait_for(lambda: all_processed(rt, 15), what="ingest after the restart")
        # rq jobs run again too: a reply goes out through the reconnected worker.
        conversation = factory.inbound(account)
        admin = factory.user("admin")
        from web import create_app

        response = (
            create_app(rt)
            .test_client()
            .post(
                f"/api/v1/conversations/{conversation.id}/messages",
                json={"text": "레디스 재시작 후 답장"},
                headers={"Authorization": f"Bearer {factory.token(admin)}"},
            )
        )
        assert response.status_code in (201, 202)
        reply_id = response.get_json()["id"]

        def sent() -> bool:
            with rt.db.session() as s:
                return s.get(Message, reply_id).status == "sent"

        wait_for(sent, what="the reply sent by the reconnected rq worker")
        assert worker.poll() is None  # the same process, never restarted
        assert messages(rt) == 15 + 2


def test_worker_keeps_going_through_a_postgres_restart(tmp_path: Path) -> None:
    with private_postgres() as pg:
        upgrade(pg.url)
        with production(pg.url, tmp_path, REDIS_TEST_URL, **FAST) as prod:
            rt = prod.rt
            Factory(rt).account("facebook", external_id="page-1")
            poster = Poster(rt)
            for i in range(5):
                poster.post(fake_message(f"p-{i}", f"재시작 전 {i}"))
            poster.post(fake_message("p-slow", "느린 것"), delay=3)
            worker = prod.start_worker()
            wait_for(lambda: batch_in_flight(rt), what="a batch in flight")
            pg.stop("immediate")  # every connection cut, the open batch with them
            log = prod.logs / "worker0.log"
            wait_for(
                lambda: "ingest drain failed" in log.read_text(errors="replace"),
                what="the worker to notice the outage",
            )
            pg.start()
            for i in range(5):
                poster.post(fake_message(f"q-{i}", f"재시작 후 {i}"))
            wait_for(lambda: all_processed(rt, 11), what="ingest after PostgreSQL came back")
            assert messages(rt) == 11
            assert worker.poll() is None
