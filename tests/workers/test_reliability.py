"""Issue 14 across processes and stores: shared pauses in Redis, 202 when the queue is down,
announcement Idempotency-Key, permalinks as enrichment, failed sends logged as failures.

Real parts only: Redis (the tests' own database number, or a closed port for "down"), a real
`switchboard worker` process, PostgreSQL/SQLite, and the Meta sandbox over loopback.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib
from sqlalchemy import func, select

from inbox import announcements
from inbox.announcements import Draft, NewImage
from inbox.models import Message
from inbox.models.announcements import Announcement, AnnouncementTarget
from switchboard.pauses import RedisPauses
from switchboard.runner import RqRunner
from switchboard.runtime import Runtime
from tests.conftest import REDIS_TEST_URL
from tests.connectors.facebook.sandbox_support import (
    PAGE,
    TOKEN,
    Sandbox,
    _forget_usage,
    sandbox,
    sandbox_config,
)
from tests.support.factory import Factory
from tests.support.production import production, wait_for
from tests.support.servers import free_port
from workers.publish import enqueue, sweep_publishing

__all__ = ["_forget_usage", "sandbox", "sandbox_config"]
BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
ROOT = Path(__file__).resolve().parents[2]


# -- item 3: pauses shared by every process -------------------------------------------------


@pytest.mark.redis
def test_a_pause_recorded_by_one_process_is_honoured_by_another() -> None:
    """Another OS process records a Meta code-4 pause; this one sees it before calling."""
    scope = f"meta:account:{PAGE}:{time.time_ns()}"
    code = (
        "from switchboard.pauses import RedisPauses; "
        f"RedisPauses({REDIS_TEST_URL!r}).pause([{scope!r}], 60)"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)
    here = RedisPauses(REDIS_TEST_URL)
    assert 50 < here.remaining([scope, "meta:app:other"]) <= 60
    here.pause([scope], 5)  # a shorter pause never shortens a longer one
    assert here.remaining([scope]) > 50
    assert here.remaining(["meta:account:someone-else"]) == 0
    redis_lib.Redis.from_url(REDIS_TEST_URL).delete(f"switchboard:pause:{scope}")


def test_pauses_survive_a_redis_that_is_down() -> None:
    """Redis down: pauses fall back to this process (never an error, never lost locally)."""
    down = RedisPauses(f"redis://127.0.0.1:{free_port()}/0")
    down.pause(["x:1:dm_send"], 30)
    assert 25 < down.remaining(["x:1:dm_send"]) <= 30


@pytest.fixture
def meta_settings(sandbox: Sandbox) -> dict[str, str]:
    return sandbox.settings(PUBLIC_BASE_URL="http://127.0.0.1:5999")


@pytest.fixture
def settings_overrides(meta_settings: dict[str, str]) -> dict[str, str]:
    return meta_settings


def test_a_throttled_send_stops_the_poller_of_the_same_page(
    rt: Runtime, factory: Any, sandbox: Sandbox
) -> None:
    """Meta answers code 32 to a send: the poll job for that Page does not call Graph."""
    from workers.poll import poll_account

    page = factory.account(
        "facebook", connector="facebook", external_id=PAGE, credentials={"page_token": TOKEN}
    )
    made = sandbox.emu("customers/dm", text="문의", deliver="none")
    poll_account(page.id)
    with rt.db.session() as s:
        conversation_id = s.scalar(select(Message.conversation_id))
    sandbox.emu("rate_limit", code=32, regain_minutes=3)
    with rt.db.session() as s:
        from inbox.models import Conversation
        from inbox.replies import Draft as ReplyDraft
        from inbox.replies import create_reply

        reply, _ = create_reply(s, s.get(Conversation, conversation_id), None, ReplyDraft("네"))
        reply_id = reply.id
    rt.jobs.enqueue("workers.send.send_message", reply_id, queue="send")
    assert rt.jobs.drain(timeout=20)  # type: ignore[attr-defined]
    assert rt.pauses.remaining([f"meta:account:{PAGE}"]) >= 170  # 3 minutes, for everyone
    sandbox.clear_requests()
    assert poll_account(page.id) == 0
    assert sandbox.requests() == []  # the poller left the Page alone
    assert made["customer_id"]


# -- item 5: 202 when the queue is down; Idempotency-Key on announcements --------------------


@BOTH
def test_reply_is_accepted_with_202_when_redis_is_down(rt: Runtime, factory: Any) -> None:
    account = factory.account(external_id="page-1")
    conversation = factory.inbound(account)
    agent = factory.user("admin")
    auth = {"Authorization": f"Bearer {factory.token(agent)}"}
    from web import create_app

    working = rt.jobs
    rt.jobs = RqRunner(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    try:
        client = create_app(rt).test_client()
        first = client.post(
            f"/api/v1/conversations/{conversation.id}/messages",
            json={"text": "레디스가 멈춰도 저장됩니다"},
            headers={**auth, "Idempotency-Key": "k-202"},
        )
        again = client.post(
            f"/api/v1/conversations/{conversation.id}/messages",
            json={"text": "레디스가 멈춰도 저장됩니다"},
            headers={**auth, "Idempotency-Key": "k-202"},
        )
    finally:
        rt.jobs = working
    assert first.status_code == 202, first.get_data(as_text=True)
    assert first.get_json()["status"] == "pending"
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    with rt.db.session() as s:
        assert s.scalar(select(func.count(Message.id)).where(Message.direction == "outbound")) == 1
    from workers.sweep import sweep

    with rt.db.session() as s:  # as if the sweeper's stale interval had passed
        row = s.get(Message, first.get_json()["id"])
        assert row is not None
        row.stored_at = datetime(2020, 1, 1, tzinfo=UTC)
    assert sweep()["sends"] == 1
    assert rt.jobs.drain()  # type: ignore[attr-defined]
    with rt.db.session() as s:
        row = s.get(Message, first.get_json()["id"])
        assert row is not None and row.status == "sent"


@BOTH
def test_announcement_create_honours_idempotency_key(rt: Runtime, factory: Any) -> None:
    fb = factory.account("facebook")
    marketer = factory.user("marketer")
    other = factory.user("marketer")
    from web import create_app

    client = create_app(rt).test_client()
    body = {"text": "크리스마스 특가", "targets": [{"channel_account_id": fb.id}]}
    headers = {"Authorization": f"Bearer {factory.token(marketer)}", "Idempotency-Key": "ann-1"}
    first = client.post("/api/v1/announcements", json=body, headers=headers)
    second = client.post("/api/v1/announcements", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()["id"] == second.get_json()["id"]
    stranger = client.post(
        "/api/v1/announcements",
        json=body,
        headers={"Authorization": f"Bearer {factory.token(other)}", "Idempotency-Key": "ann-1"},
    )
    assert stranger.status_code == 422
    with rt.db.session() as s:
        assert s.scalar(select(func.count(Announcement.id))) == 1
    spec = client.get("/api/v1/openapi.json").get_json()
    post = spec["paths"]["/announcements"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    reply = spec["paths"]["/conversations/{id}/messages"]["post"]["responses"]
    assert "202" in reply


# -- item 2: the platform id is recorded at once; the permalink is optional ---------------------


@BOTH
def test_a_failing_permalink_lookup_never_fails_a_published_post(
    rt: Runtime, factory: Any, sandbox: Sandbox
) -> None:
    fb = factory.account(
        "facebook", connector="facebook", external_id=PAGE, credentials={"page_token": TOKEN}
    )
    sandbox.emu("fault", mode="5xx", method="GET", count=50)  # every read fails
    with rt.db.session() as session:
        ann = announcements.create(
            session,
            None,
            Draft("신년 이벤트", {fb.id: None}, new_images=(NewImage(JPEG, "n.jpg"),)),
            store=rt.store,
        )
        jobs = announcements.schedule(session, ann, None, None, now=datetime.now(UTC))
    enqueue(rt, jobs)
    assert rt.jobs.drain(timeout=30)  # type: ignore[attr-defined]
    with rt.db.session() as s:
        target = s.get(AnnouncementTarget, jobs[0].target_id)
        assert target is not None
        assert target.status == "published" and target.external_id
        assert target.permalink is None
        assert target.announcement.status == "done"
    assert len(sandbox.requests(path="photos", method="POST")) == 1
    requests_to_post = sandbox.requests(path=target.external_id, method="GET")
    assert requests_to_post  # the enrichment was tried, and failed
    sandbox.http.delete(f"{sandbox.url}/_emu/fault", timeout=10)
    sweep_publishing()  # a lost or failed enrichment is re-tried by the sweeper (10 minutes)
    assert rt.jobs.drain(timeout=30)  # type: ignore[attr-defined]
    with rt.db.session() as s:
        target = s.get(AnnouncementTarget, jobs[0].target_id)
        assert target is not None and (target.permalink or "").startswith("https://")
        assert target.status == "published"
    assert len(sandbox.requests(path="photos", method="POST")) == 1


# -- item 7: a failed send is a failed job, not "Job OK" -------------------------------------


@pytest.fixture
def prod(pg_url: str, tmp_path: Path) -> Iterator[Any]:
    with production(pg_url, tmp_path, REDIS_TEST_URL, SWEEP_INTERVAL_SECONDS="60") as harness:
        yield harness


@pytest.mark.redis
@pytest.mark.postgres
def test_worker_logs_a_failed_send_as_a_failure(prod: Any, tmp_path: Path) -> None:
    factory = Factory(prod.rt)
    account = factory.account("facebook", external_id="page-1")
    conversation = factory.inbound(account)
    from inbox.models import Conversation
    from inbox.replies import Draft as ReplyDraft
    from inbox.replies import create_reply

    with prod.rt.db.session() as s:
        message, _ = create_reply(
            s, s.get(Conversation, conversation.id), None, ReplyDraft("보낼 수 없음 [permanent]")
        )
        message_id = message.id
    prod.rt.jobs.enqueue("workers.send.send_message", message_id, queue="send")
    prod.start_worker("send")

    def failed() -> bool:
        with prod.rt.db.session() as s:
            row = s.get(Message, message_id)
            return row is not None and row.status == "failed"

    wait_for(failed, what="the send to fail")
    log = tmp_path / "worker0.log"
    wait_for(lambda: "SendFailed" in log.read_text(errors="replace"), what="the worker's log")
    text = log.read_text(errors="replace")
    assert f"send of message {message_id} failed" in text
    assert "Job OK" not in text


# -- item 6: an announcement is never left `publishing` ----------------------------------------


@BOTH
def test_the_sweeper_recomputes_a_stale_announcement_status(rt: Runtime, factory: Any) -> None:
    """Belt and braces behind the row lock: a status left stale is derived again."""
    fb, ig = factory.account("facebook"), factory.account("instagram")
    with rt.db.session() as session:
        ann = announcements.create(
            session,
            None,
            Draft("공지", {fb.id: None, ig.id: None}, new_images=(NewImage(JPEG, "a.jpg"),)),
            store=rt.store,
        )
        announcements.schedule(session, ann, None, None, now=datetime.now(UTC))
        for target in ann.targets:  # both finished, but the announcement missed it
            target.status = "published"
            target.external_id = f"post-{target.id}"
        ann.status = "publishing"
        ann_id = ann.id
    assert sweep_publishing()["recomputed"] == 1
    with rt.db.session() as session:
        found = session.get(Announcement, ann_id)
        assert found is not None and found.status == "done"
