"""The intake checklist beside an email thread: what the inquiry carries, what to ask for.

Read-only: it runs inbox.intake.check_inquiry over the customer's own messages so the agent
sees at a glance whether name/contact, order number, details and photos are there, and can
insert the canned request for the missing items with one click.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from inbox.intake import IntakeCheck, check_inquiry, request_text
from inbox.models import Conversation, Message

# The customer center's guide is about emailed inquiries; chats and DMs carry the customer's
# identity through the channel and a checklist there would be noise.
INTAKE_KINDS = frozenset({"email"})
# Enough of the customer's messages for an inquiry; bounds the work on very long threads.
_MESSAGE_LIMIT = 50
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True, slots=True)
class IntakePanel:
    check: IntakeCheck
    lang: str  # "ko" | "en": the customer's language, for the request text
    name: str | None
    contact: str | None
    request: str | None  # the canned request for the missing items, None when complete


def intake_panel(db: Session, conversation: Conversation) -> IntakePanel | None:
    """The checklist for `conversation`, or None when its kind has no intake checklist."""
    if conversation.kind not in INTAKE_KINDS:
        return None
    rows = list(
        db.scalars(
            select(Message)
            .where(
                Message.conversation_id == conversation.id,
                Message.direction == "inbound",
                Message.kind != "event",
                Message.kind != "note",
                Message.deleted_at.is_(None),
            )
            .options(selectinload(Message.attachments))
            .order_by(Message.id.desc())
            .limit(_MESSAGE_LIMIT)
        )
    )[::-1]
    text = "\n\n".join(m.text for m in rows if m.text)
    subject = conversation.subject or next((m.subject for m in rows if m.subject), None)
    types = [
        a.content_type or ("image/" if a.kind == "image" else "")
        for m in rows
        for a in m.attachments
    ]
    contact = conversation.contact
    address = contact.email or contact.phone or _channel_address(conversation)
    check = check_inquiry(
        text,
        subject=subject,
        sender_name=contact.name,
        sender_contact=address,
        attachment_types=types,
    )
    lang = "ko" if _HANGUL.search(f"{subject or ''}\n{text}") else "en"
    return IntakePanel(
        check=check,
        lang=lang,
        name=contact.name,
        contact=address,
        request=request_text(check.missing, lang),
    )


def _channel_address(conversation: Conversation) -> str | None:
    """The address the channel gave us (an email sender's identity) when the contact has none."""
    for identity in conversation.contact.identities:
        for value in (identity.handle, identity.external_user_id):
            if value and _ADDRESS.fullmatch(value):
                return value
    return None
