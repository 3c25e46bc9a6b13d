"""The facebook channel, as the rest of Switchboard sees it (see Channel in connectors/base.py)."""

from __future__ import annotations

from connectors._meta.channel import GIF, JPEG, META_SETTINGS, PNG
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
    in_dms_only,
    label,
)
from connectors.media import MP3, MP4, PDF, WAV

# Page posts: docs/platform-apis.md §1.14.
MAX_POST_CHARS = 63_206

# Messenger Send API attachments (docs/platform-apis.md §1.9): 25 MB each; every file is its
# own Send API call, so the count is ours (a burst of calls counts against the Page's rate).
DM_FILES = AttachmentLimits(
    types={t: 25 * MB for t in (JPEG, PNG, GIF, MP4, MP3, WAV, PDF)},
    max_count=5,
    note=EACH_FILE_ITS_OWN_MESSAGE,
)


# Meta's HUMAN_AGENT message tag; Instagram's form offers it too.
HUMAN_AGENT = Field(
    "human_agent_enabled",
    label("Human agent tag (replies up to 7 days)", "휴먼 에이전트 태그 (7일까지 답장)"),
    "checkbox",
    default=False,
)

CHANNEL = Channel(
    slug="facebook",
    connector="connectors.facebook.connector:FacebookConnector",
    names={"en": "Facebook", "ko": "Facebook"},
    badge=Badge(text="#1b4fc4", background="#e7efff", brand="#1877f2"),
    account=AccountForm(
        external_id_label=label("Page id", "페이지 ID"),
        external_id="digits",
        credentials=(
            Field(
                "page_token",
                label("Page access token", "페이지 액세스 토큰"),
                "secret",
                required=True,
            ),
        ),
        options=(HUMAN_AGENT,),
    ),
    settings=META_SETTINGS,
    shared_webhook=SharedWebhook("meta", "page"),  # Meta's one callback URL
    limits=Limits(text_length=len, attachments=in_dms_only(DM_FILES)),
    posts=PostRules(
        label="Facebook",
        max_chars=MAX_POST_CHARS,
        max_chars_option="max_chars",
        image_types=frozenset({JPEG, PNG, GIF}),
        max_image_bytes=10 * 1024 * 1024,
        max_images=10,
        link="preview",  # a link without images becomes the post's preview card
    ),
)
