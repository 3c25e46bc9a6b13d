"""The instagram channel, as the rest of Switchboard sees it (see Channel in connectors/base.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from connectors._meta.channel import JPEG, META_SETTINGS, PNG
from connectors.base import (
    EACH_FILE_ITS_OWN_MESSAGE,
    MB,
    AccountForm,
    AttachmentLimits,
    Badge,
    Channel,
    Field,
    Limits,
    PostRules,
    SharedWebhook,
    Words,
    in_dms_only,
    label,
)
from connectors.facebook.channel import HUMAN_AGENT
from connectors.media import AVI, M4A, MOV, MP4, OGG_VIDEO, PDF, WAV, WEBM

# Here, not in connector.py, so the declaration imports no Graph client; the connector reads them.
CAPTION_LIMIT = 2200
DEFAULT_MAX_HASHTAGS = 30  # third-party reports of a 5-hashtag cap: set options["max_hashtags"]
HASHTAG = re.compile(r"(?<!\w)#\w+")

# Instagram messaging attachments (docs/platform-apis.md §1.9): images 8 MB; video, audio and
# PDF 25 MB. Each file is its own Send API call, so the count is ours, as on Messenger.
DM_FILES = AttachmentLimits(
    types={
        **{t: 8 * MB for t in (JPEG, PNG)},
        **{t: 25 * MB for t in (MP4, MOV, WEBM, OGG_VIDEO, AVI, M4A, WAV, PDF)},
    },
    max_count=5,
    note=EACH_FILE_ITS_OWN_MESSAGE,
)


MENTION = re.compile(r"(?<![\w@])@\w+")
MAX_MENTIONS = 20  # docs/platform-apis.md §1.14


def caption_checks(text: str, options: Mapping[str, object]) -> list[str]:
    """Hashtag and @-mention caps; the hashtag cap Meta changes is an account option."""
    errors: list[str] = []
    raw = options.get("max_hashtags")
    max_tags = int(raw) if isinstance(raw, int | str) and str(raw).isdigit() else None
    if max_tags is None:
        max_tags = DEFAULT_MAX_HASHTAGS
    tags = len(HASHTAG.findall(text))
    if tags > max_tags:
        errors.append(
            Words(
                f"Instagram: {tags} hashtags; at most {max_tags} are allowed",
                f"Instagram: 해시태그 {tags}개, 최대 {max_tags}개까지 쓸 수 있습니다",
            )
        )
    mentions = len(MENTION.findall(text))
    if mentions > MAX_MENTIONS:
        errors.append(
            Words(
                f"Instagram: {mentions} @-mentions; at most {MAX_MENTIONS}",
                f"Instagram: @멘션 {mentions}개, 최대 {MAX_MENTIONS}개까지 쓸 수 있습니다",
            )
        )
    return errors


CHANNEL = Channel(
    slug="instagram",
    connector="connectors.instagram.connector:InstagramConnector",
    names={"en": "Instagram", "ko": "Instagram"},
    badge=Badge(text="#b0186e", background="#fde8f3", brand="#d62976"),
    account=AccountForm(
        external_id_label=label("Instagram account id", "인스타그램 계정 ID"),
        external_id="digits",
        credentials=(
            Field(
                "page_token",
                label("Linked Page's access token", "연결된 페이지의 액세스 토큰"),
                "secret",
                required=True,
            ),
        ),
        options=(
            Field(
                "page_id",
                label("Linked Page id", "연결된 페이지 ID"),
                help=label("DMs go through this Page", "DM은 이 페이지를 통해 주고받습니다"),
            ),
            HUMAN_AGENT,
        ),
    ),
    settings=META_SETTINGS,
    shared_webhook=SharedWebhook("meta", "instagram"),  # Meta's one callback URL
    limits=Limits(
        text_length=lambda text: len(text.encode()),  # DMs count bytes
        attachments=in_dms_only(DM_FILES),
    ),
    posts=PostRules(
        label="Instagram",
        max_chars=CAPTION_LIMIT,
        too_long=label(
            "{label}: caption too long, {count} characters",
            "{label}: 캡션이 너무 깁니다, {count}자",
        ),
        image_types=frozenset({JPEG}),  # the content-publishing API takes JPEG only
        max_image_bytes=8 * 1024 * 1024,
        max_images=10,  # a carousel holds at most 10
        needs_image=True,
        link="drop",  # captions do not make links clickable
        link_warning=label(
            "Instagram: links in captions are not clickable; the link is left out",
            "Instagram: 캡션 속 링크는 눌리지 않아 링크를 빼고 게시합니다",
        ),
        text_checks=caption_checks,
    ),
)
