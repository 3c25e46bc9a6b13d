"""Notifications from domain events, in the transaction that caused them (SQLite, PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from inbox.conversations import Change, apply_change
from inbox.events import emit
from inbox.models import Conversation, User
from inbox.models.notifications import Notification
from inbox.notifications import list_for, mark_read, mentioned_users, set_email, unread_count
from inbox.replies import Draft, create_reply
from switchboard.runtime import Runtime

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def notes_of(rt: Runtime, user_id: int) -> list[tuple[str, str]]:
    with rt.db.session() as session:
        rows = session.scalars(
            select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        )
        return [(n.kind, n.text) for n in rows]


def note(rt: Runtime, conversation_id: int, author_id: int, text: str) -> None:
    with rt.db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        author = session.get(User, author_id)
        assert conversation is not None and author is not None
        create_reply(session, conversation, author, Draft(text=text, private=True))


def test_mention_notifies_colleagues_who_can_see_it_not_the_author(
    rt: Runtime, factory: Any
) -> None:
    a, b = factory.account(), factory.account("instagram")
    mina = factory.user(inboxes=[a.id], name="김미나", email="mina@example.test")
    mi = factory.user(inboxes=[a.id], name="김미", email="kim@example.test")
    joon = factory.user(inboxes=[a.id], name="Joon Park", email="joon@example.test")
    outsider = factory.user(inboxes=[b.id], name="준", email="outsider@example.test")
    conversation = factory.inbound(a, "배송 문의")
    published: list[dict[str, Any]] = []
    rt.db.on_events = published.extend
    note(rt, conversation.id, joon.id, "@김미나님 확인 부탁해요, @Joon Park 본인, @준 도")
    assert notes_of(rt, mina.id) == [
        ("mentioned", "@김미나님 확인 부탁해요, @Joon Park 본인, @준 도")
    ]
    assert notes_of(rt, mi.id) == []  # "@김미나" is the longer name at that spot
    assert notes_of(rt, joon.id) == []  # the author
    assert notes_of(rt, outsider.id) == []  # cannot see the conversation
    live = [e for e in published if e["topic"] == "notification.created"]
    assert [e["user_id"] for e in live] == [mina.id]


def test_mentions_by_email_local_part(rt: Runtime, factory: Any) -> None:
    factory.user(name="Mina", email="mina.kim@example.test")
    with rt.db.session() as session:
        assert [u.name for u in mentioned_users(session, "ping @mina.kim please")] == ["Mina"]
        assert mentioned_users(session, "no mention here") == []


def test_assignment_customer_reply_and_sla_breach(rt: Runtime, factory: Any) -> None:
    account = factory.account()
    lead = factory.user("admin", name="Lead")
    mina = factory.user(inboxes=[account.id], name="Mina")
    conversation = factory.inbound(account, "첫 문의", customer="c1", name="이서연")
    with rt.db.session() as session:
        fresh = session.get(Conversation, conversation.id)
        actor = session.get(User, lead.id)
        assert fresh is not None
        apply_change(session, fresh, Change(assignee_id=mina.id), actor=actor)
    factory.inbound(account, "아직인가요?", customer="c1")
    factory.inbound(account, "답변 부탁드려요", customer="c1")  # folds into the unread one
    with rt.db.session() as session:
        emit(session, "sla.breached", conversation_id=conversation.id, target="first_response")
    assert notes_of(rt, mina.id) == [
        ("assigned", "이서연"),
        ("customer_replied", "답변 부탁드려요"),
        ("sla_breach", "first_response 이서연"),
    ]
    # Assigning yourself is no news.
    with rt.db.session() as session:
        fresh = session.get(Conversation, conversation.id)
        me = session.get(User, lead.id)
        assert fresh is not None
        apply_change(session, fresh, Change(assignee_id=lead.id), actor=me)
    assert notes_of(rt, lead.id) == []


def test_read_state_counts_and_email_job(rt: Runtime, factory: Any) -> None:
    account = factory.account()
    mina = factory.user(inboxes=[account.id], name="Mina")
    boss = factory.user("admin", name="Boss")
    with rt.db.session() as session:
        me = session.get(User, mina.id)
        assert me is not None
        set_email(session, me, True)
    first = factory.inbound(account, "one", customer="c1")
    second = factory.inbound(account, "two", customer="c2")
    for conversation in (first, second):
        with rt.db.session() as session:
            fresh = session.get(Conversation, conversation.id)
            actor = session.get(User, boss.id)
            assert fresh is not None
            apply_change(session, fresh, Change(assignee_id=mina.id), actor=actor)
    # Email copies were asked for as jobs (NOTIFY_SMTP_URL is unset, so they send nothing).
    rt.jobs.drain()
    assert not rt.jobs.failures  # type: ignore[attr-defined]
    with rt.db.session() as session:
        me = session.get(User, mina.id)
        assert me is not None
        page = list_for(session, me)
        assert page.unread == 2
        assert [n.conversation_id for n in page.items] == [second.id, first.id]
        assert mark_read(session, me, [page.items[0].id]) == 1
        assert unread_count(session, me.id) == 1
        assert mark_read(session, me) == 1
        assert list_for(session, me, unread_only=True).items == []


def test_email_copies_go_through_real_smtp_once(rt: Runtime, factory: Any) -> None:
    from urllib.parse import quote

    from tests.support.smtp import running_smtp

    account = factory.account()
    mina = factory.user(inboxes=[account.id], name="Mina", email="mina@example.test")
    quiet = factory.user(inboxes=[account.id], name="Quiet", email="quiet@example.test")
    boss = factory.user("admin", name="Boss")
    with rt.db.session() as session:
        me = session.get(User, mina.id)
        assert me is not None
        set_email(session, me, True)
    conversation = factory.inbound(account, "문의", name="이서연")
    with running_smtp() as smtp:
        rt.settings = rt.settings.replace(
            NOTIFY_SMTP_URL=f"smtp://{quote(smtp.user)}:{smtp.password}@127.0.0.1:{smtp.port}",
            PUBLIC_BASE_URL="https://inbox.example.test",
        )
        for assignee in (mina, quiet):
            with rt.db.session() as session:
                fresh = session.get(Conversation, conversation.id)
                actor = session.get(User, boss.id)
                assert fresh is not None
                apply_change(session, fresh, Change(assignee_id=assignee.id), actor=actor)
        rt.jobs.drain()
        [mail] = smtp.wait_for(1)
    assert mail.rcpt_tos == ["mina@example.test"]
    assert mail.message["Subject"] == "[Switchboard] Assigned to you"
    body = mail.message.get_content()
    assert "이서연" in body and f"https://inbox.example.test/inbox/c/{conversation.id}" in body
    with rt.db.session() as session:
        sent = session.scalars(select(Notification).where(Notification.user_id == mina.id)).one()
        assert sent.emailed_at is not None
    from workers.notify import email_notification

    assert email_notification(sent.id) is False  # once only
