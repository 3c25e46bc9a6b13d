"""Customers who asked for no more texts (STOP, 수신거부) and asked again (START).

A connector marks such a message with `extra["opt_out"]` = "stop" | "start"; ingest calls
`apply` for every new customer message. The state lives on the conversation
(`context["opted_out"]`), since a text conversation is one (our number, their number) pair:
the composer and the API refuse a reply there with the reason (web/replying.py), and the
provider refuses a send that slipped through (connectors/phone maps its refusal). Keywords
may arrive out of order (a retried callback): only a newer keyword changes the state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from connectors.base import InboundEvent, Words
from inbox.conversations import system_event
from inbox.events import emit
from inbox.models import Conversation

KEY = "opted_out"
LAST = "opt_out_changed_at"


def apply(session: Session, conversation: Conversation, event: InboundEvent) -> None:
    word = event.extra.get("opt_out")
    if word not in ("stop", "start"):
        return
    context: dict[str, Any] = dict(conversation.context or {})
    changed = context.get(LAST)
    if isinstance(changed, str) and changed > event.sent_at.isoformat():
        return  # an older keyword delivered late
    context[LAST] = event.sent_at.isoformat()
    keyword = (event.text or "").strip()
    if word == "stop":
        if KEY in context:
            conversation.context = context
            return
        context[KEY] = {"keyword": keyword, "at": event.sent_at.isoformat()}
        line = f"The customer opted out of texts ({keyword}): no more texts can be sent"
    else:
        if KEY not in context:
            conversation.context = context
            return
        context.pop(KEY)
        line = f"The customer opted in to texts again ({keyword})"
    conversation.context = context
    system_event(session, conversation, line, at=event.sent_at)
    emit(session, "conversation.updated", conversation_id=conversation.id)


def opted_out(conversation: Conversation) -> dict[str, Any] | None:
    """{keyword, at} when the customer opted out of texts here, else None."""
    found = (conversation.context or {}).get(KEY)
    return found if isinstance(found, dict) else None


def refusal(conversation: Conversation) -> Words | None:
    found = opted_out(conversation)
    if found is None:
        return None
    keyword, at = found.get("keyword") or "STOP", _short(found.get("at"))
    return Words(
        f"the customer opted out of texts ({keyword} at {at}): no text can be sent until "
        "they text START",
        f"고객이 문자 수신을 거부했습니다 ({keyword}, {at}): 고객이 START를 보내기 전에는 "
        "문자를 보낼 수 없습니다",
    )


def _short(value: Any) -> str:
    try:
        return datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return str(value)
