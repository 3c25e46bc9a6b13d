"""Who a customer is: identities per channel, resolved to one contact, mergeable."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from connectors.base import Participant, Words
from inbox.audit import record
from inbox.db import in_values, insert_returning_id
from inbox.events import emit
from inbox.models import Contact, ContactIdentity, Conversation, utcnow


def resolve_contact(session: Session, channel: str, who: Participant) -> Contact:
    """Find or create the contact behind (channel, provider user id); safe under races.

    A new identity joins an existing contact by email only when both addresses are vouched
    for: the email channel's own sender address (the identity *is* the address) meeting a
    contact whose address is verified. An address typed into the chat widget is stored as
    unverified and only offered to agents as a merge, so nobody attaches themselves to
    another customer's history by typing their address.
    """
    identity = _identity(session, channel, who.external_id)
    if identity is not None:
        _refresh_identity(identity, who)
        return _live_contact(session, identity.contact)
    vouched = vouched_email(channel, who)
    contact = _contact_by_email(session, vouched) if vouched else None
    created = contact is None
    if contact is None:
        contact = Contact(
            name=who.name or who.handle,
            email=who.email,
            email_verified=who.email is None or vouched is not None,
        )
        session.add(contact)
        session.flush()
    identity_id = insert_returning_id(
        session,
        ContactIdentity.__table__,
        {
            "contact_id": contact.id,
            "channel": channel,
            "external_user_id": who.external_id,
            "handle": who.handle,
            "display_name": who.name,
            "created_at": utcnow(),
        },
        ["channel", "external_user_id"],
    )
    if identity_id is None:
        # Another worker created the same identity first; use theirs, drop our contact.
        if created:
            session.delete(contact)
        identity = _identity(session, channel, who.external_id)
        if identity is None:
            raise RuntimeError("identity vanished after a conflicting insert")
        return _live_contact(session, identity.contact)
    return contact


def resolve_contact_ids(
    session: Session, channel: str, people: Sequence[Participant]
) -> dict[str, int]:
    """`resolve_contact` for a whole ingest batch: provider user id → live contact id.

    Known identities come from one query; new ones without an email become contacts and
    identities with one multi-row INSERT each. A racing worker's identity wins, as in
    `resolve_contact`, and our contact for it is deleted. People with an email address go
    through `resolve_contact` one by one (they may join an existing contact by email).
    """
    wanted = {who.external_id: who for who in people}
    found: dict[str, int] = {}
    identities = session.scalars(
        select(ContactIdentity)
        .where(
            ContactIdentity.channel == channel,
            in_values(session, ContactIdentity.external_user_id, wanted),
        )
        .options(selectinload(ContactIdentity.contact))
    )
    for identity in identities:
        _refresh_identity(identity, wanted[identity.external_user_id])
        found[identity.external_user_id] = _live_contact(session, identity.contact).id
    new = [who for key, who in wanted.items() if key not in found]
    for who in (w for w in new if w.email):
        found[who.external_id] = resolve_contact(session, channel, who).id
    # Sorted: concurrent batches then lock the same keys in the same order (no deadlock).
    new = sorted((who for who in new if not who.email), key=lambda who: who.external_id)
    if new:
        found.update(_create_identities(session, channel, new))
    return found


def _create_identities(session: Session, channel: str, people: list[Participant]) -> dict[str, int]:
    now = utcnow()
    contact_ids = session.scalars(
        insert(Contact).returning(Contact.id, sort_by_parameter_order=True),
        [{"name": who.name or who.handle, "email": None, "created_at": now} for who in people],
    ).all()
    ours = {who.external_id: cid for who, cid in zip(people, contact_ids, strict=True)}
    rows = [
        {
            "contact_id": ours[who.external_id],
            "channel": channel,
            "external_user_id": who.external_id,
            "handle": who.handle,
            "display_name": who.name,
            "created_at": now,
        }
        for who in people
    ]
    dialect = session.get_bind().dialect.name
    insert_fn: Any = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert_fn(ContactIdentity.__table__)
        .on_conflict_do_nothing(index_elements=["channel", "external_user_id"])
        .returning(ContactIdentity.__table__.c.external_user_id)
    )
    inserted = set(session.scalars(statement, rows))
    lost = [key for key in ours if key not in inserted]
    if not lost:
        return ours
    # Racing workers created these identities first: use theirs, drop our contacts.
    session.execute(delete(Contact).where(Contact.id.in_([ours.pop(key) for key in lost])))
    theirs = session.scalars(
        select(ContactIdentity)
        .where(ContactIdentity.channel == channel, ContactIdentity.external_user_id.in_(lost))
        .options(selectinload(ContactIdentity.contact))
    )
    for identity in theirs:
        ours[identity.external_user_id] = _live_contact(session, identity.contact).id
    return ours


def merge_contacts(
    session: Session, *, source_id: int, target_id: int, actor_id: int | None
) -> None:
    """Fold `source` into `target`; the source stays as a tombstone pointing at the target."""
    if source_id == target_id:
        raise ValueError(
            Words("cannot merge a contact into itself", "같은 고객끼리는 합칠 수 없습니다")
        )
    source = session.get(Contact, source_id)
    target = session.get(Contact, target_id)
    if source is None or target is None:
        raise LookupError("contact not found")
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise ValueError(Words("contact was already merged", "이미 합쳐진 고객입니다"))
    session.execute(
        update(ContactIdentity)
        .where(ContactIdentity.contact_id == source_id)
        .values(contact_id=target_id)
    )
    session.execute(
        update(Conversation)
        .where(Conversation.contact_id == source_id)
        .values(contact_id=target_id)
    )
    if target.email is None and source.email is not None:
        target.email, target.email_verified = source.email, source.email_verified
    for attr in ("name", "phone"):
        if getattr(target, attr) is None and getattr(source, attr) is not None:
            setattr(target, attr, getattr(source, attr))
    if source.notes:
        target.notes = "\n\n".join(n for n in (target.notes, source.notes) if n)
    source.merged_into_id = target_id
    record(session, actor_id, "contact.merge", "contact", target_id, {"merged": source_id})
    emit(session, "contact.merged", contact_id=target_id, merged_id=source_id)


def vouched_email(channel: str, who: Participant) -> str | None:
    """The address this identity proves, if any: only an email sender's own address."""
    if channel != "email" or not who.email:
        return None
    return who.email if who.email.lower() == who.external_id.lower() else None


