"""Helpers for the inbox UI tests: sign in through the real form, build conversations."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.base import Attachment, ConversationKind, EventKind, InboundEvent, Participant
from inbox.ingest import record_event
from inbox.models import ChannelAccount, Conversation
from switchboard.runtime import Runtime

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def login(client: Any, email: str, password: str = PASSWORD) -> Any:
    token = csrf_of(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def form_token(client: Any, path: str) -> str:
    return csrf_of(client.get(path).get_data(as_text=True))


def inbound(
    rt: Runtime,
    account: ChannelAccount,
    text: str,
    *,
    customer: str,
    name: str = "김민호",
    kind: ConversationKind = ConversationKind.DM,
    html: str | None = None,
    subject: str | None = None,
    attachments: tuple[Attachment, ...] = (),
    external_id: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Conversation:
    """One inbound message through the real ingest (any conversation kind, html, files)."""
    with rt.db.session() as session:
        fresh = session.get(ChannelAccount, account.id)
        assert fresh is not None
        outcome = record_event(
            session,
            fresh,
            InboundEvent(
                kind=EventKind.MESSAGE,
                account_external_id=fresh.external_id,
                external_id=external_id or f"{customer}-{datetime.now(UTC).timestamp()}",
                thread_key=customer,
                conversation_kind=kind,
                sent_at=datetime.now(UTC),
                customer=Participant(external_id=customer, name=name, handle=customer),
                text=text,
                html=html,
                subject=subject,
                attachments=attachments,
                extra=extra or {},
            ),
            store=rt.store,
        )
        conversation = session.get(Conversation, outcome.conversation_id)
        assert conversation is not None
        return conversation


@pytest.fixture
def team_setup(factory: Any) -> dict[str, Any]:
    """Two inboxes; an admin, an agent of inbox A and an agent of inbox B."""
    a = factory.account("facebook")
    b = factory.account("instagram")
    return {
        "a": a,
        "b": b,
        "admin": factory.user("admin", email="admin@example.test", name="관리자"),
        "agent": factory.user("agent", inboxes=[a.id], email="mina@example.test", name="민아"),
        "outsider": factory.user("agent", inboxes=[b.id], email="joon@example.test", name="준"),
    }
