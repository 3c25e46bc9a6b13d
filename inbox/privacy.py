"""Privacy requests: export everything about a contact, and erase a contact.

Export writes one zip: `contact.json` (the contact and the tombstones merged into it, their
identities, conversations with every message and note, the audit entries about them) and
`attachments/` (the stored files), plus their satisfaction surveys and the FAQ phrasings
learned from their conversations. Every column goes out as stored: the point of an export
is that nothing about the person is left out.

Erasure is a queued request (`PrivacyRequest`), done by a job in two committed steps:
1. scrub: in one transaction, the contact's name, email, phone and notes, every message's
   text, html, subject, provider id and metadata, every attachment's name and URL, the
   conversations' subjects, summaries, context and provider thread keys, the identities
   (deleted), the notifications about the conversations (deleted), the outgoing-webhook
   payloads that carried them, the raw inbound deliveries that name the person's provider
   ids, the free text in the details of the audit entries about them, the comments of their
   satisfaction surveys (the 1-5 ratings stay, unattributable, for reports) and the phrasings
   the FAQ learned from their conversations (deleted: their words stop teaching); the search index
   follows the columns (SQLite's FTS5 triggers, PostgreSQL's indexes over the columns). The
   attachment digests to delete are kept on the request.
2. files: each digest no other attachment or announcement image still uses is deleted from
   the store, after the commit of step 1 (a rolled-back scrub must not lose files).
What stays, for reports: the rows themselves with ids, kinds, directions, statuses,
channel accounts, timestamps and counts, the audit entries (who did what to which row when),
and one audit entry of the erasure with counts only.
"""

from __future__ import annotations

import json
import secrets
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import String, cast, delete, func, literal, or_, select, text, update
from sqlalchemy.orm import Session

from connectors.base import Words
from inbox.attachments import AttachmentStore
from inbox.audit import record
from inbox.events import after_commit, emit
from inbox.faq.models import FaqEvidence
from inbox.models import (
    Attachment,
    AuditLog,
    Contact,
    ContactIdentity,
    Conversation,
    InboundDelivery,
    Message,
    utcnow,
)
from inbox.models.announcements import AnnouncementImage
from inbox.models.notifications import Notification
from inbox.models.privacy import PrivacyRequest
from inbox.models.reports import CsatSurvey
from inbox.models.webhooks import WebhookAttempt, WebhookDelivery

EXPORT_FORMAT = "switchboard-contact-export/1"
ERASED_MARK = {"erased": True}
ERASED_TEXT = "erased"
SCAN_BATCH = 500
# Audit detail keys whose strings are our own vocabulary, ids or timestamps (merge undo reads
# them back), never what the person wrote or is called. Every other string in an erased
# person's audit entries goes: an allowlist, so a detail added later is scrubbed by default.
AUDIT_VOCABULARY = frozenset(
    {"fields", "status", "resolved_at", "snoozed_until", "survivor_labels", "mode", "outcome"}
)


class PrivacyRefused(ValueError):
    """The export or erasure cannot be done as asked; says why."""


# --- which rows belong to a contact --------------------------------------------------------


def contact_family(session: Session, contact_id: int) -> list[int]:
    """The contact and every contact merged into it (tombstones keep their old name/email).

    A tombstone itself is refused: its data lives on the contact it was merged into.
    """
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise LookupError(f"contact {contact_id} not found")
    if contact.merged_into_id is not None:
        raise PrivacyRefused(
            Words(
                f"contact {contact_id} was merged into contact {contact.merged_into_id}: "
                "use that one",
                f"고객 {contact_id}은(는) 고객 {contact.merged_into_id}에 합쳐졌습니다. "
                "그 고객으로 요청하세요",
            )
        )
    family, frontier = [contact_id], [contact_id]
    while frontier:
        frontier = list(
            session.scalars(select(Contact.id).where(Contact.merged_into_id.in_(frontier)))
        )
        family.extend(frontier)
    return family


