"""One test per corpus file of the Meta webhook with object=instagram.

The facebook connector parses /webhooks/meta; the instagram connector parses the same way,
and both tag these events with channel "instagram".
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.base import ConversationKind, EventKind, InboundEvent
from connectors.facebook import FacebookConnector
from connectors.instagram import InstagramConnector

FIXTURES = Path(__file__).parent / "fixtures"
IG = "17841400000012345"
IGSID = "1120334455667788"
MID_PREFIX = (
    "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDEyMzQ1OjM0MDI4MjM2NjkyMDkz"
    "ODQ2MzQ2MzM3NDYwNzQzMTc2ODIxMTQ1MDAwMDAwMDAwMDAwMDAw"
)
TEXT_MID = MID_PREFIX + "MTIzNDU2Nzg5"
SETTINGS = {"META_APP_SECRET": "s3cret"}


@pytest.fixture(params=[FacebookConnector, InstagramConnector], ids=["meta-endpoint", "ig"])
def connector(request: pytest.FixtureRequest) -> FacebookConnector | InstagramConnector:
    cls = request.param
    return cls(SETTINGS)  # type: ignore[no-any-return]


def one(connector: FacebookConnector | InstagramConnector, name: str) -> InboundEvent:
    (event,) = connector.parse({}, (FIXTURES / name).read_bytes())
    assert event.channel == "instagram"
    assert event.account_external_id == IG
    return event


def test_dm_text(connector: FacebookConnector) -> None:
    event = one(connector, "instagram_message__text.json")
    assert event.kind is EventKind.MESSAGE
    assert event.conversation_kind is ConversationKind.DM
    assert event.external_id == TEXT_MID
    assert event.thread_key == IGSID
    assert event.customer is not None and event.customer.external_id == IGSID
    assert event.text == "비타민D 1000IU랑 2000IU 차이가 뭔가요? 🙏"
    assert event.sent_at == datetime(2026, 11, 25, 7, 5, 10, tzinfo=UTC)


def test_story_mention(connector: FacebookConnector) -> None:
    event = one(connector, "instagram_message__story_mention.json")
    assert event.kind is EventKind.MESSAGE
    assert event.external_id == MID_PREFIX + "OTg3NjU0MzIx"
    assert event.thread_key == IGSID
    assert event.text == ""
    (attachment,) = event.attachments
    assert attachment.kind == "story_mention"
    assert attachment.url is not None
    assert attachment.url.startswith("https://lookaside.fbsbx.com/ig_messaging_cdn/")


def test_echo_without_metadata_matches_by_mid(connector: FacebookConnector) -> None:
    event = one(connector, "instagram_message__echo.json")
    assert event.kind is EventKind.ECHO
    assert event.external_id == MID_PREFIX + "NTU1NjY2Nzc3"
    assert event.thread_key == IGSID
    assert event.outbound_ref is None
    assert event.text == "안녕하세요! 1000IU는 일반 유지용, 2000IU는 결핍 시 권장량입니다. 😊"


def test_unsent_dm_is_a_deletion_of_the_original(connector: FacebookConnector) -> None:
    event = one(connector, "instagram_message__deleted.json")
    assert event.kind is EventKind.DELETED
    assert event.targets == (TEXT_MID,)
    assert event.thread_key == IGSID
    assert event.text is None


def test_comment_add_threads_per_media(connector: FacebookConnector) -> None:
    event = one(connector, "instagram_comments__add.json")
    assert event.kind is EventKind.MESSAGE
    assert event.conversation_kind is ConversationKind.COMMENT
    assert event.external_id == "17865544332211009"
    assert event.thread_key == "18023344556677889"
    assert event.customer is not None
    assert (event.customer.external_id, event.customer.handle) == (
        "5566778899001122",
        "health_jiwoo",
    )
    assert event.text == "@seoul_supps_official 이거 임산부도 먹어도 되나요?"
    assert event.sent_at == datetime(2026, 11, 25, 8, 0, 32, tzinfo=UTC)
    assert event.context["media_id"] == "18023344556677889"


def test_mention_needs_a_fetch(connector: FacebookConnector) -> None:
    event = one(connector, "instagram_mentions__comment.json")
    assert event.kind is EventKind.MESSAGE
    assert event.conversation_kind is ConversationKind.MENTION
    assert event.external_id == "17880011223344556"
    assert event.thread_key == "17999887766554433"
    assert event.customer is None
    assert event.text is None
    assert event.needs_fetch is True
