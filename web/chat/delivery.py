"""The visitor's event on its way in, and the visitor's view of the thread on its way out.

Sending goes through the durable inbound path of every channel: the event is written as a raw
`inbound_delivery` row (endpoint "chat") and committed, then the ingest job function runs on
it right away in this request, so the answer can say whether the message was stored and carry
the FAQ answers for it. If that inline run fails, the job is enqueued (and the sweeper would
find the row anyway): the visitor's message is never lost, and a retry with the same
`client_msg_id` from the same session is deduplicated by ingest (a message's identity is the
session plus `client_msg_id`: another visitor's choice of id never reaches this one).
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import ConversationKind, EventKind, InboundEvent
from connectors.webchat import WIDGET_HEADER, SessionClaims, message_external_id
from inbox import deliveries, selfservice
from inbox.faq.service import Suggestion
from inbox.ingest import record_event
from inbox.models import ChannelAccount, Message
from inbox.ordering import delivery_route
from switchboard.runtime import Runtime
from web.chat.context import Widget, connector, now_ts
from web.chat.transcript import (
    conversation_state,
    conversations_of,
    csat_cards,
    message_for_visitor,
    settled_cursor,
    visible_messages,
)
from workers.ingest import process_delivery

log = logging.getLogger(__name__)


def self_service_enabled(found: Widget) -> bool:
    return bool(found.options.get("self_service", True))


def deliver(
    rt: Runtime,
    found: Widget,
    claims: SessionClaims,
    token: str,
    line: dict[str, Any],
    *,
    page_url: object,
) -> str:
    """Store the event as a raw delivery, then ingest it now; "stored" or "queued"."""
    start: dict[str, Any] = {
        "v": 1,
        "type": "session.start",
        "session_id": claims.session_id,
        "visitor": {"name": claims.name, "email": claims.email},
        "locale": claims.locale,
        "ts": now_ts(),
    }
    if isinstance(page_url, str) and page_url:
        start["page_url"] = page_url[:2000]
    event = {**line, "session_id": claims.session_id, "ts": now_ts()}
    body = "\n".join(json.dumps(item, ensure_ascii=False) for item in (start, event)).encode()
    headers = {WIDGET_HEADER: found.external_id, "Content-Type": "application/x-ndjson"}
    # The same check a stored delivery must pass: every line belongs to the token's session.
    connector(rt).verify({**headers, "Authorization": f"Bearer {token}"}, body)
    # With who it is about, like a webhook's: if the inline ingest below fails and the row
    # waits, it holds back only this visitor's later lines, not every chat's (inbox/ordering.py).
    route = delivery_route(connector(rt), headers, body)
    with rt.db.session() as session:
        stored = deliveries.store(
            session, endpoint="chat", connector="webchat", headers=headers, body=body, route=route
        )
        delivery_id = stored.id
    try:
        process_delivery(delivery_id)
    except Exception:
        log.exception("inline ingest of chat delivery %s failed; queued", delivery_id)
        rt.jobs.enqueue(
            "workers.ingest.process_delivery",
            delivery_id,
            queue="ingest",
            job_id=f"ingest:{delivery_id}",
        )
        return "queued"
    return "stored"


def prior_state(rt: Runtime, found: Widget, claims: SessionClaims) -> tuple[str, str | None] | None:
    with rt.db.session() as session:
        conversations = conversations_of(session, found.id, claims.session_id)
        if not conversations:
            return None
        return conversations[-1].status, conversations[-1].self_service


def after_delivery(
    rt: Runtime,
    found: Widget,
    claims: SessionClaims,
    client_msg_id: str,
    outcome: str,
    prior: tuple[str, str | None] | None,
    *,
    offer: bool = True,
) -> dict[str, Any]:
    """The visitor's answer: their stored message, and FAQ answers when self-service applies."""
    result: dict[str, Any] = {"status": outcome, "client_msg_id": client_msg_id}
    if outcome != "stored":
        return result
    secret = connector(rt).secret
    with rt.db.session() as session:
        message = session.scalars(
            select(Message).where(
                Message.channel_account_id == found.id,
                Message.external_id == message_external_id(claims.session_id, client_msg_id),
            )
        ).first()
        if message is None:
            result["status"] = "ignored"  # e.g. whitespace only
            return result
        conversation = message.conversation
        if prior is not None and prior[1] == selfservice.OFFERED:
            if conversation.self_service == selfservice.OFFERED:
                reason = "the visitor wrote again instead of choosing an answer"
                selfservice.hand_off(session, conversation, reason=reason)
        elif (
            offer
            and self_service_enabled(found)
            and selfservice.may_offer(session, prior, conversation)
        ):
            text = message.text or ""
            answers = good_answers(selfservice.answers_for(session, text))
            if answers:
                selfservice.offer(session, conversation, answers)
                result["suggestions"] = [suggestion_json(a) for a in answers]
            elif selfservice.has_question(text):
                selfservice.no_match(session, conversation)
                result["self_service"] = selfservice.NO_MATCH
        session.flush()
        result["message"] = message_for_visitor(message, found.external_id, secret)
        result["conversation"] = conversation_state([conversation])
    return result


