"""The two conflict-tolerant inserts every idempotent job relies on, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from inbox.db import insert_ignore
from inbox.models import SyncCursor
from switchboard.runtime import Runtime

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@BOTH
def test_insert_ignore_says_whether_the_row_went_in(rt: Runtime, factory) -> None:
    account = factory.account(external_id="page-1")
    key = {"channel_account_id": account.id, "stream": "mentions"}
    columns = ["channel_account_id", "stream"]
    with rt.db.session() as session:
        first = insert_ignore(session, SyncCursor.__table__, key, columns)
        again = insert_ignore(session, SyncCursor.__table__, key, columns)
        other = insert_ignore(session, SyncCursor.__table__, {**key, "stream": "dms"}, columns)
        session.commit()
        rows = session.scalar(select(func.count()).select_from(SyncCursor))
    # Callers branch on this answer (one CSAT survey, one outgoing hook delivery per event).
    assert (first, again, other) == (True, False, True)
    assert rows == 2


@BOTH
def test_committed_events_name_the_account_of_their_conversation(rt: Runtime, factory) -> None:
    """The live streams filter by inbox from the event alone (web/ui/live.py): an event that
    names a conversation leaves the commit with its account, looked up once per commit, or
    not at all when the session holds the conversation."""
    from sqlalchemy import event

    from inbox.database import Database
    from inbox.events import emit
    from inbox.models import Conversation

    account = factory.account(external_id="page-events")
    conversation = factory.inbound(account, "계정 이름표", customer="c-events")
    heard: list[dict[str, object]] = []
    statements: list[str] = []
    db = Database(rt.settings.database_url, on_events=heard.extend)

    def selects(*args: object) -> None:
        if " ".join(str(args[2]).split()).startswith(
            "SELECT conversation.id, conversation.channel_account_id FROM"
        ):
            statements.append(str(args[2]))  # name_accounts's lookup

    event.listen(db.engine, "before_cursor_execute", selects)
    try:
        with db.session() as s:
            emit(s, "message.updated", conversation_id=conversation.id, message_id=7)
            emit(s, "contact.updated", contact_id=conversation.contact_id)
        looked_up = len(statements)
        with db.session() as s:
            row = s.get(Conversation, conversation.id)  # held: the identity map is weak
            assert row is not None
            loaded = len(statements)
            emit(s, "conversation.updated", conversation_id=conversation.id)
            emit(s, "conversation.updated", conversation_id=conversation.id, channel_account_id=5)
        assert len(statements) == loaded  # nothing asked: the conversation was in the session
    finally:
        db.dispose()
    assert looked_up == 1
    assert heard == [
        {
            "topic": "message.updated",
            "conversation_id": conversation.id,
            "message_id": 7,
            "channel_account_id": account.id,
        },
        {"topic": "contact.updated", "contact_id": conversation.contact_id},
        {
            "topic": "conversation.updated",
            "conversation_id": conversation.id,
            "channel_account_id": account.id,
        },
        {
            "topic": "conversation.updated",
            "conversation_id": conversation.id,
            "channel_account_id": 5,
        },
    ]