def _conversation_ids(session: Session, contact_ids: list[int]) -> list[int]:
    return list(
        session.scalars(
            select(Conversation.id)
            .where(Conversation.contact_id.in_(contact_ids))
            .order_by(Conversation.id)
        )
    )


def erasure_of(session: Session, contact_id: int) -> PrivacyRequest | None:
    """The newest erasure request naming this contact, if any (its status says how far)."""
    for request in session.scalars(
        select(PrivacyRequest).order_by(PrivacyRequest.id.desc()).limit(1000)
    ):
        if contact_id in request.contact_ids:
            return request
    return None


# --- export ----------------------------------------------------------------------------------


@dataclass
class ExportSummary:
    conversations: int
    messages: int
    attachments: int
    missing_files: int


def count_messages(session: Session, contact_id: int) -> int:
    """How many messages an export of this contact writes (for a progress bar's total)."""
    conversations = _conversation_ids(session, contact_family(session, contact_id))
    if not conversations:
        return 0
    return int(
        session.scalar(
            select(func.count(Message.id)).where(Message.conversation_id.in_(conversations))
        )
        or 0
    )


def export_contact(
    session: Session,
    contact_id: int,
    store: AttachmentStore,
    out: IO[bytes],
    *,
    actor_id: int | None,
    on_message: Callable[[int], None] | None = None,
) -> ExportSummary:
    """Write the zip described in the module docstring to `out`; audit the export.

    An erased contact is refused (there is nothing personal left to export, and an empty
    zip would look like a complete answer).
    """
    family = contact_family(session, contact_id)
    erasure = erasure_of(session, contact_id)
    if erasure is not None and erasure.status != "failed":
        raise PrivacyRefused(
            Words(
                f"contact {contact_id} was erased (privacy request {erasure.id})",
                f"고객 {contact_id}은(는) 삭제되었습니다 (개인정보 요청 {erasure.id})",
            )
        )
    contacts = [session.get(Contact, cid) for cid in family]
    conversation_ids = _conversation_ids(session, family)
    written_files: set[str] = set()
    counts = {"messages": 0, "attachments": 0, "missing": 0}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        conversations = []
        for conversation in session.scalars(
            select(Conversation).where(Conversation.id.in_(conversation_ids or [-1]))
        ):
            entry = _columns(conversation)
            entry["channel"] = conversation.account.channel
            entry["labels"] = sorted(label.name for label in conversation.labels)
            entry["messages"] = []
            for message in _messages(session, conversation.id):
                item = _columns(message)
                item["attachments"] = []
                for attachment in message.attachments:
                    described = _columns(attachment)
                    described["file"] = _add_file(archive, store, attachment, written_files)
                    counts["missing"] += described["file"] is None and bool(attachment.sha256)
                    counts["attachments"] += 1
                    item["attachments"].append(described)
                entry["messages"].append(item)
                counts["messages"] += 1
                if on_message is not None:
                    on_message(1)
            conversations.append(entry)
        document = {
            "format": EXPORT_FORMAT,
            "exported_at": _plain(utcnow()),
            "contact": _columns(contacts[0]) if contacts[0] else None,
            "merged_contacts": [_columns(c) for c in contacts[1:] if c is not None],
            "identities": [
                _columns(i)
                for i in session.scalars(
                    select(ContactIdentity)
                    .where(ContactIdentity.contact_id.in_(family))
                    .order_by(ContactIdentity.id)
                )
            ],
            "notes": _notes(contacts, conversations),
            "conversations": conversations,
            "audit": [_columns(a) for a in _audit_about(session, family, conversation_ids)],
            "csat": _rows_of(session, CsatSurvey, conversation_ids),
            "faq_evidence": _rows_of(session, FaqEvidence, conversation_ids),
        }
        archive.writestr(
            "contact.json", json.dumps(document, ensure_ascii=False, indent=2, default=_plain)
        )
    record(
        session,
        actor_id,
        "contact.export",
        "contact",
        contact_id,
        {"conversations": len(conversation_ids), "messages": counts["messages"]},
    )
    return ExportSummary(
        len(conversation_ids), counts["messages"], counts["attachments"], counts["missing"]
    )


