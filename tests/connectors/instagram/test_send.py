"""Instagram sends, moderation, mentions, publishing and polling against the sandbox."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import (
    ConversationKind,
    EventKind,
    OutboundReply,
    Participant,
    PermanentSendError,
    PublishRequest,
)
from connectors.facebook import FacebookConnector
from connectors.instagram import InstagramConnector
from tests.connectors.facebook.sandbox_support import IG, IG_ACCOUNT, PAGE, Sandbox


@pytest.fixture
def ig(sandbox: Sandbox) -> InstagramConnector:
    return InstagramConnector(sandbox.settings())


def reply(kind: ConversationKind, thread: str, text: str, **kw: object) -> OutboundReply:
    return OutboundReply(
        message_uuid=str(uuid.uuid4()),
        conversation_kind=kind,
        thread_key=thread,
        recipient=Participant(external_id=str(kw.pop("to", thread))),
        text=text,
        last_customer_message_at=datetime.now(UTC) - timedelta(minutes=5),
        **kw,  # type: ignore[arg-type]
    )


def test_dm_goes_through_the_linked_page(sandbox: Sandbox, ig: InstagramConnector) -> None:
    made = sandbox.emu("customers/dm", platform="instagram", text="비타민D 문의", deliver="none")
    out = reply(ConversationKind.DM, made["customer_id"], "안녕하세요! 😊")
    result = ig.send(IG_ACCOUNT, out)
    (call,) = sandbox.requests(method="POST")
    assert call["path"] == f"/{PAGE}/messages"
    assert call["json"] == {
        "recipient": {"id": made["customer_id"]},
        "messaging_type": "RESPONSE",
        "message": {"text": "안녕하세요! 😊", "metadata": f"inbox:outbound:{out.message_uuid}"},
    }
    assert result.external_id.startswith("aWdf")


def test_dm_text_limit_is_1000_bytes(sandbox: Sandbox, ig: InstagramConnector) -> None:
    made = sandbox.emu("customers/dm", platform="instagram", text="?", deliver="none")
    assert ig.validate_text(ConversationKind.DM, "가" * 333) is None  # 999 bytes
    with pytest.raises(PermanentSendError, match="1000 bytes"):
        ig.send(IG_ACCOUNT, reply(ConversationKind.DM, made["customer_id"], "가" * 334))
    assert sandbox.requests() == []


def test_comment_reply_uses_replies(sandbox: Sandbox, ig: InstagramConnector) -> None:
    made = sandbox.emu(
        "customers/comment",
        platform="instagram",
        username="health_jiwoo",
        text="임산부도 먹어도 되나요?",
        deliver="none",
    )
    out = reply(
        ConversationKind.COMMENT,
        made["post_id"],
        "DM으로 안내드릴게요!",
        in_reply_to=made["comment_id"],
    )
    result = ig.send(IG_ACCOUNT, out)
    (call,) = sandbox.requests(method="POST")
    assert call["path"] == f"/{made['comment_id']}/replies"
    assert call["json"] == {"message": "DM으로 안내드릴게요!"}
    assert result.external_id


def test_mention_reply_uses_the_mentions_edge(sandbox: Sandbox, ig: InstagramConnector) -> None:
    made = sandbox.emu(
        "customers/mention",
        username="daily_health_kr",
        text="@seoul_supps_official 최고!",
        deliver="none",
    )
    out = reply(
        ConversationKind.MENTION, made["media_id"], "감사합니다!", in_reply_to=made["comment_id"]
    )
    ig.send(IG_ACCOUNT, out)
    (call,) = sandbox.requests(method="POST")
    assert call["path"] == f"/{IG}/mentions"
    assert call["json"] == {
        "message": "감사합니다!",
        "media_id": made["media_id"],
        "comment_id": made["comment_id"],
    }


def test_private_reply_to_an_ig_comment(sandbox: Sandbox, ig: InstagramConnector) -> None:
    made = sandbox.emu("customers/comment", platform="instagram", text="가격?", deliver="none")
    out = reply(
        ConversationKind.COMMENT,
        made["post_id"],
        "DM 드렸어요",
        in_reply_to=made["comment_id"],
        private=True,
    )
    ig.send(IG_ACCOUNT, out)
    (call,) = sandbox.requests(method="POST")
    assert call["path"] == f"/{PAGE}/messages"
    assert call["json"]["recipient"] == {"comment_id": made["comment_id"]}


def test_hide_and_delete(sandbox: Sandbox, ig: InstagramConnector) -> None:
    made = sandbox.emu("customers/comment", platform="instagram", text="spam", deliver="none")
    ig.moderate(IG_ACCOUNT, made["comment_id"], "hide")
    ig.moderate(IG_ACCOUNT, made["comment_id"], "delete")
    hide, delete = sandbox.requests()
    assert (hide["method"], hide["path"], hide["json"]) == (
        "POST",
        f"/{made['comment_id']}",
        {"hide": True},
    )
    assert (delete["method"], delete["path"]) == ("DELETE", f"/{made['comment_id']}")


@pytest.mark.parametrize("connector_cls", [FacebookConnector, InstagramConnector])
def test_mention_enrichment_fetches_text_and_author(
    sandbox: Sandbox, connector_cls: type[FacebookConnector]
) -> None:
    """The webhook's connector (facebook) enriches IG mentions too, chosen by event.channel."""
    sandbox_config = sandbox.app.extensions["meta_sandbox_webhooks"]
    made = sandbox.emu(
        "customers/mention",
        username="daily_health_kr",
        text="@seoul_supps_official 루테인 후기!",
        deliver="hold",
    )
    held = sandbox_config.held[0]
    body = json.dumps(
        {"object": held.object, "entry": [{"id": held.entry_id, "time": 1, "changes": [held.item]}]}
    )
    connector = connector_cls(sandbox.settings())
    (event,) = connector.parse({}, body.encode())
    assert event.needs_fetch and event.text is None
    enriched = connector.enrich(IG_ACCOUNT, event)
    assert enriched.needs_fetch is False
    assert enriched.text == "@seoul_supps_official 루테인 후기!"
    assert enriched.customer is not None
    assert (enriched.customer.external_id, enriched.customer.handle) == (
        made["customer_id"],
        "daily_health_kr",
    )
    (call,) = sandbox.requests()
    assert call["path"] == f"/{IG}"
    assert call["query"]["fields"].startswith(f"mentioned_comment.comment_id({made['comment_id']})")


