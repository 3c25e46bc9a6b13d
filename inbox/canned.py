"""Canned responses: admin CRUD and filling their variables for one conversation."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import Words
from inbox.audit import record
from inbox.models import CannedResponse, Conversation, Message

SHORTCUT = re.compile(r"^[0-9A-Za-z가-힣_-]{1,64}$")
VARIABLE = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
# Korean order numbers in this shop are 13 digits (yyyymmdd + 5); older ones start with "ORD".
ORDER_NUMBER = re.compile(r"\b(20\d{11}|ORD[-]?\d{6,})\b")


def list_canned(session: Session) -> list[CannedResponse]:
    return list(session.scalars(select(CannedResponse).order_by(CannedResponse.shortcut)))


def save_canned(
    session: Session,
    *,
    shortcut: str,
    title: str,
    body: str,
    locale: str = "ko",
    canned_id: int | None = None,
    actor_id: int | None = None,
) -> CannedResponse:
    """Create (no id) or update a canned response; shortcuts are unique words."""
    shortcut = shortcut.strip().lstrip("/")
    if not SHORTCUT.match(shortcut):
        raise ValueError(
            Words(
                "shortcut: letters, digits, - and _ only (at most 64)",
                "단축어에는 글자, 숫자, -, _만 쓸 수 있습니다 (최대 64자)",
            )
        )
    if not body.strip() or not title.strip():
        raise ValueError(Words("title and body are required", "제목과 내용을 모두 적으세요"))
    clash = session.scalars(
        select(CannedResponse).where(CannedResponse.shortcut == shortcut)
    ).first()
    if clash is not None and clash.id != canned_id:
        raise ValueError(
            Words(
                f"shortcut /{shortcut} is already used",
                f"단축어 /{shortcut}은(는) 이미 있습니다",
            )
        )
    if canned_id is None:
        row = CannedResponse(created_by_id=actor_id)
        session.add(row)
    else:
        found = session.get(CannedResponse, canned_id)
        if found is None:
            raise LookupError(f"canned response {canned_id} not found")
        row = found
    row.shortcut, row.title, row.body, row.locale = shortcut, title.strip(), body, locale
    session.flush()
    record(session, actor_id, "canned.save", "canned_response", row.id, {"shortcut": shortcut})
    return row


def delete_canned(session: Session, canned_id: int, *, actor_id: int | None) -> None:
    row = session.get(CannedResponse, canned_id)
    if row is None:
        raise LookupError(f"canned response {canned_id} not found")
    session.delete(row)
    record(session, actor_id, "canned.delete", "canned_response", canned_id)


def variables_for(session: Session, conversation: Conversation) -> dict[str, str]:
    """The values a canned response may use in this conversation."""
    order = ""
    texts = session.scalars(
        select(Message.text)
        .where(Message.conversation_id == conversation.id, Message.direction == "inbound")
        .order_by(Message.id.desc())
        .limit(20)
    )
    for text in texts:
        found = ORDER_NUMBER.search(text or "")
        if found:
            order = found.group(1)
            break
    return {
        "contact_name": conversation.contact.name or "",
        "order_number": order,
        "contact_email": conversation.contact.email or "",
    }


def render(body: str, values: dict[str, str]) -> str:
    """Fill `{{name}}` variables; unknown ones are left as typed so the agent notices."""
    return VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)) or m.group(0), body)
