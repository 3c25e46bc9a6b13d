"""An email typed into the chat only suggests a merge; a contact is read or merged only by
someone who can see every inbox it writes to (issue 13 §3)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from connectors.base import ConversationKind, EventKind, InboundEvent, Participant
from inbox.ingest import record_event
from inbox.models import ChannelAccount, Contact, Conversation
from tests.web.chat.support import Visitor, widget_account
from tests.web.ui.conftest import form_token, login

BOB = "bob@example.com"


def bob_writes_by_email(rt: Any, mailbox: ChannelAccount) -> int:
    """Bob's own email conversation (inbox B); returns Bob's contact id."""
    with rt.db.session() as session:
        account = session.get(ChannelAccount, mailbox.id)
        assert account is not None
        outcome = record_event(
            session,
            account,
            InboundEvent(
                kind=EventKind.MESSAGE,
                account_external_id=account.external_id,
                external_id="<order-1@example.com>",
                thread_key="<order-1@example.com>",
                conversation_kind=ConversationKind.EMAIL,
                sent_at=datetime.now(UTC),
                customer=Participant(external_id=BOB, email=BOB, name="Bob", handle=BOB),
                text="my order",
            ),
        )
        conversation = session.get(Conversation, outcome.conversation_id)
        assert conversation is not None
        conversation.contact.notes = "VIP, home address on file"
        return conversation.contact_id


def mallory_chats_as_bob(rt: Any, client: Any) -> Conversation:
    mallory = Visitor(client)
    mallory.start(name="Mallory", email=BOB)
    assert mallory.send("hi, I am Bob").status_code == 200
    with rt.db.session() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.kind == "chat")
        ).one()
        session.expunge(conversation)
        return conversation


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_an_email_typed_into_the_chat_does_not_join_an_existing_contact(
    rt: Any, client: Any, factory: Any
) -> None:
    widget = widget_account(factory, self_service=False)
    mailbox = factory.account("email", external_id="help@shop-b.example")
    bob_id = bob_writes_by_email(rt, mailbox)
    chat = mallory_chats_as_bob(rt, client)
    assert chat.contact_id != bob_id
    with rt.db.session() as session:
        mallory = session.get(Contact, chat.contact_id)
        assert mallory is not None
        assert (mallory.email, mallory.email_verified) == (BOB, False)
        bob = session.get(Contact, bob_id)
        assert bob is not None and bob.email_verified is True

    agent_a = factory.token(factory.user("agent", inboxes=[widget.id]))
    headers = {"Authorization": f"Bearer {agent_a}"}
    assert client.get(f"/api/v1/contacts/{bob_id}", headers=headers).status_code == 404
    merged = client.post(
        f"/api/v1/contacts/{chat.contact_id}/merge", json={"source_id": bob_id}, headers=headers
    )
    assert merged.status_code == 404


def test_a_real_email_does_not_join_a_chat_contact_that_typed_the_address_first(
    rt: Any, client: Any, factory: Any
) -> None:
    widget_account(factory, self_service=False)
    mailbox = factory.account("email", external_id="help@shop-b.example")
    chat = mallory_chats_as_bob(rt, client)
    bob_id = bob_writes_by_email(rt, mailbox)
    assert bob_id != chat.contact_id


def test_an_agent_who_sees_both_inboxes_is_offered_the_merge_and_can_accept_it(
    rt: Any, client: Any, factory: Any
) -> None:
    widget = widget_account(factory, self_service=False)
    mailbox = factory.account("email", external_id="help@shop-b.example")
    bob_id = bob_writes_by_email(rt, mailbox)
    chat = mallory_chats_as_bob(rt, client)
    both = factory.user("agent", inboxes=[widget.id, mailbox.id], email="both@example.test")
    login(client, both.email)
    page = client.get(f"/inbox/c/{chat.id}").get_data(as_text=True)
    assert f'<option value="{bob_id}">' in page  # suggested, not done
    token = form_token(client, f"/inbox/c/{chat.id}")
    answer = client.post(
        f"/inbox/contacts/{chat.contact_id}/merge",
        data={"conversation_id": chat.id, "other_id": bob_id, "csrf_token": token},
    )
    assert answer.status_code == 302
    with rt.db.session() as session:
        moved = session.get(Conversation, chat.id)
        assert moved is not None
        bob_conversation = session.scalars(
            select(Conversation).where(Conversation.kind == "email")
        ).one()
        assert bob_conversation.contact_id == moved.contact_id


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_contact_spanning_an_inbox_the_agent_cannot_see_is_not_readable_or_mergeable(
    rt: Any, client: Any, factory: Any
) -> None:
    a, b = factory.account("facebook"), factory.account("instagram")
    on_a = factory.inbound(a, "hello from a", customer="cust-a")
    on_b = factory.inbound(b, "hello from b", customer="cust-b")
    other_a = factory.inbound(a, "someone else", customer="cust-c")
    admin = factory.token(factory.user("admin"))
    folded = client.post(
        f"/api/v1/contacts/{on_a.contact_id}/merge",
        json={"source_id": on_b.contact_id},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert folded.status_code == 200
    with rt.db.session() as session:
        contact = session.get(Contact, on_a.contact_id)
        assert contact is not None
        contact.notes = "secret note from inbox B"

    agent_a = factory.user("agent", inboxes=[a.id], email="agent-a@example.test")
    headers = {"Authorization": f"Bearer {factory.token(agent_a)}"}
    assert client.get(f"/api/v1/contacts/{on_a.contact_id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/contacts/{other_a.contact_id}", headers=headers).status_code == 200
    merge = client.post(
        f"/api/v1/contacts/{other_a.contact_id}/merge",
        json={"source_id": on_a.contact_id},
        headers=headers,
    )
    assert merge.status_code == 404

    login(client, agent_a.email)
    page = client.get(f"/inbox/c/{on_a.id}")
    assert page.status_code == 200  # the conversation itself is agent A's to work
    html = page.get_data(as_text=True)
    assert "secret note from inbox B" not in html
    assert "cust-b" not in html
    token = form_token(client, f"/inbox/c/{other_a.id}")
    ui_merge = client.post(
        f"/inbox/contacts/{other_a.contact_id}/merge",
        data={"conversation_id": other_a.id, "other_id": on_a.contact_id, "csrf_token": token},
    )
    assert ui_merge.status_code == 404
    edit = client.post(
        f"/inbox/contacts/{on_a.contact_id}",
        data={"conversation_id": on_a.id, "notes": "overwritten", "csrf_token": token},
    )
    assert edit.status_code == 404