def _identity(session: Session, channel: str, external_user_id: str) -> ContactIdentity | None:
    return session.scalars(
        select(ContactIdentity).where(
            ContactIdentity.channel == channel,
            ContactIdentity.external_user_id == external_user_id,
        )
    ).first()


def _contact_by_email(session: Session, email: str) -> Contact | None:
    return session.scalars(
        select(Contact)
        .where(
            func.lower(Contact.email) == email.lower(),
            Contact.email_verified.is_(True),
            Contact.merged_into_id.is_(None),
        )
        .order_by(Contact.id)
    ).first()


def _live_contact(session: Session, contact: Contact) -> Contact:
    """Follow merge tombstones to the surviving contact."""
    seen = 0
    while contact.merged_into_id is not None and seen < 20:
        nxt = session.get(Contact, contact.merged_into_id)
        if nxt is None:
            break
        contact, seen = nxt, seen + 1
    return contact


def _refresh_identity(identity: ContactIdentity, who: Participant) -> None:
    if who.handle and identity.handle != who.handle:
        identity.handle = who.handle
    if who.name and identity.display_name != who.name:
        identity.display_name = who.name
    if who.name and not identity.contact.name:
        identity.contact.name = who.name


CONTACT_FIELDS = ("name", "email", "phone", "notes")


def update_contact(
    session: Session, contact: Contact, changes: dict[str, str | None], *, actor_id: int | None
) -> list[str]:
    """Edit name/email/phone/notes (blank clears); return the names of the fields changed."""
    unknown = set(changes) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"unknown contact fields: {', '.join(sorted(unknown))}")
    if contact.merged_into_id is not None:
        raise ValueError(
            Words(
                "this contact was merged; edit the contact it was merged into",
                "합쳐진 고객입니다. 합쳐 넣은 쪽 고객을 수정하세요",
            )
        )
    changed: list[str] = []
    for name, raw in changes.items():
        value = (raw or "").strip() or None
        if name == "email" and value is not None and "@" not in value:
            raise ValueError(
                Words(
                    f"{value!r} is not an email address",
                    f"{value!r}은(는) 이메일 주소가 아닙니다",
                )
            )
        if getattr(contact, name) != value:
            setattr(contact, name, value)
            changed.append(name)
        if name == "email" and value is not None and not contact.email_verified:
            contact.email_verified = True  # an agent typed or confirmed it
            changed.append("email_verified")
    if changed:
        record(session, actor_id, "contact.update", "contact", contact.id, {"fields": changed})
        emit(session, "contact.updated", contact_id=contact.id)
    return changed
