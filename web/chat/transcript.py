"""What a visitor may see of their conversation, and signed links to their images.

Only the visible exchange leaves the server: the visitor's own messages and the agents'
replies once the send job has acknowledged them (status sent or later). Notes, system events
and pending or failed replies stay with the agents.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from flask import url_for
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from connectors.webchat import client_msg_id_of
from inbox.models import Conversation, Message
from inbox.models.reports import CsatSurvey
from web.serialize import iso

VISIBLE_STATUSES = ("sent", "delivered", "read")
FILE_LINK_SECONDS = 24 * 3600


def conversations_of(session: Session, account_id: int, session_id: str) -> list[Conversation]:
    return list(
        session.scalars(
            select(Conversation)
            .where(
                Conversation.channel_account_id == account_id,
                Conversation.kind == "chat",
                Conversation.thread_key == session_id,
                Conversation.participant_key == session_id,
            )
            .order_by(Conversation.id)
        )
    )


def visible_messages(
    session: Session, conversation_ids: list[int], *, after_id: int, limit: int = 200
) -> list[Message]:
    if not conversation_ids:
        return []
    return list(
        session.scalars(
            select(Message)
            .options(selectinload(Message.attachments), selectinload(Message.author))
            .where(
                Message.conversation_id.in_(conversation_ids),
                Message.id > after_id,
                Message.kind == "message",
                Message.deleted_at.is_(None),
                or_(
                    Message.direction == "inbound",
                    (Message.direction == "outbound") & Message.status.in_(VISIBLE_STATUSES),
                ),
            )
            .order_by(Message.id)
            .limit(limit)
        )
    )


UNSETTLED_STATUSES = ("pending", "sending", "failed")


def settled_cursor(
    session: Session, conversation_ids: list[int], *, after_id: int, rows: list[Message]
) -> int:
    """The highest id below which nothing can still become visible.

    Replies become visible when their send finishes, and two sends can finish out of order:
    a cursor at the newest visible id would skip an older reply that is still being sent (or
    failed and may be retried). The visitor polls from this cursor and drops ids it has seen.
    """
    newest = max([after_id, *(m.id for m in rows)])
    if not conversation_ids:
        return newest
    oldest_unsettled = session.scalar(
        select(func.min(Message.id)).where(
            Message.conversation_id.in_(conversation_ids),
            Message.id > after_id,
            Message.direction == "outbound",
            Message.kind == "message",
            Message.status.in_(UNSETTLED_STATUSES),
        )
    )
    if oldest_unsettled is None:
        return newest
    return min(newest, int(oldest_unsettled) - 1)


def csat_cards(session: Session, rows: list[Message]) -> dict[int, dict[str, Any]]:
    """The rating card the widget draws under a survey question (issue 20), by message id:
    which survey it answers and, once answered, the rating (the card then says thank you)."""
    asked = {
        int(m.meta["csat_survey_id"]): m.id
        for m in rows
        if m.direction == "outbound" and isinstance((m.meta or {}).get("csat_survey_id"), int)
    }
    if not asked:
        return {}
    surveys = session.scalars(select(CsatSurvey).where(CsatSurvey.id.in_(list(asked))))
    return {
        asked[s.id]: {
            "survey_id": s.id,
            "rating": s.rating,
            "commented": s.comment is not None,
        }
        for s in surveys
    }


def message_for_visitor(
    message: Message, widget_id: str, secret: str, csat: dict[str, Any] | None = None
) -> dict[str, Any]:
    agent = message.direction == "outbound"
    author = None
    if agent:
        author = message.author.name if message.author is not None else message.author_label
    return {
        "id": message.id,
        "client_msg_id": None
        if agent or not message.external_id
        else client_msg_id_of(message.external_id),
        "from": "agent" if agent else "visitor",
        "author": author,
        "text": message.text or "",
        "created_at": iso(message.sent_at if agent and message.sent_at else message.created_at),
        "attachments": [
            {
                "id": a.id,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "url": file_url(widget_id, a.id, secret) if a.sha256 else None,
            }
            for a in message.attachments
        ],
        "csat": csat,
    }


def conversation_state(conversations: list[Conversation]) -> dict[str, Any] | None:
    if not conversations:
        return None
    latest = conversations[-1]
    return {"status": latest.status, "self_service": latest.self_service}


def file_signature(widget_id: str, attachment_id: int, expires: int, secret: str) -> str:
    raw = f"webchat-file\x00{widget_id}\x00{attachment_id}\x00{expires}".encode()
    return hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()[:32]


def file_url(widget_id: str, attachment_id: int, secret: str) -> str:
    # Rounded up to the hour so repeated polls hand out the same URL (the browser caches it).
    expires = (int(time.time()) // 3600 + 1) * 3600 + FILE_LINK_SECONDS
    return url_for(
        "chat.file",
        widget_id=widget_id,
        attachment_id=attachment_id,
        exp=expires,
        sig=file_signature(widget_id, attachment_id, expires, secret),
        _external=True,
    )