def _messages(session: Session, conversation_id: int) -> Iterator[Message]:
    last = 0
    while True:
        batch = list(
            session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id, Message.id > last)
                .order_by(Message.id)
                .limit(SCAN_BATCH)
            )
        )
        yield from batch
        if len(batch) < SCAN_BATCH:
            return
        last = batch[-1].id


def _add_file(
    archive: zipfile.ZipFile, store: AttachmentStore, row: Attachment, written: set[str]
) -> str | None:
    """Copy one stored file into the zip once; its name in the zip, or None if not stored."""
    if not row.sha256:
        return None
    name = f"attachments/{row.sha256}{Path(row.filename or '').suffix[:16]}"
    if name in written:
        return name
    try:
        archive.write(store.path(row.sha256), name)
    except (OSError, ValueError):
        return None
    written.add(name)
    return name


def _notes(contacts: list[Contact | None], conversations: list[dict[str, Any]]) -> list[Any]:
    """The agents' notes about the person: the contact's notes field and the private notes."""
    found: list[Any] = [
        {"contact_id": c.id, "text": c.notes} for c in contacts if c is not None and c.notes
    ]
    for conversation in conversations:
        for message in conversation["messages"]:
            if message["kind"] == "note":
                found.append(
                    {
                        "conversation_id": conversation["id"],
                        "message_id": message["id"],
                        "text": message["text"],
                        "author_user_id": message["author_user_id"],
                        "created_at": message["created_at"],
                    }
                )
    return found


def _audit_about(
    session: Session, contact_ids: list[int], conversation_ids: list[int]
) -> list[AuditLog]:
    return list(
        session.scalars(
            select(AuditLog)
            .where(
                or_(
                    (AuditLog.target_type == "contact")
                    & AuditLog.target_id.in_([str(i) for i in contact_ids]),
                    (AuditLog.target_type == "conversation")
                    & AuditLog.target_id.in_([str(i) for i in conversation_ids] or ["-"]),
                )
            )
            .order_by(AuditLog.id)
        )
    )


def _rows_of(session: Session, model: Any, conversation_ids: list[int]) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(model).where(model.conversation_id.in_(conversation_ids or [-1])).order_by(model.id)
    )
    return [_columns(row) for row in rows]


def _columns(row: Any) -> dict[str, Any]:
    return {c.key: _plain(getattr(row, c.key)) for c in row.__mapper__.column_attrs}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


# --- erasure ----------------------------------------------------------------------------------


def request_erasure(
    session: Session,
    contact_ids: Iterable[int],
    *,
    source: str,
    actor_id: int | None,
    queue: bool = True,
) -> PrivacyRequest:
    """Queue the erasure of these contacts (each with its merged tombstones); audit the ask.

    `queue=False` is for the CLI, which runs the job itself right after the commit.
    """
    family: list[int] = []
    for contact_id in contact_ids:
        family.extend(i for i in contact_family(session, contact_id) if i not in family)
    request = PrivacyRequest(
        kind="erase",
        source=source,
        confirmation_code=secrets.token_hex(10),
        contact_ids=family,
        requested_by_id=actor_id,
        status="queued",
    )
    session.add(request)
    session.flush()
    record(
        session,
        actor_id,
        "privacy.erase_requested",
        "privacy_request",
        request.id,
        {"contacts": family, "source": source},
    )
    if queue:
        enqueue_erasure(session, request.id)
    return request


