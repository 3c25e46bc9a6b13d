"""Production mode: real Redis, real `switchboard worker` processes, PostgreSQL.

These tests kill workers and flush Redis on purpose: the database is the source of truth, so
the sweeper finishes whatever was lost, and nothing is stored twice.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from connectors.fake.connector import sign
from inbox.models import InboundDelivery, Message
from switchboard.runtime import Runtime
from tests.conftest import REDIS_TEST_URL
from tests.support.factory import Factory, fake_message
from tests.support.production import production, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
SWITCHBOARD = str(Path(sys.executable).parent / "switchboard")


@pytest.fixture
def prod(pg_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    with production(
        pg_url, tmp_path, REDIS_TEST_URL, SWEEP_INTERVAL_SECONDS="1", SWEEP_STALE_SECONDS="1"
    ) as harness:
        yield {"rt": harness.rt, "start_worker": harness.start_worker, "redis": harness.redis}


def post_delivery(rt: Runtime, *events: dict[str, Any], delay: float = 0) -> None:
    from web import create_app

    body = json.dumps({"account": "page-1", "events": list(events), "parse_delay": delay}).encode()
    client = create_app(rt).test_client()
    response = client.post(
        "/webhooks/fake", data=body, headers={"X-Fake-Signature": sign("fake-secret", body)}
    )
    assert response.status_code == 200


def message_count(rt: Runtime) -> int:
    with rt.db.session() as s:
        return int(
            s.scalar(
                select(func.count()).select_from(Message).where(Message.direction == "inbound")
            )
            or 0
        )


def statuses(rt: Runtime) -> list[str]:
    with rt.db.session() as s:
        return list(s.scalars(select(InboundDelivery.status).order_by(InboundDelivery.id)))


def claimed_by_someone(rt: Runtime) -> bool:
    """A `received` delivery is locked by a worker's open batch (SKIP LOCKED cannot take it)."""
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


def test_worker_killed_mid_job_loses_nothing(prod):
    rt = prod["rt"]
    Factory(rt).account("facebook", external_id="page-1")
    worker = prod["start_worker"]()
    post_delivery(rt, fake_message("m-slow", "처리 중에 워커가 죽어도"), delay=3)

    wait_for(lambda: claimed_by_someone(rt), what="the worker to claim the delivery")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    assert statuses(rt) == ["received"]
    assert message_count(rt) == 0
    prod["start_worker"]()  # its sweeper re-enqueues the orphaned delivery
    wait_for(lambda: statuses(rt) == ["processed"], what="the sweeper to finish the delivery")
    assert message_count(rt) == 1


def test_redis_flushed_with_jobs_queued_loses_nothing(prod):
    rt = prod["rt"]
    Factory(rt).account("facebook", external_id="page-1")
    for i in range(5):
        post_delivery(rt, fake_message(f"m-{i}", f"레디스가 날아가도 {i}"))
    prod["redis"].flushdb()  # wake-ups, queues, locks: all gone
    prod["start_worker"]()
    wait_for(lambda: statuses(rt) == ["processed"] * 5, what="all deliveries to be processed")
    assert message_count(rt) == 5


def test_reply_retried_through_the_rq_scheduler_is_sent_once(prod):
    rt = prod["rt"]
    factory = Factory(rt)
    account = factory.account("facebook", external_id="page-1")
    conversation = factory.inbound(account)
    admin = factory.user("admin")
    from web import create_app

    client = create_app(rt).test_client()
    response = client.post(
        f"/api/v1/conversations/{conversation.id}/messages",
        json={"text": "재시도 후 한 번만 [transient:1]"},
        headers={"Authorization": f"Bearer {factory.token(admin)}"},
    )
    assert response.status_code == 201
    message_id = response.get_json()["id"]
    prod["start_worker"]()

    def sent() -> bool:
        with rt.db.session() as s:
            return s.get(Message, message_id).status == "sent"

    wait_for(sent, what="the retried send")
    with rt.db.session() as s:
        message = s.get(Message, message_id)
        assert message.attempts == 2 and message.external_id == f"fake-out-{message.uuid}"
