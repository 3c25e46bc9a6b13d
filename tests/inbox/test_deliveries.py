"""State that web/ and workers/ used to write themselves, now written only by inbox/:
raw deliveries, poll cursors, a send requeued by the sweeper, e-mailed notifications,
fetched attachments, what a send returned beside its id (issue 17 item 3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from inbox import cursors, deliveries
from inbox.attachments import fetch_failed, fetched
from inbox.models import Attachment, InboundDelivery, Message, SyncCursor
from inbox.models.notifications import Notification
from inbox.notifications import mark_emailed
from inbox.replies import Draft, create_reply, mark_sent, requeue_interrupted
from switchboard.runtime import Runtime
from workers.sweep import sweep

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def _store(rt: Runtime, body: bytes, endpoint: str = "fake") -> int:
    with rt.db.session() as s:
        return deliveries.store(
            s, endpoint=endpoint, connector="fake", headers={"X-Test": "1"}, body=body
        ).id


@BOTH
def test_a_stored_delivery_is_received_and_claimed_once(rt: Runtime) -> None:
    first = _store(rt, b'{"n": 1}')
    second = _store(rt, b'{"n": 2}')
    with rt.db.session() as s:
        row = s.get(InboundDelivery, first)
        assert row is not None
        assert (row.status, row.attempts, row.headers, row.body) == (
            "received",
            0,
            {"X-Test": "1"},
            b'{"n": 1}',
        )
        claimed = deliveries.claim(s, limit=10)
        assert [c.id for c in claimed] == [first, second]
        assert deliveries.claim(s, ids=[second])[0].body == b'{"n": 2}'


@BOTH
def test_settle_stores_each_outcome_and_claim_then_skips_them(rt: Runtime) -> None:
    done, noted, retry, bad = (_store(rt, f"{i}".encode()) for i in range(4))
    now = datetime.now(UTC)

    def outcome(b_id: int, status: str, reason: str | None, attempts: int) -> dict[str, Any]:
        at = None if status == "received" else now
        return {
            "b_id": b_id,
            "status": status,
            "reason": reason,
            "attempts": attempts,
            "processed_at": at,
        }

    with rt.db.session() as s:
        deliveries.settle(
            s,
            [
                outcome(done, "processed", None, 0),
                outcome(noted, "processed", "m1: ignored", 0),
                outcome(retry, "received", "attempt 1 failed", 1),
                outcome(bad, "rejected", "unsupported", 0),
            ],
        )
    with rt.db.session() as s:
        rows = {r.id: r for r in s.scalars(select(InboundDelivery))}
        assert (rows[done].status, rows[done].reason) == ("processed", None)
        assert rows[done].processed_at is not None
        assert (rows[noted].status, rows[noted].reason) == ("processed", "m1: ignored")
        assert (rows[retry].status, rows[retry].attempts) == ("received", 1)
        assert rows[retry].processed_at is None
        assert (rows[bad].status, rows[bad].reason) == ("rejected", "unsupported")
        # A failed one waits for the sweeper's retry by id; a batch claim takes fresh ones only.
        assert deliveries.claim(s, limit=10) == []
        assert [c.id for c in deliveries.claim(s, ids=[retry])] == [retry]


@BOTH
def test_a_rejected_poll_item_is_kept_with_its_reason(rt: Runtime) -> None:
    at = datetime.now(UTC)
    with rt.db.session() as s:
        deliveries.store_rejected(
            s,
            endpoint="poll:mentions",
            connector="fake",
            headers={"channel_account_id": "7"},
            body=b"<garbled>",
            reason="no text",
            at=at,
        )
    with rt.db.session() as s:
        row = s.scalars(select(InboundDelivery)).one()
        assert (row.endpoint, row.status, row.reason, row.body) == (
            "poll:mentions",
            "rejected",
            "no text",
            b"<garbled>",
        )
        assert deliveries.claim(s, limit=10) == []


@BOTH
def test_a_cursor_is_created_once_advanced_and_scheduled(rt: Runtime, factory: Any) -> None:
    account = factory.account(external_id="page-1")
    soon = datetime.now(UTC) + timedelta(minutes=1)
    later = soon + timedelta(minutes=5)
    with rt.db.session() as s:
        assert cursors.read(s, account.id, "mentions") is None
        cursor = cursors.lock(s, account.id, "mentions")
        assert cursors.lock(s, account.id, "mentions").id == cursor.id
        cursors.advance(cursor, "since:42", soon)
    with rt.db.session() as s:
        assert cursors.read(s, account.id, "mentions") == "since:42"
        cursors.schedule(s, account.id, "mentions", later)
        cursors.schedule(s, account.id, "dms", later)  # a stream never polled: created
    with rt.db.session() as s:
        rows = {r.stream: r for r in s.scalars(select(SyncCursor))}
        assert set(rows) == {"mentions", "dms"}
        assert rows["mentions"].value == "since:42"  # scheduling never moves the cursor
        assert rows["dms"].value is None
        next_at = rows["mentions"].next_poll_at
        assert next_at is not None
        assert next_at.replace(tzinfo=UTC) == later.replace(microsecond=next_at.microsecond)


def _reply(rt: Runtime, factory: Any, text: str) -> int:
    conversation = factory.inbound(factory.account(external_id="page-1"))
    with rt.db.session() as s:
        message, _ = create_reply(s, s.get(type(conversation), conversation.id), None, Draft(text))
        return message.id


@BOTH
def test_requeueing_an_interrupted_send_emits_its_event(rt: Runtime, factory: Any) -> None:
    message_id = _reply(rt, factory, "보내던 중 멈춘 답장")
    with rt.db.session() as s:
        message = s.get(Message, message_id)
        assert message is not None
        message.status = "sending"
        s.info.pop("events", None)
        requeue_interrupted(s, message)
        assert message.status == "pending"
        assert s.info["events"] == [
            {
                "topic": "message.updated",
                "conversation_id": message.conversation_id,
                "message_id": message_id,
                "status": "pending",
            }
        ]


@BOTH
def test_the_sweeper_publishes_the_requeue_of_a_stuck_send(rt: Runtime, factory: Any) -> None:
    message_id = _reply(rt, factory, "보내던 중 죽은 작업")
    with rt.db.session() as s:  # a worker claimed it and died before the provider answered
        row = s.get(Message, message_id)
        assert row is not None
        row.status = "sending"
        row.sending_started_at = datetime.now(UTC) - timedelta(minutes=5)
    stream = rt.bus.listen(timeout=0.05)
    assert next(stream) is None  # subscribed
    sweep()
    heard = []
    for event in stream:
        if event is None:
            break
        heard.append(event)
    stream.close()  # type: ignore[attr-defined]
    requeued = [
        e for e in heard if e["topic"] == "message.updated" and e.get("message_id") == message_id
    ]
    assert requeued and requeued[0]["status"] == "pending"


@BOTH
def test_what_a_send_returned_beside_its_id_is_kept(rt: Runtime, factory: Any) -> None:
    message_id = _reply(rt, factory, "답장")
    with rt.db.session() as s:
        message = s.get(Message, message_id)
        assert message is not None
        mark_sent(s, message, "out-1", datetime.now(UTC), {"permalink": "https://example.test/1"})
    with rt.db.session() as s:
        message = s.get(Message, message_id)
        assert message is not None
        assert (message.status, message.external_id) == ("sent", "out-1")
        assert message.meta["permalink"] == "https://example.test/1"


@BOTH
def test_a_notification_is_marked_emailed(rt: Runtime, factory: Any) -> None:
    agent = factory.user("agent")
    at = datetime.now(UTC)
    with rt.db.session() as s:
        note = Notification(user_id=agent.id, kind="assigned", text="배정되었습니다")
        s.add(note)
        s.flush()
        note_id = note.id
    with rt.db.session() as s:
        mark_emailed(s, note_id, at)
        mark_emailed(s, note_id + 1000, at)  # gone meanwhile: nothing to mark, no error
    with rt.db.session() as s:
        row = s.get(Notification, note_id)
        assert row is not None and row.emailed_at is not None


@BOTH
def test_a_fetched_attachment_and_a_failed_fetch_are_recorded(rt: Runtime, factory: Any) -> None:
    conversation = factory.inbound(factory.account(external_id="page-1"))
    with rt.db.session() as s:
        message = s.scalars(select(Message).where(Message.conversation_id == conversation.id)).one()
        good = Attachment(message_id=message.id, kind="image", source_url="https://cdn.test/a")
        bad = Attachment(message_id=message.id, kind="image", source_url="https://cdn.test/b")
        s.add_all([good, bad])
        s.flush()
        fetched(good, "ab" * 32, 1234)
        fetch_failed(bad, "could not fetch: " + "x" * 1000)
    with rt.db.session() as s:
        rows = {r.source_url: r for r in s.scalars(select(Attachment))}
        assert (rows["https://cdn.test/a"].sha256, rows["https://cdn.test/a"].size) == (
            "ab" * 32,
            1234,
        )
        assert rows["https://cdn.test/a"].problem is None
        assert rows["https://cdn.test/b"].sha256 is None
        problem = rows["https://cdn.test/b"].problem
        assert problem is not None and problem.startswith("could not fetch: ")
        assert len(problem) == 500


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_acknowledgement_store_survives_a_dropped_connection(rt: Runtime) -> None:
    """Issue 12 (`thru`): the ack's INSERT has no pre-ping; a connection the server dropped
    (a restart) fails once and the store is made again on a new one."""
    from sqlalchemy import text

    def store(n: int) -> None:
        deliveries.store_delivery(
            rt.db, endpoint="fake", connector="fake", headers={}, body=b'{"n": %d}' % n, route=None
        )

    store(1)
    with rt.db.ack_engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with rt.db.engine.connect() as admin:  # the pooled ack connection is killed under it
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    store(2)
    with rt.db.session() as s:
        bodies = s.scalars(select(InboundDelivery.body).order_by(InboundDelivery.id)).all()
    assert bodies == [b'{"n": 1}', b'{"n": 2}']
