"""Wire shapes from Meta's reference with no captured fixture (docs/platform-apis.md §1.5-1.7).

Built inline, small on purpose; replace with captured fixtures when real ones are available.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from connectors.base import ConversationKind, EventKind, InboundEvent, UnsupportedEvent
from connectors.facebook import FacebookConnector

PAGE = "104857600012345"
IG = "17841400000012345"
PSID = "7316448201953377"


def parse(obj: str, entry: dict[str, Any]) -> list[InboundEvent]:
    body = json.dumps({"object": obj, "entry": [{"time": 1795583550000, **entry}]}).encode()
    return list(FacebookConnector({}).parse({}, body))


def messaging(item: dict[str, Any], obj: str = "page", key: str = "messaging") -> InboundEvent:
    base = {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": 1795583550000}
    (event,) = parse(obj, {"id": PAGE if obj == "page" else IG, key: [{**base, **item}]})
    return event


def test_reaction_is_a_short_message_pointing_at_its_target() -> None:
    event = messaging(
        {"reaction": {"mid": "m_1", "action": "react", "reaction": "love", "emoji": "❤"}}
    )
    assert (event.kind, event.text, event.context["reaction_to"]) == (EventKind.MESSAGE, "❤", "m_1")
    with pytest.raises(UnsupportedEvent, match="reaction removals"):
        messaging({"reaction": {"mid": "m_1", "action": "unreact"}})


def test_message_edit() -> None:
    event = messaging({"message_edit": {"mid": "m_1", "text": "고친 문장", "num_edit": 1}})
    assert (event.kind, event.targets, event.text) == (EventKind.EDITED, ("m_1",), "고친 문장")


def test_standby_items_are_ingested_and_marked() -> None:
    event = messaging({"message": {"mid": "m_2", "text": "다른 앱이 관리 중"}}, key="standby")
    assert event.kind is EventKind.MESSAGE and event.extra["standby"] is True


def test_instagram_seen_names_the_mid() -> None:
    event = messaging({"read": {"mid": "aWdf_1"}}, obj="instagram")
    assert (event.kind, event.targets, event.channel) == (EventKind.READ, ("aWdf_1",), "instagram")


def test_story_reply_keeps_the_story_as_context() -> None:
    story = {"url": "https://lookaside.fbsbx.com/story", "id": "1799"}
    event = messaging(
        {"message": {"mid": "aWdf_2", "text": "이거 어디서 사요?", "reply_to": {"story": story}}},
        obj="instagram",
    )
    assert event.context == {"story": story}


def test_unknown_attachment_types_are_kept_as_unsupported() -> None:
    event = messaging(
        {
            "message": {
                "mid": "m_3",
                "attachments": [
                    {"type": "ig_reel", "payload": {"url": "https://x", "title": "릴스"}}
                ],
            }
        }
    )
    (attachment,) = event.attachments
    assert (attachment.kind, attachment.extra["type"], attachment.extra["title"]) == (
        "unsupported",
        "ig_reel",
        "릴스",
    )


def test_postback_without_mid_gets_a_stable_key() -> None:
    item = {"postback": {"title": "시작하기", "payload": "GET_STARTED"}}
    assert (
        messaging(item).external_id
        == messaging(item).external_id
        == f"postback:{PSID}:1795583550000:GET_STARTED"
    )


def test_page_mention_needs_a_fetch() -> None:
    change = {
        "field": "mention",
        "value": {"item": "comment", "verb": "add", "post_id": "9_1", "comment_id": "1_2"},
    }
    (event,) = parse("page", {"id": PAGE, "time": 1795594201, "changes": [change]})
    assert (event.conversation_kind, event.external_id, event.thread_key) == (
        ConversationKind.MENTION,
        "1_2",
        "9_1",
    )
    assert event.needs_fetch and event.customer is None


def test_visitor_post_is_a_conversation_and_page_posts_are_not() -> None:
    value = {
        "item": "status",
        "verb": "add",
        "post_id": f"{PAGE}_5",
        "message": "문의 글",
        "from": {"id": "42", "name": "방문자"},
        "created_time": 1795597200,
    }
    (event,) = parse("page", {"id": PAGE, "changes": [{"field": "feed", "value": value}]})
    assert (event.kind, event.thread_key, event.text) == (EventKind.MESSAGE, f"{PAGE}_5", "문의 글")
    ours = {**value, "from": {"id": PAGE, "name": "서울서플"}}
    with pytest.raises(UnsupportedEvent, match="not a customer conversation"):
        parse("page", {"id": PAGE, "changes": [{"field": "feed", "value": ours}]})


def test_our_own_instagram_comment_is_an_echo_and_live_comments_are_marked() -> None:
    value = {
        "id": "178",
        "text": "답변",
        "from": {"id": IG, "username": "seoul_supps_official"},
        "media": {"id": "180"},
    }
    (echo,) = parse(
        "instagram",
        {"id": IG, "time": 1795593632, "changes": [{"field": "comments", "value": value}]},
    )
    assert echo.kind is EventKind.ECHO and echo.customer is None
    live = {**value, "from": {"id": "55", "username": "viewer"}}
    (event,) = parse(
        "instagram",
        {"id": IG, "time": 1795593632, "changes": [{"field": "live_comments", "value": live}]},
    )
    assert event.extra["live"] is True


def test_caption_mention_is_keyed_by_media() -> None:
    change = {"field": "mentions", "value": {"media_id": "1799"}}
    (event,) = parse("instagram", {"id": IG, "time": 1795594201, "changes": [change]})
    assert (event.external_id, event.context["in"]) == ("1799", "caption")
