"""JSON shapes of conversations, messages and contacts: one shape wherever they leave us.

The REST API, the live UI and outgoing webhooks (inbox/outgoing_webhooks.py) all send these,
so an integrator sees the same fields whether it polls the API or receives a webhook. It lives
in inbox/ because inbox must not import web; web/serialize.py re-exports it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from inbox.models import Attachment, Contact, Conversation, Message


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def conversation_json(c: Conversation) -> dict[str, Any]:
    return {
        "id": c.id,
        "channel": c.account.channel,
        "channel_account_id": c.channel_account_id,
        "kind": c.kind,
        "status": c.status,
        "snoozed_until": iso(c.snoozed_until),
        "subject": c.subject,
        "contact": {"id": c.contact.id, "name": c.contact.name},
        "assignee_id": c.assignee_id,
        "team_id": c.team_id,
        "priority": c.priority,
        "category": c.category,
        "labels": sorted(label.name for label in c.labels),
        "last_activity_at": iso(c.last_activity_at),
        "last_customer_message_at": iso(c.last_customer_message_at),
        "first_response_at": iso(c.first_response_at),
        "waiting_since": iso(c.waiting_since),
        "context": c.context,
        "created_at": iso(c.created_at),
    }


def message_json(m: Message) -> dict[str, Any]:
    deleted = m.deleted_at is not None
    return {
        "id": m.id,
        "uuid": m.uuid,
        "conversation_id": m.conversation_id,
        "direction": m.direction,
        "kind": m.kind,
        "private": m.kind == "note",
        "text": None if deleted else m.text,
        "html": None if deleted else m.html,
        "subject": m.subject,
        "author": {"id": m.author.id, "name": m.author.name} if m.author else None,
        "author_label": m.author_label,
        "external_id": m.external_id,
        "status": m.status,
        "failure_reason": m.failure_reason,
        "attempts": m.attempts,
        "created_at": iso(m.created_at),
        "sent_at": iso(m.sent_at),
        "edited_at": iso(m.edited_at),
        "deleted": deleted,
        "attachments": [attachment_json(a) for a in m.attachments],
        **({"call": call_json(m)} if m.kind == "call" else {}),
    }


CALL_FACTS = (
    "direction",
    "stage",
    "outcome",
    "answered_by",
    "answered_by_name",
    "talk_seconds",
    "duration",
    "voicemail",
    "recording_seconds",
    "transcript",
    "number",
    "notes",
    "logged_by",
    "problem",
)


def call_json(m: Message) -> dict[str, Any]:
    """A call's merged facts (inbox/calls.py), the bookkeeping left out."""
    facts = m.meta or {}
    return {key: facts.get(key) for key in CALL_FACTS if key in facts}


def attachment_json(a: Attachment) -> dict[str, Any]:
    return {
        "id": a.id,
        "kind": a.kind,
        "filename": a.filename,
        "content_type": a.content_type,
        "size": a.size,
        "stored": a.sha256 is not None,
        "problem": a.problem,
    }


def contact_json(c: Contact) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "email": c.email,
        "phone": c.phone,
        "notes": c.notes,
        "merged_into_id": c.merged_into_id,
        "identities": [
            {
                "channel": i.channel,
                "external_user_id": i.external_user_id,
                "handle": i.handle,
                "display_name": i.display_name,
            }
            for i in c.identities
        ],
        "created_at": iso(c.created_at),
    }
