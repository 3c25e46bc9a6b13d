"""Record a page of mail set-based: a handful of statements per page, not a few per mail.

A poll page is hundreds of customer mails. Their threading (References, then a reply subject,
then the thread key), their senders' identities and contacts, the new conversations, messages
and attachments are each resolved with one lookup per page and written with one multi-row
INSERT; the conversations they touch are updated with one UPDATE. Decisions are taken in
delivery order in memory, so a reply to a mail earlier in the same page threads as it would
one by one. The rules are the ones of inbox/threading.py and inbox/ingest.py, and every mail
gets the outcome `record_event` would give it.

The unique keys still decide races: an INSERT that finds a row nobody had a moment ago means
another writer is at work, and `ConcurrentWriter` tells the caller to roll the page's
savepoint back and record it one mail at a time, where each race is settled row by row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors.base import ConversationKind, EventKind, InboundEvent, Participant
from inbox import csat
from inbox.attachments import AttachmentStore, AttachmentTooLarge
from inbox.bulk import MAX_PARAMS, chunks, insert_rows, one_of, update_rows
from inbox.conversations import system_event
from inbox.db import with_defaults
from inbox.events import emit
from inbox.ingest import IngestOutcome, inbound_row, record_event
from inbox.models import (
    Attachment,
    ChannelAccount,
    Contact,
    ContactIdentity,
    Conversation,
    Message,
    utcnow,
)
from inbox.models.reports import CsatSurvey
from inbox.threading import EMAIL_SUBJECT_WINDOW, normalize_subject, threads_by_subject

MAX_RUN = 500  # mails per set of statements
EMAIL = ConversationKind.EMAIL.value
REOPENS = ("resolved", "snoozed", "pending")


class ConcurrentWriter(RuntimeError):
    """Another writer inserted a row this page was about to insert; redo it mail by mail."""


def mail_batchable(event: InboundEvent) -> bool:
    """A customer's mail: echoes, bounces and author-less mail keep the one-by-one path."""
    return (
        event.kind is EventKind.MESSAGE
        and event.conversation_kind is ConversationKind.EMAIL
        and event.customer is not None
    )


def record_mail_batch(
    session: Session,
    account: ChannelAccount,
    events: Sequence[InboundEvent],
    *,
    store: AttachmentStore | None = None,
    max_chars: int = 20_000,
) -> list[IngestOutcome]:
    """Record `events` in order: runs of customer mail set-based, anything else one by one."""
    outcomes: list[IngestOutcome] = []
    run: list[InboundEvent] = []
    for event in events:
        if mail_batchable(event):
            run.append(event)
            if len(run) == MAX_RUN:
                outcomes += _MailRun(session, account, run, store).record()
                run = []
            continue
        if run:
            outcomes += _MailRun(session, account, run, store).record()
            run = []
        outcomes.append(record_event(session, account, event, store=store, max_chars=max_chars))
    if run:
        outcomes += _MailRun(session, account, run, store).record()
    return outcomes


@dataclass(slots=True, eq=False)
class _Conversation:
    """What threading and the customer's clock need of a conversation, old or about to be."""

    id: int | None
    thread_key: str
    participant_key: str
    subject: str | None
    status: str
    last_activity_at: datetime
    last_customer_message_at: datetime | None
    waiting_since: datetime | None
    snoozed_until: datetime | None
    opened_by: InboundEvent | None = None  # set for a conversation this page creates
    changed: bool = False
    reopened: list[tuple[str, datetime]] = field(default_factory=list)
    _subject_key: str | None = None

    @property
    def subject_key(self) -> str:
        if self._subject_key is None:
            self._subject_key = normalize_subject(self.subject)
        return self._subject_key

    def touch(self, event: InboundEvent, *, survey_answer: bool = False) -> None:
        """inbox.ingest.touch_for_customer on the in-memory row (written once, at the end);
        a CSAT answer moves the activity but neither reopens nor starts a clock."""
        self.changed = True
        self.last_activity_at = max(self.last_activity_at, event.sent_at)
        if event.auto_generated:
            return  # out-of-office and bulk mail never reopen or start a clock
        last = self.last_customer_message_at
        self.last_customer_message_at = event.sent_at if last is None else max(last, event.sent_at)
        if survey_answer:
            return
        if self.waiting_since is None:
            self.waiting_since = event.sent_at
        if self.status in REOPENS:
            self.reopened.append((self.status, event.sent_at))
            self.status = "open"
            self.snoozed_until = None


