"""Email copies of notifications, for agents who turned them on (Profile → Notifications).

Sent through NOTIFY_SMTP_URL (smtp://[user:password@]host:port, smtps:// for TLS); without it
the job records nothing and does nothing, so turning email on is harmless before it is set up.
"""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from inbox.models import User
from inbox.models.notifications import Notification
from inbox.notifications import mark_emailed
from workers.context import runtime

SUBJECTS = {
    "assigned": "Assigned to you",
    "mentioned": "You were mentioned",
    "sla_breach": "SLA breached",
    "customer_replied": "Customer replied",
    "webhook_disabled": "Webhook disabled",
}


def email_notification(notification_id: int) -> bool:
    """Send one notification by email once (emailed_at marks it); True if sent now."""
    rt = runtime()
    url = rt.settings.get("NOTIFY_SMTP_URL", "")
    if not url:
        return False
    with rt.db.session() as session:
        note = session.get(Notification, notification_id)
        if note is None or note.emailed_at is not None or note.read_at is not None:
            return False
        user = session.get(User, note.user_id)
        if user is None or not user.is_active:
            return False
        message = EmailMessage()
        message["From"] = rt.settings.get("NOTIFY_EMAIL_FROM", "") or "switchboard@localhost"
        message["To"] = user.email
        message["Subject"] = f"[Switchboard] {SUBJECTS.get(note.kind, note.kind)}"
        link = rt.settings.get("PUBLIC_BASE_URL", "").rstrip("/")
        target = f"{link}/inbox/c/{note.conversation_id}" if note.conversation_id else link
        message.set_content(f"{note.text}\n\n{target}\n")
    # Outside the transaction: SQLite holds its write lock for a session's whole life.
    _send(url, message)
    with rt.db.session() as session:
        mark_emailed(session, notification_id, datetime.now(UTC))
    return True


def _send(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with smtp_class(parts.hostname or "127.0.0.1", parts.port or 25, timeout=20) as smtp:
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)
