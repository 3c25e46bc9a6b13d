"""The email channel, as the rest of Switchboard sees it (see Channel in connectors/base.py)."""

from __future__ import annotations

from connectors.base import (
    MB,
    AccountForm,
    AttachmentLimits,
    Badge,
    Channel,
    ChannelSettings,
    ConversationKind,
    Field,
    Limits,
    label,
)

# Any type: mail carries what the customer's client opens. 20 MB a file keeps a message under
# the common 25 MB server limit after base64 (a third larger) only for one file; ten at most.
MAIL_FILES = AttachmentLimits(types={}, max_bytes=20 * MB, max_count=10)


def mail_files(kind: ConversationKind) -> AttachmentLimits | None:
    return MAIL_FILES if kind == ConversationKind.EMAIL else None


PORT = {"kind": "number", "minimum": 1, "maximum": 65535}

CHANNEL = Channel(
    slug="email",
    connector="connectors.email.connector:EmailConnector",
    names={"en": "Email", "ko": "이메일"},
    badge=Badge(text="#256029", background="#e8f5e9"),
    account=AccountForm(
        external_id_label=label("Mailbox address", "메일 주소"),
        external_id="email",
        credentials=(
            Field(
                "imap_password", label("IMAP password", "IMAP 비밀번호"), "secret", required=True
            ),
            Field(
                "smtp_password",
                label("SMTP password", "SMTP 비밀번호"),
                "secret",
                help=label("Empty: send without logging in", "비워 두면 로그인 없이 보냅니다"),
            ),
        ),
        options=(
            Field("imap_host", label("IMAP server", "IMAP 서버"), required=True),
            Field("imap_port", label("IMAP port", "IMAP 포트"), **PORT),  # type: ignore[arg-type]
            Field(
                "imap_tls",
                label("IMAP security", "IMAP 보안"),
                "choice",
                choices=("ssl", "starttls", "none"),
            ),
            Field("imap_user", label("IMAP user", "IMAP 사용자"), required=True),
            Field("smtp_host", label("SMTP server", "SMTP 서버"), required=True),
            Field("smtp_port", label("SMTP port", "SMTP 포트"), **PORT),  # type: ignore[arg-type]
            Field(
                "smtp_tls",
                label("SMTP security", "SMTP 보안"),
                "choice",
                choices=("starttls", "ssl", "none"),
            ),
            Field(
                "smtp_user",
                label("SMTP user", "SMTP 사용자"),
                help=label("Empty: the IMAP user", "비워 두면 IMAP 사용자"),
            ),
            Field("from_name", label("Sender name", "보내는 사람 이름")),
            Field("signature", label("Signature", "서명"), "textarea"),
            Field(
                "mailboxes",
                label("Mailboxes to poll (one per line)", "가져올 메일함 (한 줄에 하나)"),
                "lines",
                default="INBOX",
            ),
            Field(
                "mark_seen",
                label("Mark fetched mail as read", "가져온 메일을 읽음으로 표시"),
                "checkbox",
                default=False,
            ),
            Field("move_to", label("Move fetched mail to folder", "가져온 메일을 옮길 폴더")),
        ),
    ),
    # IMAP_POLL_PAGE_SIZE, IMAP_MAX_MESSAGE_BYTES (connectors/email/connector.py)
    settings=ChannelSettings(prefixes=("IMAP_", "SMTP_")),
    limits=Limits(attachments=mail_files),
)
