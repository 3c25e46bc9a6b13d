"""Every Meta corpus delivery through the real /webhooks/meta endpoint, jobs and database.

Bodies are the fixture bytes, signed like Meta signs them. The only change: CDN URLs in
attachment payloads are pointed at the sandbox's fake CDN, so the attachment download job runs
without leaving 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from connectors._meta.webhook import sign
from inbox.models import ChannelAccount, Conversation, InboundDelivery, Message
from switchboard.runtime import Runtime
from tests.connectors.facebook.sandbox_support import IG, PAGE, SECRET, TOKEN, Sandbox

FIXTURES = Path(__file__).parent / "fixtures"
IG_FIXTURES = Path(__file__).parent.parent / "instagram" / "fixtures"
PSID = "7316448201953377"
CDN_HOSTS = (b"https://scontent.xx.fbcdn.net/", b"https://lookaside.fbsbx.com/")


@pytest.fixture
def settings_overrides(sandbox: Sandbox) -> dict[str, str]:
    return sandbox.settings(META_VERIFY_TOKEN="verify-me")


@pytest.fixture
def accounts(factory: Any) -> Iterator[dict[str, ChannelAccount]]:
    yield {
        "facebook": factory.account(
            "facebook", connector="facebook", external_id=PAGE, credentials={"page_token": TOKEN}
        ),
        "instagram": factory.account(
            "instagram",
            connector="instagram",
            external_id=IG,
            credentials={"page_token": TOKEN},
            options={"page_id": PAGE},
        ),
    }


class Poster:
    def __init__(self, rt: Runtime, client: Any, sandbox: Sandbox) -> None:
        self.rt, self.client, self.sandbox = rt, client, sandbox

    def __call__(self, name: str, *, secret: str = SECRET) -> int:
        folder = IG_FIXTURES if name.startswith("instagram_") else FIXTURES
        body = (folder / name).read_bytes()
        for host in CDN_HOSTS:
            body = body.replace(host, f"{self.sandbox.url}/_emu/media/".encode())
        headers = {"X-Hub-Signature-256": sign(secret, body), "Content-Type": "application/json"}
        status: int = self.client.post("/webhooks/meta", data=body, headers=headers).status_code
        assert self.rt.jobs.drain(timeout=20)
        return status

    def messages(self) -> list[Message]:
        with self.rt.db.session() as s:
            rows = s.scalars(select(Message).order_by(Message.id)).all()
            for row in rows:
                _ = row.attachments, row.conversation, row.conversation.account
            s.expunge_all()
            return list(rows)

    def deliveries(self) -> list[InboundDelivery]:
        with self.rt.db.session() as s:
            rows = s.scalars(select(InboundDelivery).order_by(InboundDelivery.id)).all()
            s.expunge_all()
            return list(rows)


@pytest.fixture
def post(rt: Runtime, client: Any, sandbox: Sandbox, accounts: dict[str, ChannelAccount]) -> Poster:
    return Poster(rt, client, sandbox)


def only(post: Poster) -> Message:
    (message,) = post.messages()
    return message


def test_text_ko(post: Poster) -> None:
    assert post("messenger_message__text_ko.json") == 200
    message = only(post)
    assert message.direction == "inbound"
    assert message.external_id.startswith("m_Kq7vR2xWn0")
    assert (
        message.text
        == "안녕하세요. 주문번호 2026112400317 배송 언제 되나요? 오메가3 2박스 주문했어요."
    )
    assert message.created_at.replace(tzinfo=UTC) == datetime(2026, 11, 25, 5, 12, 30, tzinfo=UTC)
    assert message.conversation.thread_key == PSID
    assert message.conversation.kind == "dm"


def test_redelivery_three_times_and_out_of_order_is_one_message(post: Poster) -> None:
    post("messenger_message__text_ko_redelivery.json")
    post("messenger_message__text_ko.json")
    post("messenger_message__text_ko_redelivery.json")
    assert len(post.messages()) == 1
    assert [d.status for d in post.deliveries()] == ["processed"] * 3


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("messenger_message__image_attachment.json", "image"),
        ("messenger_message__sticker.json", "sticker"),
    ],
)
def test_attachments_are_stored_and_downloaded(post: Poster, name: str, kind: str) -> None:
    post(name)
    message = only(post)
    assert message.text == ""
    (attachment,) = message.attachments
    assert attachment.kind == kind
    assert attachment.sha256 is not None  # the fetch job downloaded it from the (fake) CDN
    assert attachment.problem is None


def test_quick_reply_and_postback(post: Poster) -> None:
    post("messenger_message__quick_reply.json")
    post("messenger_postback__get_started.json")
    quick, postback = post.messages()
    assert (quick.text, quick.meta["quick_reply"]) == ("환불/반품 문의", "QR_REFUND_RETURN")
    assert (postback.text, postback.meta["postback"]) == ("시작하기", "GET_STARTED")
    assert postback.conversation.thread_key == "6902135578812204"


def test_echo_from_the_page_inbox_is_stored_once_as_outbound_then_delivered_and_read(
    post: Poster,
) -> None:
    post("messenger_message__echo.json")
    post("messenger_message__echo.json")
    echo = only(post)
    assert (echo.direction, echo.author_label, echo.status) == (
        "outbound",
        "sent outside Switchboard",
        "sent",
    )
    assert echo.text == "고객님, 주문번호 2026112400317은 11월 26일 출고 예정입니다. 감사합니다."
    post("messenger_delivery__basic.json")
    assert only(post).status == "delivered"
    post("messenger_read__basic.json")
    assert only(post).status == "read"


def test_batch_routes_by_entry_id(post: Poster, factory: Any) -> None:
    post("messenger_batch__2entries_3events.json")
    assert [m.text for m in post.messages()] == [
        "배송지 변경하고 싶어요. 서울 마포구로요.",
        "주문번호는 2026112500042 입니다",
    ]
    assert "no connected account 109988776655443" in (post.deliveries()[0].reason or "")
    factory.account("facebook", connector="facebook", external_id="109988776655443")
    post("messenger_batch__2entries_3events.json")
    assert len(post.messages()) == 3


def test_feed_comment_add_edit_remove(post: Poster) -> None:
    post("page_feed__comment_add.json")
    comment = only(post)
    assert (comment.kind, comment.conversation.kind) == ("comment", "comment")
    assert comment.conversation.thread_key == "104857600012345_122145678901234567"
    assert comment.conversation.context["post_id"] == "104857600012345_122145678901234567"
    post("page_feed__comment_edited.json")
    edited = only(post)
    assert edited.text is not None and edited.text.endswith("(주문번호 2026111800977)")
    assert (
        edited.meta["edits"][0]["text"]
        == "지난주에 주문한 유산균이 아직 안 왔어요. 택배 조회도 안 돼요."
    )
    post("page_feed__comment_remove.json")
    removed = only(post)
    assert removed.deleted_at is not None and removed.text is None


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("malformed__missing_entry.json", "no `entry`"),
        ("unknown_object__user.json", "'user'"),  # an object no channel declaration claims
    ],
)
def test_rejected_deliveries_are_recorded_with_the_reason(
    post: Poster, name: str, reason: str
) -> None:
    assert post(name) == 200
    (delivery,) = post.deliveries()
    assert delivery.status == "rejected"
    assert reason in (delivery.reason or "")
    assert post.messages() == []


def test_whatsapp_object_on_the_meta_endpoint_goes_to_the_whatsapp_connector(post: Poster) -> None:
    assert post("unknown_object__whatsapp_business_account.json") == 200
    (delivery,) = post.deliveries()
    assert (delivery.endpoint, delivery.connector) == ("meta", "whatsapp")
    assert delivery.status == "processed"  # no such number connected here: recorded, not lost
    assert "no connected account 400022223333444" in (delivery.reason or "")
    assert post.messages() == []


def test_bad_or_missing_signature_is_403_and_nothing_is_stored(post: Poster, client: Any) -> None:
    assert post("messenger_message__text_ko.json", secret="not-the-app-secret") == 403
    body = (FIXTURES / "messenger_message__text_ko.json").read_bytes()
    assert client.post("/webhooks/meta", data=body).status_code == 403
    assert post.deliveries() == [] and post.messages() == []


def test_handshake(client: Any) -> None:
    ok = client.get(
        "/webhooks/meta?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=987"
    )
    assert (ok.status_code, ok.get_data(as_text=True)) == (200, "987")
    bad = client.get("/webhooks/meta?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=987")
    assert bad.status_code == 403


def test_instagram_dm_story_mention_echo_and_unsend(post: Poster) -> None:
    post("instagram_message__text.json")
    post("instagram_message__story_mention.json")
    post("instagram_message__echo.json")
    text, story, echo = post.messages()
    assert text.conversation.account.channel == "instagram"
    assert text.conversation.thread_key == "1120334455667788"
    assert text.text == "비타민D 1000IU랑 2000IU 차이가 뭔가요? 🙏"
    assert [a.kind for a in story.attachments] == ["story_mention"]
    assert (echo.direction, echo.text) == (
        "outbound",
        "안녕하세요! 1000IU는 일반 유지용, 2000IU는 결핍 시 권장량입니다. 😊",
    )
    post("instagram_message__deleted.json")
    assert post.messages()[0].deleted_at is not None


def test_instagram_comment(post: Poster) -> None:
    post("instagram_comments__add.json")
    comment = only(post)
    assert comment.conversation.thread_key == "18023344556677889"
    assert comment.text == "@seoul_supps_official 이거 임산부도 먹어도 되나요?"
    assert comment.created_at.replace(tzinfo=UTC) == datetime(2026, 11, 25, 8, 0, 32, tzinfo=UTC)


def test_instagram_mention_is_fetched_then_stored(post: Poster, sandbox: Sandbox) -> None:
    sandbox.emu(
        "customers/mention",
        media_id="17999887766554433",
        comment_id="17880011223344556",
        username="daily_health_kr",
        text="@seoul_supps_official 루테인 후기 남겼어요",
        deliver="none",
    )
    post("instagram_mentions__comment.json")
    mention = only(post)
    assert mention.external_id == "17880011223344556"
    assert mention.conversation.kind == "mention"
    assert mention.conversation.thread_key == "17999887766554433"
    assert mention.text == "@seoul_supps_official 루테인 후기 남겼어요"


def test_unknown_instagram_mention_is_noted_not_stored(post: Poster) -> None:
    post("instagram_mentions__comment.json")
    assert post.messages() == []
    (delivery,) = post.deliveries()
    assert delivery.status == "processed" and "17880011223344556" in (delivery.reason or "")


def test_counts(rt: Runtime, post: Poster) -> None:
    """Sanity: nothing above leaked conversations across accounts."""
    post("messenger_message__text_ko.json")
    post("instagram_message__text.json")
    with rt.db.session() as s:
        rows = s.execute(
            select(ChannelAccount.channel, func.count(Conversation.id))
            .join(Conversation, Conversation.channel_account_id == ChannelAccount.id)
            .group_by(ChannelAccount.channel)
        ).all()
    assert sorted(rows) == [("facebook", 1), ("instagram", 1)]
