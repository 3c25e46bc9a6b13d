"""Build test data through the real domain functions (never by poking rows directly)."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from typing import Any

from connectors.base import ConversationKind, EventKind, InboundEvent, Participant
from connectors.fake.connector import sign
from inbox.channels import add_account
from inbox.ingest import record_event
from inbox.models import ChannelAccount, Conversation, User
from inbox.users import create_user, set_inboxes
from switchboard.runtime import Runtime
from web.api.auth import issue_token

_seq = itertools.count(1)


class Factory:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def user(self, role: str = "agent", *, inboxes: list[int] | None = None, **kw: Any) -> User:
        with self.rt.db.session() as session:
            user, _ = create_user(
                session,
                email=kw.get("email", f"user{next(_seq)}@example.test"),
                role=role,
                name=kw.get("name"),
                password=kw.get("password", "correct horse battery"),
            )
            if inboxes is not None:
                set_inboxes(session, user, set(inboxes))
            return user

    def token(self, user: User) -> str:
        with self.rt.db.session() as session:
            fresh = session.get(User, user.id)
            assert fresh is not None
            return issue_token(session, fresh, "test")

    def account(
        self,
        channel: str = "facebook",
        *,
        connector: str = "fake",
        external_id: str | None = None,
        credentials: dict[str, str] | None = None,
        options: dict[str, Any] | None = None,
    ) -> ChannelAccount:
        with self.rt.db.session() as session:
            return add_account(
                session,
                channel=channel,
                connector=connector,
                name=f"{channel} test",
                external_id=external_id or f"acct-{next(_seq)}",
                sealed_credentials=self.rt.seal(credentials or {}),
                options=options or {},
            )

    def inbound(
        self,
        account: ChannelAccount,
        text: str = "안녕하세요, 주문번호 2026112400317 배송 문의드려요",
        *,
        customer: str = "cust-1",
        name: str = "김민호",
        kind: ConversationKind = ConversationKind.DM,
        thread: str | None = None,
        external_id: str | None = None,
        at: datetime | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Conversation:
        """A customer message through the real ingest; `extra` carries the connector's
        extras (opt_out, ...)."""
        with self.rt.db.session() as session:
            fresh = session.get(ChannelAccount, account.id)
            assert fresh is not None
            outcome = record_event(
                session,
                fresh,
                InboundEvent(
                    kind=EventKind.MESSAGE,
                    account_external_id=fresh.external_id,
                    external_id=external_id or f"ext-{next(_seq)}",
                    thread_key=thread or customer,
                    conversation_kind=kind,
                    sent_at=at or datetime.now(UTC),
                    customer=Participant(external_id=customer, name=name, handle=customer),
                    text=text,
                    extra=extra or {},
                ),
            )
            assert outcome.conversation_id is not None
            conversation = session.get(Conversation, outcome.conversation_id)
            assert conversation is not None
            return conversation


def fake_delivery(
    account_external_id: str, *events: dict[str, Any]
) -> tuple[bytes, dict[str, str]]:
    """A signed fake-connector webhook body and its headers."""
    body = json.dumps({"account": account_external_id, "events": list(events)}).encode()
    return body, {"X-Fake-Signature": sign("fake-secret", body), "Content-Type": "application/json"}


def fake_message(
    external_id: str, text: str, *, customer: str = "cust-1", name: str = "김민호", **extra: Any
) -> dict[str, Any]:
    return {
        "type": "message",
        "id": external_id,
        "from": {"id": customer, "name": name},
        "text": text,
        "at": extra.pop("at", datetime.now(UTC).isoformat()),
        **extra,
    }
