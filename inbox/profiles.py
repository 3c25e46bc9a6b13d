"""Who is writing: the platforms' profile lookups, cached on the contact identity.

Ingest stores what the webhook says (a Messenger or Instagram DM carries only an id), so a
new customer first appears as "Customer"; a job after ingest (workers/lookups.py) looks the
identity up and records the answer here. Each identity is looked up once and then again
after PROFILE_REFRESH_DAYS, or when an agent asks; a lookup the platform refuses (no user
consent) is remembered the same way, so it is not asked again at every message.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from connectors.base import UserProfile
from inbox.events import emit
from inbox.models import Contact, ContactIdentity, Conversation

ACTIVE_WINDOW = timedelta(days=7)


def identities_due(
    session: Session,
    account_id: int,
    channel: str,
    *,
    now: datetime,
    refresh_after: timedelta,
    limit: int,
    contact_id: int | None = None,
) -> list[tuple[int, str]]:
    """(identity id, platform user id) of the account's DM customers to look up.

    DMs only: the platforms answer profile lookups for people who wrote to the account. Only
    conversations active in the last ACTIVE_WINDOW are looked at, so the query reads an
    account's recent conversations (ix_conversation_account_activity), never all of them; a
    refresh an agent asked for names its contact and skips that window.
    """
    stale = now - refresh_after
    query = (
        select(ContactIdentity.id, ContactIdentity.external_user_id)
        .join(
            Conversation,
            (Conversation.participant_key == ContactIdentity.external_user_id)
            & (Conversation.channel_account_id == account_id),
        )
        .where(
            ContactIdentity.channel == channel,
            Conversation.kind == "dm",
            or_(
                ContactIdentity.profile_checked_at.is_(None),
                ContactIdentity.profile_checked_at < stale,
            ),
        )
    )
    if contact_id is None:
        query = query.where(Conversation.last_activity_at >= now - ACTIVE_WINDOW)
    else:
        query = query.where(ContactIdentity.contact_id == contact_id)
    rows = session.execute(query.distinct().order_by(ContactIdentity.id).limit(limit))
    return [(int(row[0]), str(row[1])) for row in rows]


def apply_profile(session: Session, identity_id: int, profile: UserProfile, now: datetime) -> None:
    """Store the answer; the contact takes the name unless an agent has named it."""
    identity = session.get(ContactIdentity, identity_id)
    if identity is None:
        return
    contact = _live(session, identity.contact)
    unnamed = contact.name in (None, "", identity.display_name, identity.handle)
    identity.display_name = profile.name or identity.display_name
    identity.handle = profile.handle or identity.handle
    identity.avatar_url = profile.picture_url
    identity.profile_checked_at = now
    identity.profile_problem = None
    if unnamed and profile.name and contact.name != profile.name:
        contact.name = profile.name
        _announce(session, contact.id)


def profile_failed(session: Session, identity_id: int, reason: str, now: datetime) -> None:
    """The platform will not say (no consent, unknown id): do not ask before the next refresh."""
    session.execute(
        update(ContactIdentity)
        .where(ContactIdentity.id == identity_id)
        .values(profile_checked_at=now, profile_problem=reason[:1000])
    )


def request_refresh(session: Session, contact_id: int) -> list[int]:
    """An agent asks for a fresh lookup: the ids of the accounts whose job should run."""
    ids = list(
        session.scalars(select(ContactIdentity.id).where(ContactIdentity.contact_id == contact_id))
    )
    if not ids:
        return []
    session.execute(
        update(ContactIdentity)
        .where(ContactIdentity.id.in_(ids))
        .values(profile_checked_at=None, profile_problem=None)
    )
    return list(
        session.scalars(
            select(Conversation.channel_account_id)
            .where(Conversation.contact_id == contact_id, Conversation.kind == "dm")
            .distinct()
        )
    )


def _live(session: Session, contact: Contact) -> Contact:
    while contact.merged_into_id is not None:
        merged = session.get(Contact, contact.merged_into_id)
        if merged is None:
            break
        contact = merged
    return contact


def _announce(session: Session, contact_id: int) -> None:
    """Lists and threads showing this contact refresh themselves."""
    for conversation_id, account_id in session.execute(
        select(Conversation.id, Conversation.channel_account_id).where(
            Conversation.contact_id == contact_id
        )
    ):
        emit(
            session,
            "conversation.updated",
            conversation_id=conversation_id,
            channel_account_id=account_id,
        )