def request_erasure_by_identity(
    session: Session, channels: tuple[str, ...], external_user_id: str, *, source: str
) -> PrivacyRequest:
    """Meta's callback names a person by their app-scoped id: erase every contact with an
    identity of that id on these channels. A request is made (and answered with its code)
    even when nobody matches, so the status page says "nothing stored" instead of 404."""
    contact_ids = sorted(
        set(
            session.scalars(
                select(ContactIdentity.contact_id).where(
                    ContactIdentity.channel.in_(channels),
                    ContactIdentity.external_user_id == external_user_id,
                )
            )
        )
    )
    live: list[int] = []
    for contact_id in contact_ids:
        contact = session.get(Contact, contact_id)
        while contact is not None and contact.merged_into_id is not None:
            contact = session.get(Contact, contact.merged_into_id)
        if contact is not None and contact.id not in live:
            live.append(contact.id)
    return request_erasure(session, live, source=source, actor_id=None)


def enqueue_erasure(session: Session, request_id: int) -> None:
    after_commit(
        session,
        "workers.privacy.erase",
        request_id,
        queue="maintenance",
        job_id=f"privacy-erase-{request_id}",
    )


def scrub(session: Session, request_id: int) -> PrivacyRequest:
    """Step 1 of an erasure (module docstring); a request past it is left as it is."""
    request = session.get(PrivacyRequest, request_id)
    if request is None:
        raise LookupError(f"privacy request {request_id} not found")
    if request.status != "queued":
        return request
    contacts = list(request.contact_ids)
    conversations = _conversation_ids(session, contacts) if contacts else []
    identities = list(
        session.execute(
            select(ContactIdentity.channel, ContactIdentity.external_user_id).where(
                ContactIdentity.contact_id.in_(contacts or [-1])
            )
        )
    )
    counts = {
        "contacts": len(contacts),
        "identities": len(identities),
        "conversations": len(conversations),
    }
    digests: set[str] = set()
    counts["messages"] = counts["attachments"] = 0
    counts["csat_comments"] = counts["faq_evidence"] = 0
    for chunk in _chunks(conversations):
        message_ids = select(Message.id).where(Message.conversation_id.in_(chunk))
        for attachment in session.scalars(
            select(Attachment).where(Attachment.message_id.in_(message_ids))
        ):
            if attachment.sha256:
                digests.add(attachment.sha256)
            attachment.sha256 = attachment.filename = attachment.source_url = None
            attachment.meta, attachment.problem = dict(ERASED_MARK), "erased"
            counts["attachments"] += 1
        result = session.execute(
            update(Message)
            .where(Message.conversation_id.in_(chunk))
            .values(
                text=None,
                html=None,
                subject=None,
                external_id=None,
                author_label=None,
                failure_reason=None,
                meta=dict(ERASED_MARK),
            )
            .execution_options(synchronize_session=False)
        )
        counts["messages"] += _rowcount(result)
        session.execute(
            update(Conversation)
            .where(Conversation.id.in_(chunk))
            .values(
                subject=None,
                resolution_summary=None,
                follow_up_task=None,  # free text; "Call back <number>" after a missed call
                # The provider's thread and participant ids name the person; a new message
                # from them starts a new conversation with a new contact.
                thread_key=literal("erased:").concat(cast(Conversation.id, String)),
                participant_key="erased",
                context=dict(ERASED_MARK),
            )
            .execution_options(synchronize_session=False)
        )
        session.execute(delete(Notification).where(Notification.conversation_id.in_(chunk)))
        counts["csat_comments"] += _rowcount(
            session.execute(
                update(CsatSurvey)
                .where(CsatSurvey.conversation_id.in_(chunk), CsatSurvey.comment.is_not(None))
                .values(comment=None)
                .execution_options(synchronize_session=False)
            )
        )
        # Deleting (not marking removed) changes the FAQ index's fingerprint in every process.
        counts["faq_evidence"] += _rowcount(
            session.execute(
                delete(FaqEvidence)
                .where(FaqEvidence.conversation_id.in_(chunk))
                .execution_options(synchronize_session=False)
            )
        )
    session.execute(delete(ContactIdentity).where(ContactIdentity.contact_id.in_(contacts or [-1])))
    session.execute(
        update(Contact)
        .where(Contact.id.in_(contacts or [-1]))
        .values(name=None, email=None, phone=None, notes=None, email_verified=False)
        .execution_options(synchronize_session=False)
    )
    counts["webhook_payloads"] = _scrub_webhook_payloads(session, set(conversations), contacts)
    counts["raw_deliveries"] = _scrub_deliveries(
        session, {external for _, external in identities}, request.id
    )
    counts["audit_entries"] = _scrub_audit(session, contacts, conversations)
    request.status = "scrubbed"
    request.summary = counts
    request.pending_files = sorted(digests)
    record(
        session, request.requested_by_id, "privacy.erased", "privacy_request", request.id, counts
    )
    for contact_id in contacts:
        emit(session, "contact.updated", contact_id=contact_id)
    return request