@dataclass(slots=True)
class _Known:
    """A message id we know: stored before (`message_id`) or earlier in this run."""

    message_id: int | None
    conversation: _Conversation


_CONVERSATION_COLUMNS = (
    "id",
    "thread_key",
    "participant_key",
    "subject",
    "status",
    "last_activity_at",
    "last_customer_message_at",
    "waiting_since",
    "snoozed_until",
)
_UPDATED_COLUMNS = _CONVERSATION_COLUMNS[4:]


class _MailRun:
    """One run of customer mail: load what it touches, decide in order in memory, write."""

    def __init__(
        self,
        session: Session,
        account: ChannelAccount,
        run: list[InboundEvent],
        store: AttachmentStore | None,
    ) -> None:
        self.session = session
        self.account = account
        self.run = run
        self.store = store
        self.by_id: dict[int, _Conversation] = {}
        self.by_thread: dict[tuple[str, str], _Conversation] = {}
        self.by_sender: dict[str, list[_Conversation]] = {}
        self.known: dict[str, _Known] = {}
        self.created: list[_Conversation] = []
        self.surveys: dict[int, CsatSurvey] = {}

    def record(self) -> list[IngestOutcome]:
        self.session.flush()  # pending ORM changes first: the statements below read the rows
        self._load()
        plan: list[tuple[InboundEvent, _Conversation]] = []
        duplicates: dict[int, _Known] = {}
        for index, event in enumerate(self.run):
            hit = self.known.get(event.external_id)
            if hit is not None:
                duplicates[index] = hit
                continue
            conversation = self._conversation_for(event)
            self.known[event.external_id] = _Known(None, conversation)
            conversation.touch(event, survey_answer=self._survey_answer(conversation, event))
            plan.append((event, conversation))
        self._insert_conversations()
        created = self._insert_messages(plan)
        self._update_conversations()
        self._reopen()
        self._announce(plan, created)
        outcomes = []
        for index, event in enumerate(self.run):
            if index in duplicates:
                hit = duplicates[index]
                outcomes.append(IngestOutcome("duplicate", hit.message_id, hit.conversation.id))
            else:
                conversation = self.known[event.external_id].conversation
                outcomes.append(
                    IngestOutcome("created", created[event.external_id], conversation.id)
                )
        self._forget_orm_copies()
        return outcomes

    # -- reading: three lookups for the whole run ---------------------------------------

    def _load(self) -> None:
        message = Message.__table__
        table = Conversation.__table__
        columns = [table.c[name] for name in _CONVERSATION_COLUMNS]
        ids = {e.external_id for e in self.run} | {r for e in self.run for r in e.references}
        for chunk in chunks(sorted(ids), MAX_PARAMS // 2):
            rows = self.session.execute(
                select(message.c.external_id, message.c.id, *columns)
                .join(table, table.c.id == message.c.conversation_id)
                .where(
                    message.c.channel_account_id == self.account.id,
                    one_of(self.session, message.c.external_id, chunk),
                )
            )
            for row in rows:
                conversation = self._remember(row[2:])
                self.known[row[0]] = _Known(int(row[1]), conversation)
        keys = {(e.thread_key, _sender(e)) for e in self.run}
        for chunk in chunks(sorted(keys), MAX_PARAMS // 4):
            # Thread keys and senders each in one list: a superset of the pairs, cut below.
            for row in self.session.execute(
                select(*columns).where(
                    table.c.channel_account_id == self.account.id,
                    table.c.kind == EMAIL,
                    one_of(self.session, table.c.thread_key, sorted({k for k, _ in chunk})),
                    one_of(self.session, table.c.participant_key, sorted({p for _, p in chunk})),
                )
            ):
                if (row[1], row[2]) in keys:
                    self._remember(row)
        by_subject = [e for e in self.run if threads_by_subject(e.subject)]
        if by_subject:
            since = min(e.sent_at for e in by_subject) - EMAIL_SUBJECT_WINDOW
            senders = sorted({_sender(e) for e in by_subject})
            for chunk in chunks(senders, MAX_PARAMS // 2):
                for row in self.session.execute(
                    select(*columns).where(
                        table.c.channel_account_id == self.account.id,
                        one_of(self.session, table.c.participant_key, chunk),
                        table.c.last_activity_at >= since,
                        table.c.kind == EMAIL,
                    )
                ):
                    self._remember(row)
        self._load_surveys()

    def _load_surveys(self) -> None:
        """The surveys awaiting an answer or its comment among the resolved conversations
        this run may touch (rare: one small lookup, ORM rows since answering writes them)."""
        resolved = sorted(c.id for c in self.by_id.values() if c.id and c.status == "resolved")
        for chunk in chunks(resolved, MAX_PARAMS // 2):
            for survey in self.session.scalars(
                select(CsatSurvey).where(
                    one_of(self.session, CsatSurvey.conversation_id, chunk),
                    CsatSurvey.status.in_(("sent", "answered")),
                )
            ):
                self.surveys[survey.conversation_id] = survey

    def _survey_answer(self, conversation: _Conversation, event: InboundEvent) -> bool:
        """Record the mail as the CSAT answer (or its comment) now, in delivery order, as
        inbox.ingest.touch_for_customer would; True if it was one."""
        survey = self.surveys.get(conversation.id or 0)
        if survey is None or conversation.status != "resolved" or event.auto_generated:
            return False
        if csat.classify(survey, event.text, event.sent_at) is None:
            return False
        row = self.session.get(Conversation, survey.conversation_id)
        assert row is not None
        return csat.capture(self.session, row, event.text, event.sent_at)

    def _remember(self, row: Sequence[Any]) -> _Conversation:
        conversation = self.by_id.get(int(row[0]))
        if conversation is None:
            conversation = _Conversation(int(row[0]), *row[1:])
            self.by_id[int(row[0])] = conversation
            self._index(conversation)
        return conversation

    def _index(self, conversation: _Conversation) -> None:
        key = (conversation.thread_key, conversation.participant_key)
        self.by_thread.setdefault(key, conversation)
        self.by_sender.setdefault(conversation.participant_key, []).append(conversation)

    # -- deciding: inbox.threading's rules, in delivery order -----------------------------

    def _conversation_for(self, event: InboundEvent) -> _Conversation:
        sender = _sender(event)
        for ref in reversed(event.references):
            hit = self.known.get(ref)
            if hit is not None and hit.conversation.participant_key == sender:
                return hit.conversation  # a reference joins only this sender's conversation
        if threads_by_subject(event.subject):
            found = self._by_subject(event, sender)
            if found is not None:
                return found
        found = self.by_thread.get((event.thread_key, sender))
        if found is not None:
            return found
        assert event.customer is not None
        conversation = _Conversation(
            id=None,
            thread_key=event.thread_key,
            participant_key=sender,
            subject=event.subject,
            status="open",
            last_activity_at=event.sent_at,
            last_customer_message_at=None,
            waiting_since=None,
            snoozed_until=None,
            opened_by=event,
        )
        self._index(conversation)
        self.created.append(conversation)
        return conversation

    def _by_subject(self, event: InboundEvent, sender: str) -> _Conversation | None:
        subject = normalize_subject(event.subject)
        if not subject:
            return None
        since = event.sent_at - EMAIL_SUBJECT_WINDOW
        best: _Conversation | None = None
        for conversation in self.by_sender.get(sender, ()):
            if conversation.last_activity_at < since or conversation.subject_key != subject:
                continue
            if best is None or conversation.last_activity_at > best.last_activity_at:
                best = conversation
        return best

    # -- writing: one statement per table ----------------------------------------------

    def _insert_conversations(self) -> None:
        if not self.created:
            return
        contacts = _contacts_for(
            self.session,
            self.account.channel,
            {c.participant_key: _customer(c.opened_by) for c in self.created},
        )
        now = utcnow()
        rows = [
            with_defaults(
                Conversation.__table__,
                {
                    "channel_account_id": self.account.id,
                    "contact_id": contacts[c.participant_key],
                    "kind": EMAIL,
                    "thread_key": c.thread_key,
                    "participant_key": c.participant_key,
                    "subject": c.subject,
                    "context": dict(c.opened_by.context) if c.opened_by else {},
                    "status": c.status,
                    "priority": "none",
                    "last_activity_at": c.last_activity_at,
                    "last_customer_message_at": c.last_customer_message_at,
                    "waiting_since": c.waiting_since,
                    "created_at": now,
                },
            )
            for c in self.created
        ]
        returned = insert_rows(
            self.session,
            Conversation.__table__,
            rows,
            conflict=("channel_account_id", "kind", "thread_key", "participant_key"),
            returning=("id", "thread_key", "participant_key"),
        )
        ids = {(str(t), str(p)): int(i) for i, t, p in returned}
        for conversation in self.created:
            new_id = ids.get((conversation.thread_key, conversation.participant_key))
            if new_id is None:
                raise ConcurrentWriter("a conversation of this page was created meanwhile")
            conversation.id = new_id
            conversation.changed = False  # inserted with its final values

    def _insert_messages(self, plan: list[tuple[InboundEvent, _Conversation]]) -> dict[str, int]:
        if not plan:
            return {}
        shells: dict[int, Conversation] = {}
        rows = []
        for event, conversation in plan:
            assert conversation.id is not None
            shell = shells.setdefault(conversation.id, Conversation(id=conversation.id))
            rows.append(with_defaults(Message.__table__, inbound_row(self.account, shell, event)))
        returned = insert_rows(
            self.session,
            Message.__table__,
            rows,
            conflict=("channel_account_id", "external_id"),
            returning=("id", "external_id"),
        )
        created = {str(external_id): int(message_id) for message_id, external_id in returned}
        if len(created) != len(plan):
            raise ConcurrentWriter("a message of this page was stored meanwhile")
        for event, _conversation in plan:
            self.known[event.external_id].message_id = created[event.external_id]
        attachments = [
            _attachment_row(created[event.external_id], incoming, self.store)
            for event, _conversation in plan
            for incoming in event.attachments
        ]
        if attachments:
            insert_rows(self.session, Attachment.__table__, attachments)
        return created

    def _update_conversations(self) -> None:
        changes = {
            c.id: {name: getattr(c, name) for name in _UPDATED_COLUMNS}
            for c in self.by_id.values()
            if c.changed and c.id is not None
        }
        update_rows(self.session, Conversation.__table__, changes)

    def _reopen(self) -> None:
        """A reopened case says so in its thread (rare: an ORM row each is fine)."""
        for conversation in [*self.by_id.values(), *self.created]:
            if not conversation.reopened or conversation.id is None:
                continue
            row = self.session.get(Conversation, conversation.id)
            assert row is not None
            row.reopen_count += sum(previous == "resolved" for previous, _ in conversation.reopened)
            for previous, at in conversation.reopened:
                system_event(
                    self.session, row, f"reopened ({previous} → open) by a new message", at=at
                )
                emit(self.session, "conversation.updated", conversation_id=row.id, status="open")

    def _announce(
        self, plan: list[tuple[InboundEvent, _Conversation]], created: dict[str, int]
    ) -> None:
        for conversation in self.created:
            emit(
                self.session,
                "conversation.created",
                conversation_id=conversation.id,
                channel_account_id=self.account.id,
            )
        for event, conversation in plan:
            emit(
                self.session,
                "message.created",
                conversation_id=conversation.id,
                message_id=created[event.external_id],
                channel_account_id=self.account.id,
                direction="inbound",
            )

    def _forget_orm_copies(self) -> None:
        """ORM copies of the rows updated here are stale: reload them when next used."""
        self.session.flush()
        touched = {c.id for c in self.by_id.values()} | {c.id for c in self.created}
        for obj in list(self.session.identity_map.values()):
            if isinstance(obj, Conversation) and obj.id in touched:
                self.session.expire(obj)


def _sender(event: InboundEvent) -> str:
    return _customer(event).external_id


def _customer(event: InboundEvent | None) -> Participant:
    assert event is not None and event.customer is not None
    return event.customer


def _attachment_row(
    message_id: int, incoming: Any, store: AttachmentStore | None
) -> dict[str, Any]:
    """inbox.attachments.attach as a row: the bytes go to the store now, the row in bulk."""
    row: dict[str, Any] = {
        "message_id": message_id,
        "kind": incoming.kind,
        "filename": incoming.filename,
        "content_type": incoming.content_type,
        "size": incoming.size,
        "sha256": None,
        "source_url": incoming.url,
        "problem": None,
        "meta": dict(incoming.extra),
    }
    if incoming.data is not None:
        row["size"] = len(incoming.data)
        if store is None:
            row["problem"] = "no attachment store configured"
        else:
            try:
                row["sha256"] = store.put(incoming.data)
            except AttachmentTooLarge as exc:
                row["problem"] = str(exc)
    return with_defaults(Attachment.__table__, row)


# -- contacts: inbox.contacts.resolve_contact for many senders at once ----------------------


def _contacts_for(session: Session, channel: str, who: dict[str, Participant]) -> dict[str, int]:
    """Contact id per provider user id: its identity's contact, else the contact with the same
    email (case-insensitive), else a new contact; new identities are created for the last two.
    """
    identity = ContactIdentity.__table__
    contact = Contact.__table__
    found: dict[str, int] = {}
    identity_changes: dict[int, dict[str, Any]] = {}
    contact_names: dict[int, dict[str, Any]] = {}
    merged: dict[str, int] = {}
    for chunk in chunks(sorted(who), MAX_PARAMS // 2):
        rows = session.execute(
            select(
                identity.c.external_user_id,
                identity.c.id,
                identity.c.handle,
                identity.c.display_name,
                contact.c.id,
                contact.c.name,
                contact.c.merged_into_id,
            )
            .join(contact, contact.c.id == identity.c.contact_id)
            .where(
                identity.c.channel == channel,
                one_of(session, identity.c.external_user_id, chunk),
            )
        )
        for key, identity_id, handle, display_name, contact_id, name, merged_into in rows:
            person = who[key]
            change: dict[str, Any] = {}
            if person.handle and handle != person.handle:
                change["handle"] = person.handle
            if person.name and display_name != person.name:
                change["display_name"] = person.name
            if change:
                identity_changes[int(identity_id)] = change
            if person.name and not name:
                contact_names[int(contact_id)] = {"name": person.name}
            found[key] = int(contact_id)
            if merged_into is not None:
                merged[key] = int(merged_into)
    update_rows(session, identity, identity_changes)
    update_rows(session, contact, contact_names)
    for key, first in merged.items():
        found[key] = _live_contact(session, first)
    missing = [key for key in who if key not in found]
    if missing:
        found.update(_new_identities(session, channel, {key: who[key] for key in missing}))
    return found


def _live_contact(session: Session, contact_id: int) -> int:
    """Follow merge tombstones to the surviving contact (rare: a query per hop)."""
    for _ in range(20):
        nxt = session.scalar(select(Contact.merged_into_id).where(Contact.id == contact_id))
        if nxt is None:
            break
        contact_id = int(nxt)
    return contact_id


def _new_identities(session: Session, channel: str, who: dict[str, Participant]) -> dict[str, int]:
    contact = Contact.__table__
    emails = {p.email.lower() for p in who.values() if p.email}
    by_email: dict[str, int] = {}
    for chunk in chunks(sorted(emails), MAX_PARAMS // 2):
        rows = session.execute(
            select(func.lower(contact.c.email), contact.c.id)
            .where(
                one_of(session, func.lower(contact.c.email), chunk),
                contact.c.merged_into_id.is_(None),
            )
            .order_by(contact.c.id)
        )
        for email, contact_id in rows:
            by_email.setdefault(str(email), int(contact_id))
    now = utcnow()
    fresh: dict[str, dict[str, Any]] = {}  # lower(email) → the contact to create
    for person in who.values():
        email = person.email.lower() if person.email else None
        if email is not None and email not in by_email and email not in fresh:
            fresh[email] = with_defaults(
                contact,
                {"name": person.name or person.handle, "email": person.email, "created_at": now},
            )
    returned = insert_rows(session, contact, list(fresh.values()), returning=("id", "email"))
    by_email.update({str(email).lower(): int(contact_id) for contact_id, email in returned})
    contact_ids: dict[str, int] = {}
    for key, person in who.items():
        if person.email:
            contact_ids[key] = by_email[person.email.lower()]
        else:  # no address to share a contact by: a contact of its own
            (row,) = insert_rows(
                session,
                contact,
                [with_defaults(contact, {"name": person.name or person.handle, "email": None})],
                returning=("id",),
            )
            contact_ids[key] = int(row[0])
    identities = [
        with_defaults(
            ContactIdentity.__table__,
            {
                "contact_id": contact_ids[key],
                "channel": channel,
                "external_user_id": key,
                "handle": person.handle,
                "display_name": person.name,
                "created_at": now,
            },
        )
        for key, person in who.items()
    ]
    inserted = insert_rows(
        session,
        ContactIdentity.__table__,
        identities,
        conflict=("channel", "external_user_id"),
        returning=("id",),
    )
    if len(inserted) != len(identities):
        raise ConcurrentWriter("an identity of this page was created meanwhile")
    return contact_ids
