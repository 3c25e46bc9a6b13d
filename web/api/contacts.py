"""/contacts: read a contact with every channel identity, merge two contacts."""

from __future__ import annotations

from flask import Response, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.access import can_see_contact, restrict
from inbox.contacts import merge_contacts
from inbox.models import Contact, Conversation, User
from web.api import bp
from web.api.auth import require_roles
from web.api.conversations import AGENTS
from web.api.errors import Problem
from web.serialize import contact_json, conversation_json


def _contact(session: Session, user: User, contact_id: int) -> Contact:
    """The contact, if the user sees every inbox it writes to (else 404, as for a missing one)."""
    contact = session.get(Contact, contact_id)
    if contact is None or not can_see_contact(session, user, contact_id):
        raise Problem(404, "Not Found", f"contact {contact_id} not found")
    return contact


@bp.get("/contacts/<int:contact_id>")
@require_roles(*AGENTS)
def contact_show(session: Session, user: User, contact_id: int) -> Response:
    contact = _contact(session, user, contact_id)
    conversations = session.scalars(
        restrict(select(Conversation), session, user)
        .where(Conversation.contact_id == contact_id)
        .order_by(Conversation.last_activity_at.desc())
        .limit(50)
    ).all()
    body = contact_json(contact)
    body["conversations"] = [conversation_json(c) for c in conversations]
    return jsonify(body)


@bp.post("/contacts/<int:contact_id>/merge")
@require_roles(*AGENTS)
def contact_merge(session: Session, user: User, contact_id: int) -> Response:
    """Merge the contact named in the body (`source_id`) into this one."""
    payload = request.get_json(silent=True) or {}
    source_id = payload.get("source_id")
    if not isinstance(source_id, int):
        raise Problem(400, "Bad Request", "source_id (integer) is required")
    target = _contact(session, user, contact_id)
    _contact(session, user, source_id)
    try:
        merge_contacts(session, source_id=source_id, target_id=target.id, actor_id=user.id)
    except ValueError as exc:
        raise Problem(409, "Conflict", str(exc)) from exc
    session.flush()
    session.refresh(target)
    return jsonify(contact_json(target))