def delete_files(session: Session, request_id: int, store: AttachmentStore) -> PrivacyRequest:
    """Step 2: delete the scrubbed attachments' files nothing else uses; mark the request done."""
    request = session.get(PrivacyRequest, request_id)
    if request is None:
        raise LookupError(f"privacy request {request_id} not found")
    if request.status != "scrubbed":
        return request
    deleted = 0
    for digest in request.pending_files:
        if _digest_in_use(session, digest):
            continue
        try:
            store.path(digest).unlink()
            deleted += 1
        except FileNotFoundError:
            pass
    request.summary = {**request.summary, "files_deleted": deleted}
    request.pending_files = []
    request.status = "done"
    request.completed_at = utcnow()
    return request


def fail(session: Session, request_id: int, error: str) -> None:
    request = session.get(PrivacyRequest, request_id)
    if request is not None and request.status == "queued":
        request.status, request.error = "failed", error[:2000]


def retry(session: Session, request_id: int, *, actor_id: int | None) -> PrivacyRequest:
    """Queue a failed erasure again."""
    request = session.get(PrivacyRequest, request_id)
    if request is None:
        raise LookupError(f"privacy request {request_id} not found")
    if request.status != "failed":
        raise PrivacyRefused(
            Words(
                f"privacy request {request_id} is {request.status}, not failed",
                f"개인정보 요청 {request_id}은(는) 실패한 요청이 아닙니다",
            )
        )
    request.status, request.error = "queued", None
    record(session, actor_id, "privacy.erase_retried", "privacy_request", request.id)
    enqueue_erasure(session, request.id)
    return request


def unfinished_requests(session: Session, requested_before: datetime) -> list[int]:
    """Requests a lost job left behind (the sweeper queues them again)."""
    return list(
        session.scalars(
            select(PrivacyRequest.id).where(
                PrivacyRequest.status.in_(("queued", "scrubbed")),
                PrivacyRequest.requested_at <= requested_before,
            )
        )
    )


def _digest_in_use(session: Session, digest: str) -> bool:
    return (
        session.scalar(select(Attachment.id).where(Attachment.sha256 == digest).limit(1))
        is not None
        or session.scalar(
            select(AnnouncementImage.id).where(AnnouncementImage.sha256 == digest).limit(1)
        )
        is not None
    )


def _scrub_webhook_payloads(session: Session, conversations: set[int], contacts: list[int]) -> int:
    """Outgoing-webhook payloads copy message text and contact names: blank those about them.

    Payloads are JSON of several shapes, so rows are read in id order and checked here; the
    table is pruned by its own retention, so the scan is bounded.
    """
    if not conversations and not contacts:
        return 0
    scrubbed, last = 0, 0
    wanted = set(contacts)
    while True:
        batch = list(
            session.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.id > last)
                .order_by(WebhookDelivery.id)
                .limit(SCAN_BATCH)
            )
        )
        for delivery in batch:
            if _mentions(delivery.payload, conversations, wanted):
                delivery.payload = {
                    "id": delivery.payload.get("id"),
                    "type": delivery.payload.get("type"),
                    **ERASED_MARK,
                }
                delivery.last_error = None
                session.execute(
                    update(WebhookAttempt)
                    .where(WebhookAttempt.delivery_id == delivery.id)
                    .values(response_excerpt=None)
                )
                scrubbed += 1
        if len(batch) < SCAN_BATCH:
            return scrubbed
        last = batch[-1].id