def test_publish_container_waits_until_finished(sandbox: Sandbox, ig: InstagramConnector) -> None:
    sandbox.app.extensions["meta_sandbox"].config["CONTAINER_CHECKS"] = 2
    request = PublishRequest(
        announcement_uuid="a1", text="신제품 #오메가3", image_urls=("https://cdn.example/o.jpg",)
    )
    result = ig.publish(IG_ACCOUNT, request)
    calls = [(c["method"], c["path"]) for c in sandbox.requests()]
    container = sandbox.requests(method="POST")[0]
    assert container["json"] == {
        "image_url": "https://cdn.example/o.jpg",
        "caption": "신제품 #오메가3",
    }
    status_checks = [c for c in calls if c[0] == "GET"]
    assert len(status_checks) == 3  # IN_PROGRESS, IN_PROGRESS, FINISHED
    assert calls[-1] == ("POST", f"/{IG}/media_publish")  # no permalink read after it
    assert result.permalink is None
    link = ig.permalink(IG_ACCOUNT, result.external_id)
    assert link is not None and link.startswith("https://www.instagram.com/p/")
    found = ig.find_published(IG_ACCOUNT, request, datetime.now(UTC) - timedelta(hours=1))
    assert found is not None and found.external_id == result.external_id


def test_publish_carousel(sandbox: Sandbox, ig: InstagramConnector) -> None:
    request = PublishRequest(
        announcement_uuid="a2", text="세트 구성", image_urls=("https://c/1.jpg", "https://c/2.jpg")
    )
    ig.publish(IG_ACCOUNT, request)
    posts = [c for c in sandbox.requests(method="POST") if c["path"] == f"/{IG}/media"]
    assert [p["json"].get("is_carousel_item") for p in posts] == [True, True, None]
    assert posts[2]["json"]["media_type"] == "CAROUSEL"


