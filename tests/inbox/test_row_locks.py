"""Row locks that must not wait for the foreign-key locks of rows being written (PostgreSQL).

Every message insert holds a KEY SHARE lock on its conversation and channel account rows
until it commits. A lock that conflicts with KEY SHARE (FOR UPDATE) turns an ordinary
overlap into a wait, and with a second row in play into a deadlock: CI once failed an
agent's note this way while the send job recorded the reply before it (inbox/receipts.py).
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, text

from inbox.assignment import assign_waiting, save_policy
from inbox.models import Conversation, Message
from inbox.replies import Draft, create_reply, mark_sent
from tests.inbox.test_ingest import T0, _sending, event, record

PG = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


def _waiting_for_a_lock(rt) -> int:
    with rt.db.session() as s:
        return int(
            s.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        )


@PG
def test_recording_a_send_does_not_wait_for_a_note_being_written(rt, factory):
    account = factory.account(external_id="page-1")
    conversation_id = record(rt, account.id, event("m1")).conversation_id
    reply_id = _sending(rt, account.id, conversation_id)
    errors: list[BaseException] = []
    finished = threading.Event()

    def record_the_send() -> None:
        try:
            with rt.db.session() as s:
                message = s.get(Message, reply_id)
                mark_sent(s, message, "w-1", T0)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            finished.set()

    with rt.db.session() as note_session:
        # The note's row is written (KEY SHARE on the account and the conversation) but not
        # committed; its update of the conversation comes at the commit, as in the API.
        conversation = note_session.get(Conversation, conversation_id)
        create_reply(note_session, conversation, None, Draft(text="물류팀 확인 필요", private=True))
        job = threading.Thread(target=record_the_send)
        job.start()
        # Until the job is done or stuck: a lock wait here is the defect, whatever its length.
        while not finished.is_set() and not _waiting_for_a_lock(rt):
            time.sleep(0.02)
        stuck = not finished.is_set()
        if stuck:
            note_session.rollback()  # let the job go, then report
    job.join()
    assert not stuck, "recording the send waited for the note's uncommitted row"
    assert errors == []
    with rt.db.session() as s:
        rows = dict(
            s.execute(
                select(Message.text, Message.status).where(
                    Message.conversation_id == conversation_id, Message.direction != "inbound"
                )
            ).all()
        )
        assert rows == {"답변": "sent", "물류팀 확인 필요": None}
        assert s.get(Conversation, conversation_id).first_response_at is not None


@PG
def test_auto_assignment_takes_a_conversation_a_note_is_being_added_to(rt, factory):
    account = factory.account()
    agent = factory.user(inboxes=[account.id], name="agent")
    conversation = factory.inbound(account, "배송 문의드려요", customer="c1")
    with rt.db.session() as note_session:
        create_reply(
            note_session,
            note_session.get(Conversation, conversation.id),
            None,
            Draft(text="확인 중", private=True),
        )
        # The note's row holds KEY SHARE on the conversation until it commits; SKIP LOCKED
        # under FOR UPDATE skipped the conversation for as long as that lasted.
        with rt.db.session() as s:
            save_policy(
                s, account.id, enabled=True, mode="round_robin", capacity=2,
                reassign_off_shift=False, actor_id=None,
            )  # fmt: skip
        rt.jobs.drain()
        with rt.db.session() as s:
            assign_waiting(s, account.id)
        with rt.db.session() as s:
            assert s.get(Conversation, conversation.id).assignee_id == agent.id
