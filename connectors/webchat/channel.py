"""The webchat channel, as the rest of Switchboard sees it (see Channel in connectors/base.py)."""

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
from connectors.media import GIF, JPEG, PDF, PNG, WEBP

# Files the visitor's widget shows: images inline, a PDF as a link (web/static/widget/widget.js),
# both through the signed file URLs of web/chat/files.py.
CHAT_FILES = AttachmentLimits(
    types={t: 10 * MB for t in (JPEG, PNG, GIF, WEBP, PDF)},
    max_count=5,
)


def chat_files(kind: ConversationKind) -> AttachmentLimits | None:
    return CHAT_FILES if kind == ConversationKind.CHAT else None


CHANNEL = Channel(
    slug="webchat",
    connector="connectors.webchat.connector:WebchatConnector",
    names={"en": "Web chat", "ko": "웹 채팅"},
    badge=Badge(text="#9a4d00", background="#fff3e0"),
    account=AccountForm(
        external_id_label=label("Widget id", "위젯 ID"),
        options=(
            Field("title", label("Widget title", "위젯 제목")),
            Field(
                "allowed_origins",
                label(
                    "Sites allowed to embed the widget (one per line)",
                    "위젯을 넣을 수 있는 사이트 (한 줄에 하나)",
                ),
                "lines",
                help=label(
                    "e.g. https://shop.example.com, or * for any site",
                    "예: https://shop.example.com, 모든 사이트는 *",
                ),
            ),
            Field(
                "hours",
                label("Opening hours (JSON)", "상담 시간 (JSON)"),
                "json",
                help=label(
                    'e.g. {"timezone": "Asia/Seoul", "days": {"mon": "09:00-18:00"}}',
                    '예: {"timezone": "Asia/Seoul", "days": {"mon": "09:00-18:00"}}',
                ),
            ),
            Field(
                "self_service",
                label("Offer FAQ answers first", "FAQ 답변을 먼저 보여주기"),
                "checkbox",
                default=True,
            ),
            Field(
                "offline_email_account",
                label(
                    "Mailbox that answers messages outside the hours",
                    "상담 시간 외 메시지에 답할 메일함",
                ),
                help=label("The address of a connected email account", "연결된 이메일 계정의 주소"),
            ),
        ),
    ),
    # WEBCHAT_TOKEN_SECRET (else SECRET_KEY), WEBCHAT_SESSION_DAYS (connector.py)
    settings=ChannelSettings(prefixes=("WEBCHAT_",)),
    limits=Limits(attachments=chat_files),
)
