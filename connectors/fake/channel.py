"""The fake test channel (tests, benchmarks, the demo's sample history); never in CHANNELS."""

from __future__ import annotations

from connectors.base import Badge, Channel, ChannelSettings, PostRules

_SETTINGS = ChannelSettings(prefixes=("FAKE_",), defaults={"FAKE_WEBHOOK_SECRET": ""})
_POSTS = PostRules(
    label="Test channel",
    max_chars=63_206,
    image_types=frozenset({"image/jpeg", "image/png"}),
    max_image_bytes=10 * 1024 * 1024,
    max_images=10,
)

CHANNEL = Channel(
    slug="fake",
    connector="connectors.fake.connector:FakeConnector",
    names={"en": "Test channel", "ko": "테스트 채널"},
    badge=Badge(text="#374151", background="#eceff4"),
    account=None,  # accounts are made by tests and the demo, never from the admin page
    settings=_SETTINGS,
    posts=_POSTS,
)

DEMO_HISTORY = Channel(
    slug="fake",
    connector="connectors.fake.connector:DemoHistoryConnector",
    names=CHANNEL.names,
    badge=CHANNEL.badge,
    account=None,
    settings=_SETTINGS,
    posts=_POSTS,
)
