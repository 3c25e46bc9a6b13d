"""The email channel, as the rest of Switchboard sees it (see Channel in connectors/base.py)."""

from __future__ import annotations

from connectors.base import AccountForm, Badge, Channel, ChannelSettings, Field, label
from connectors.email.connector import EmailConnector

PORT = {"kind": "number", "minimum": 1, "maximum": 65535}

CHANNEL = Channel(
    slug="email",
    connector=EmailConnector,
    names={"en": "Email", "ko": "이메일"},
    badge=Badge(text="#256029", background="#e8f5e9"),
    account=AccountForm(
        external_id_label=label("Mailbox address"),
        external_id="email",
        credentials=(
            Field("imap_password", label("IMAP password"), "secret", required=True),
            Field(
                "smtp_password",
                label("SMTP password"),
                "secret",
                help=label("Empty: send without logging in"),
            ),
        ),
        options=(
            Field("imap_host", label("IMAP server"), required=True),
            Field("imap_port", label("IMAP port"), **PORT),  # type: ignore[arg-type]
            Field(
                "imap_tls", label("IMAP security"), "choice", choices=("ssl", "starttls", "none")
            ),
            Field("imap_user", label("IMAP user"), required=True),
            Field("smtp_host", label("SMTP server"), required=True),
            Field("smtp_port", label("SMTP port"), **PORT),  # type: ignore[arg-type]
            Field(
                "smtp_tls", label("SMTP security"), "choice", choices=("starttls", "ssl", "none")
            ),
            Field("smtp_user", label("SMTP user"), help=label("Empty: the IMAP user")),
            Field("from_name", label("Sender name")),
            Field("signature", label("Signature"), "textarea"),
            Field("mailboxes", label("Mailboxes to poll (one per line)"), "lines", default="INBOX"),
            Field("mark_seen", label("Mark fetched mail as read"), "checkbox", default=False),
            Field("move_to", label("Move fetched mail to folder")),
        ),
    ),
    # IMAP_POLL_PAGE_SIZE, IMAP_MAX_MESSAGE_BYTES (connectors/email/connector.py)
    settings=ChannelSettings(prefixes=("IMAP_", "SMTP_")),
)