def good_answers(answers: list[Suggestion]) -> list[Suggestion]:
    """The answers worth a visitor's time: suggest() already returns none for a weak best hit
    (greetings, nonsense, off-topic); of the rest, drop those far below the best one."""
    if not answers:
        return []
    floor = answers[0].score * 0.25
    return [a for a in answers if a.score >= floor]


def suggestion_json(answer: Suggestion) -> dict[str, Any]:
    return {
        "slug": answer.slug,
        "title": answer.title,
        "answer": answer.answer,
        "score": answer.score,
        "locale": answer.locale,
    }


def wait_for_messages(
    rt: Runtime, found: Widget, claims: SessionClaims, after: int, seen: set[int], wait: float
) -> dict[str, Any]:
    """Query, and while nothing is new, wake on this conversation's bus events (or each second).

    An agent starting a reply (not a note) ends the wait too, with `typing` set, so the widget
    can show "… is typing".
    """
    secret = connector(rt).secret
    deadline = time.monotonic() + wait
    listener = rt.bus.listen(timeout=1.0) if wait > 0 else None
    typing: dict[str, Any] | None = None
    try:
        while True:
            with rt.db.session() as session:
                conversations = conversations_of(session, found.id, claims.session_id)
                ids = [c.id for c in conversations]
                rows = visible_messages(session, ids, after_id=after)
                fresh = any(m.id not in seen for m in rows)
                if fresh or typing or listener is None or time.monotonic() >= deadline:
                    _mark_delivered(session, found, claims, [m for m in rows if m.id not in seen])
                    cards = csat_cards(session, rows)
                    return {
                        "messages": [
                            message_for_visitor(m, found.external_id, secret, cards.get(m.id))
                            for m in rows
                        ],
                        "cursor": settled_cursor(session, ids, after_id=after, rows=rows),
                        "conversation": conversation_state(conversations),
                        "typing": typing,
                    }
            while time.monotonic() < deadline:
                event = next(listener)
                if event is not None and event.get("conversation_id") not in ids and ids:
                    continue
                typing = _agent_typing(event)
                break
    finally:
        if listener is not None:
            listener.close()  # type: ignore[attr-defined]


def _agent_typing(event: dict[str, Any] | None) -> dict[str, Any] | None:
    if event is None or event.get("topic") != "conversation.typing":
        return None
    if event.get("mode") != "reply" or not isinstance(event.get("user_id"), int):
        return None  # a private note being written, or the visitor's own ping
    return {"name": str(event.get("user_name") or "")[:100]}


def _mark_delivered(
    session: Session, found: Widget, claims: SessionClaims, handed_over: list[Message]
) -> None:
    """Replies handed to the visitor's widget are delivered: the agent sees it in the thread."""
    targets = tuple(
        m.external_id
        for m in handed_over
        if m.direction == "outbound" and m.status == "sent" and m.external_id
    )
    account = session.get(ChannelAccount, found.id)
    if not targets or account is None:
        return
    now = datetime.now(UTC)
    record_event(
        session,
        account,
        InboundEvent(
            kind=EventKind.DELIVERED,
            account_external_id=found.external_id,
            external_id=f"delivered:{targets[-1]}",
            thread_key=claims.session_id,
            conversation_kind=ConversationKind.CHAT,
            sent_at=now,
            targets=targets,
        ),
    )