def _scrub_audit(session: Session, contacts: list[int], conversations: list[int]) -> int:
    """The audit entries about the contacts, their conversations and their messages keep who
    did what to which row when; the free text in their details (resolution summaries,
    follow-up tasks, rule outcomes, provider ids and errors) is what the scrubbed columns
    said, so it goes the same way."""
    scrubbed = 0
    for entry in _audit_of(session, contacts, conversations):
        cleaned = _erase_strings(entry.detail)
        if cleaned != entry.detail:
            entry.detail = cleaned
            scrubbed += 1
    return scrubbed


def _audit_of(
    session: Session, contacts: list[int], conversations: list[int]
) -> Iterator[AuditLog]:
    if contacts:
        yield from session.scalars(
            select(AuditLog).where(
                AuditLog.target_type == "contact",
                AuditLog.target_id.in_([str(i) for i in contacts]),
            )
        )
    for chunk in _chunks(conversations):
        messages = select(cast(Message.id, String)).where(Message.conversation_id.in_(chunk))
        yield from session.scalars(
            select(AuditLog).where(
                or_(
                    (AuditLog.target_type == "conversation")
                    & AuditLog.target_id.in_([str(i) for i in chunk]),
                    (AuditLog.target_type == "message") & AuditLog.target_id.in_(messages),
                )
            )
        )


def _erase_strings(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _erase_strings(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_erase_strings(v, key) for v in value]
    if isinstance(value, str) and key not in AUDIT_VOCABULARY:
        return ERASED_TEXT
    return value


def _mentions(value: Any, conversations: set[int], contacts: set[int]) -> bool:
    if isinstance(value, list):
        return any(_mentions(v, conversations, contacts) for v in value)
    if not isinstance(value, dict):
        return False
    if value.get("conversation_id") in conversations or value.get("contact_id") in contacts:
        return True
    for key, inner in value.items():
        if key == "conversation" and isinstance(inner, dict) and inner.get("id") in conversations:
            return True
        if key == "contact" and isinstance(inner, dict) and inner.get("id") in contacts:
            return True
        if _mentions(inner, conversations, contacts):
            return True
    return False


def _scrub_deliveries(session: Session, external_ids: set[str], request_id: int) -> int:
    """Blank the raw webhook bodies that carry one of the person's provider ids.

    Bodies are matched on the id as a JSON string ("…"), so "cust-1" does not hit "cust-10".
    A body may hold other people's events too: once processed their messages are the record;
    one still waiting is marked rejected with the reason (it would bring the person back).
    """
    if not external_ids:
        return 0
    dialect = session.get_bind().dialect.name
    found: set[int] = set()
    for external_id in sorted(external_ids):
        needle = json.dumps(external_id).encode()
        if dialect == "postgresql":
            clause = text("position(CAST(:needle AS bytea) in inbound_delivery.body) > 0")
        else:
            clause = text("instr(inbound_delivery.body, :needle) > 0")
        found.update(
            session.scalars(select(InboundDelivery.id).where(clause.bindparams(needle=needle)))
        )
    reason = f"body erased by privacy request {request_id}"
    for chunk in _chunks(sorted(found)):
        session.execute(
            update(InboundDelivery)
            .where(InboundDelivery.id.in_(chunk), InboundDelivery.status == "received")
            .values(status="rejected")
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(InboundDelivery)
            .where(InboundDelivery.id.in_(chunk))
            .values(body=b"", headers={}, reason=reason, route=None)
            .execution_options(synchronize_session=False)
        )
    return len(found)


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _chunks(ids: list[int], size: int = SCAN_BATCH) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