def test_publish_container_error_is_permanent(sandbox: Sandbox, ig: InstagramConnector) -> None:
    request = PublishRequest(
        announcement_uuid="a3", text="x", image_urls=("https://cdn.example/error.jpg",)
    )
    with pytest.raises(PermanentSendError, match="ERROR"):
        ig.publish(IG_ACCOUNT, request)
    assert not [c for c in sandbox.requests() if c["path"].endswith("media_publish")]


@pytest.mark.parametrize(
    ("request_", "why"),
    [
        (PublishRequest("a", "text only"), "at least one image"),
        (PublishRequest("a", "x" * 2201, ("https://c/1.jpg",)), "2200"),
        (
            PublishRequest("a", " ".join(f"#t{n}" for n in range(31)), ("https://c/1.jpg",)),
            "hashtags",
        ),
    ],
    ids=["no-image", "caption-too-long", "too-many-hashtags"],
)
def test_publish_refused_before_any_call(
    sandbox: Sandbox, ig: InstagramConnector, request_: PublishRequest, why: str
) -> None:
    with pytest.raises(PermanentSendError, match=why):
        ig.publish(IG_ACCOUNT, request_)
    assert sandbox.requests() == []


def test_poll_comments_and_conversations(sandbox: Sandbox, ig: InstagramConnector) -> None:
    comment = sandbox.emu(
        "customers/comment",
        platform="instagram",
        username="health_jiwoo",
        text="질문!",
        deliver="none",
    )
    dm = sandbox.emu(
        "customers/dm", platform="instagram", name="jiwoo", text="DM 질문", deliver="none"
    )
    comments = ig.poll(IG_ACCOUNT, "comments", None)
    (event,) = comments.events
    assert (event.external_id, event.thread_key, event.channel) == (
        comment["comment_id"],
        comment["post_id"],
        "instagram",
    )
    assert event.customer is not None and event.customer.handle == "health_jiwoo"
    conversations = ig.poll(IG_ACCOUNT, "conversations", None)
    (message,) = conversations.events
    assert (message.kind, message.external_id, message.thread_key) == (
        EventKind.MESSAGE,
        dm["mid"],
        dm["customer_id"],
    )
    listing = sandbox.requests(path="/conversations")[0]
    assert listing["path"] == f"/{PAGE}/conversations"
    assert listing["query"]["platform"] == "instagram"


def test_poll_reads_comment_replies(sandbox: Sandbox, ig: InstagramConnector) -> None:
    top = sandbox.emu("customers/comment", platform="instagram", text="질문", deliver="none")
    ig.send(
        IG_ACCOUNT,
        reply(ConversationKind.COMMENT, top["post_id"], "답변", in_reply_to=top["comment_id"]),
    )
    events = ig.poll(IG_ACCOUNT, "comments", None).events
    kinds = {e.external_id: e.kind for e in events}
    assert kinds[top["comment_id"]] is EventKind.MESSAGE
    assert list(kinds.values()).count(EventKind.ECHO) == 1


def test_reply_window_matches_messenger(ig: InstagramConnector) -> None:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    account = replace(IG_ACCOUNT, options={**IG_ACCOUNT.options, "human_agent_enabled": True})
    window = ig.reply_window(account, ConversationKind.DM, now - timedelta(hours=30), now)
    assert window.open and window.tag == "HUMAN_AGENT"


def test_post_context_for_comment_threads(sandbox: Sandbox, ig: InstagramConnector) -> None:
    made = sandbox.emu("customers/comment", platform="instagram", text="질문", deliver="none")
    context = ig.post_context(IG_ACCOUNT, made["post_id"])
    assert context["post_text"] == "오메가3 프리미엄 🐟 #서울서플 #오메가3"
    assert str(context["permalink_url"]).startswith("https://www.instagram.com/p/")
