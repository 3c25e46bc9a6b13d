"""The x channel, as the rest of Switchboard sees it (see Channel in connectors/base.py)."""

from __future__ import annotations

from collections.abc import Mapping

from connectors._meta.channel import GIF, JPEG, PNG, WEBP
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
    PostRules,
    TextLimit,
    Words,
    in_dms_only,
    label,
)
from connectors.x.weighted_length import (
    MAX_WEIGHTED_LENGTH,
    has_invalid_characters,
    weighted_length,
)


def reply_limit(kind: ConversationKind) -> TextLimit | None:
    """Posts count X's weighted length; DMs are only checked when sent."""
    return None if kind == ConversationKind.DM else TextLimit(MAX_WEIGHTED_LENGTH, "weighted")


# DM media (docs/platform-apis.md §2.9): one per DM; simple upload, so images and GIFs only
# (videos need the chunked upload, not implemented).
DM_FILES = AttachmentLimits(
    types={JPEG: 5 * MB, PNG: 5 * MB, WEBP: 5 * MB, GIF: 15 * MB},
    max_count=1,
    note=label(
        "One image or GIF per DM; no video yet.",
        "DM 하나에 이미지나 GIF 하나; 동영상은 아직 안 됩니다.",
    ),
)


def post_checks(text: str, options: Mapping[str, object]) -> list[str]:
    if has_invalid_characters(text):
        return [
            Words(
                "X: contains a character X refuses (U+FEFF, U+FFFE or U+FFFF)",
                "X: X가 받지 않는 문자(U+FEFF, U+FFFE, U+FFFF)가 들어 있습니다",
            )
        ]
    return []


CHANNEL = Channel(
    slug="x",
    connector="connectors.x.connector:XConnector",
    names={"en": "X", "ko": "X"},
    badge=Badge(text="#111111", background="#e9e9e9"),
    account=AccountForm(
        external_id_label=label("X user id", "X 사용자 ID"),
        external_id="digits",
        credentials=(
            Field(
                "access_token", label("OAuth 1.0a access token", "OAuth 1.0a 액세스 토큰"), "secret"
            ),
            Field(
                "access_token_secret",
                label("OAuth 1.0a access token secret", "OAuth 1.0a 액세스 토큰 시크릿"),
                "secret",
            ),
            Field(
                "bearer_token",
                label("or: OAuth 2.0 user token", "또는: OAuth 2.0 사용자 토큰"),
                "secret",
            ),
        ),
        options=(
            Field(
                "poll_interval",
                label("Poll interval (seconds)", "가져오기 간격 (초)"),
                "number",
                minimum=10,
                maximum=3600,
                default=60,
            ),
        ),
        credential_sets=(("access_token", "access_token_secret"), ("bearer_token",)),
    ),
    settings=ChannelSettings(
        prefixes=("X_",),
        defaults={
            "X_API_URL": "https://api.x.com",
            "X_CONSUMER_KEY": "",
            "X_CONSUMER_SECRET": "",
            # Connect X with OAuth 2.0 + PKCE (x/oauth.py)
            "X_AUTHORIZE_URL": "https://x.com/i/oauth2/authorize",
            "X_CLIENT_ID": "",
            "X_CLIENT_SECRET": "",
        },
    ),
    limits=Limits(
        text_length=weighted_length, reply=reply_limit, attachments=in_dms_only(DM_FILES)
    ),
    posts=PostRules(
        label="X",
        max_chars=MAX_WEIGHTED_LENGTH,
        text_length=weighted_length,
        too_long=label(
            "{label}: too long, {count} (Korean, CJK and emoji count 2, each link 23)",
            "{label}: 너무 깁니다, {count} (한글·한자·이모지는 2, 링크는 하나에 23으로 셉니다)",
        ),
        count_thousands=False,
        image_types=frozenset({JPEG, PNG, GIF, WEBP}),
        max_image_bytes=5 * 1024 * 1024,
        max_images=4,
        attaches_images=False,  # media upload is not implemented yet (issue 6)
        text_checks=post_checks,
    ),
)
