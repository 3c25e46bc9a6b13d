"""Who may see what: agents see the inboxes (channel accounts) they are members of."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from inbox.models import Contact, Conversation, User, inbox_member


def visible_account_ids(session: Session, user: User) -> set[int] | None:
    """None means every inbox (admins); otherwise the ids of the user's inboxes."""
    if user.role == "admin":
        return None
    return set(
        session.scalars(
            select(inbox_member.c.channel_account_id).where(inbox_member.c.user_id == user.id)
        )
    )


def restrict(
    query: Select[tuple[Conversation]], session: Session, user: User
) -> Select[tuple[Conversation]]:
    allowed = visible_account_ids(session, user)
    if allowed is None:
        return query
    return query.where(Conversation.channel_account_id.in_(allowed or {-1}))


def can_see(session: Session, user: User, conversation: Conversation) -> bool:
    allowed = visible_account_ids(session, user)
    return allowed is None or conversation.channel_account_id in allowed


def can_see_contact(session: Session, user: User, contact_id: int) -> bool:
    """A contact joins a customer's history across inboxes (identities, notes, email), so only
    someone who sees every inbox the contact writes to may read or merge it."""
    if user.role == "admin":
        return session.get(Contact, contact_id) is not None
    allowed = visible_account_ids(session, user) or set()
    inboxes = set(
        session.scalars(
            select(Conversation.channel_account_id)
            .where(Conversation.contact_id == contact_id)
            .distinct()
        )
    )
    return bool(inboxes) and inboxes <= allowed


def can_work_conversations(user: User) -> bool:
    """Marketers publish announcements; they do not work the customer queue."""
    return user.is_active and user.role in ("admin", "agent")
