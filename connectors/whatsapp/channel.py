"""The whatsapp channel, as the rest of Switchboard sees it (see Channel in connectors/base.py)."""

from __future__ import annotations

from connectors._meta.channel import META_SETTINGS
from connectors.base import (
    EACH_FILE_ITS_OWN_MESSAGE,
    MB,
    AccountForm,
    AttachmentLimits,
    Badge,
    Channel,
    ConversationKind,
    Field,
    Limits,
    SharedWebhook,
    TextLimit,
    in_dms_only,
    label,
)
from connectors.media import AAC, AMR, GPP, JPEG, M4A, MP3, MP4, OGG_AUDIO, PDF, PNG

TEXT_LIMIT = 4096  # characters of a text message body (here: the declaration imports no client)

# Cloud API media (docs/platform-apis.md §5.7): images 5 MB, video and audio 16 MB, documents
# 100 MB; each file is its own message.
DM_FILES = AttachmentLimits(
    types={
        **{t: 5 * MB for t in (JPEG, PNG)},
        **{t: 16 * MB for t in (MP4, GPP, AAC, AMR, MP3, M4A, OGG_AUDIO)},
        PDF: 100 * MB,
    },
    max_count=5,
    note=EACH_FILE_ITS_OWN_MESSAGE,
)


def _reply_limit(kind: ConversationKind) -> TextLimit | None:
    return TextLimit(TEXT_LIMIT) if kind == ConversationKind.DM else None


CHANNEL = Channel(
    slug="whatsapp",
    connector="connectors.whatsapp.connector:WhatsAppConnector",
    names={"en": "WhatsApp", "ko": "WhatsApp"},
    badge=Badge(text="#0b6b3a", background="#e3f7ea", brand="#1da851"),
    account=AccountForm(
        external_id_label=label("Phone number id", "전화번호 ID"),
        external_id="digits",
        credentials=(
            Field(
                "access_token",
                label("System user access token", "시스템 사용자 액세스 토큰"),
                "secret",
                required=True,
            ),
        ),
        options=(
            Field(
                "waba_id",
                label("WhatsApp Business Account id", "WhatsApp 비즈니스 계정 ID"),
                required=True,
                help=label(
                    "The account that owns the message templates",
                    "메시지 템플릿을 가진 계정",
                ),
            ),
        ),
    ),
    settings=META_SETTINGS,  # the Meta app's secret, verify token and Graph URL
    shared_webhook=SharedWebhook("meta", "whatsapp_business_account"),  # Meta's one callback URL
    limits=Limits(text_length=len, reply=_reply_limit, attachments=in_dms_only(DM_FILES)),
)
