"""Sending, moderating and publishing against the Meta sandbox over loopback.

Each test asserts the exact request the sandbox received (or that none was made).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import (
    AccountConfig,
    Attachment,
    ConversationKind,
    OutboundReply,
    OutsideReplyWindow,
    Participant,
    PermanentSendError,
    PublishRequest,
    ReauthRequired,
    RetryableSendError,
)
from connectors.facebook import FacebookConnector
from tests.connectors.facebook.sandbox_support import PAGE, PAGE_ACCOUNT, SECRET, TOKEN, Sandbox

HUMAN_AGENT_ACCOUNT = AccountConfig(
    id=1, external_id=PAGE, credentials={"page_token": TOKEN}, options={"human_agent_enabled": True}
)


def dm_reply(
    customer: str, *, age: timedelta, text: str = "확인 후 안내드리겠습니다.", **kw: object
) -> OutboundReply:
    return OutboundReply(
        message_uuid=str(uuid.uuid4()),
        conversation_kind=ConversationKind.DM,
        thread_key=customer,
        recipient=Participant(external_id=customer),
        text=text,
        last_customer_message_at=datetime.now(UTC) - age,
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def fb(sandbox: Sandbox) -> FacebookConnector:
    return FacebookConnector(sandbox.settings())


def customer_dm(sandbox: Sandbox, text: str = "배송 언제 되나요?") -> dict[str, str]:
    return dict(sandbox.emu("customers/dm", platform="messenger", text=text, deliver="none"))


def test_dm_in_window_is_one_exact_send_api_call(sandbox: Sandbox, fb: FacebookConnector) -> None:
    customer = customer_dm(sandbox)["customer_id"]
    reply = dm_reply(customer, age=timedelta(hours=1))
    result = fb.send(PAGE_ACCOUNT, reply)
    (call,) = sandbox.requests(method="POST")
    assert call["path"] == f"/{PAGE}/messages"
    assert call["version"] == "v23.0"
    assert call["json"] == {
        "recipient": {"id": customer},
        "messaging_type": "RESPONSE",
        "message": {
            "text": "확인 후 안내드리겠습니다.",
            "metadata": f"inbox:outbound:{reply.message_uuid}",
        },
    }
    assert call["token"] == TOKEN
    proof = hmac.new(SECRET.encode(), TOKEN.encode(), hashlib.sha256).hexdigest()
    assert call["query"] == {"appsecret_proof": proof}  # the token is not in the URL
    assert result.external_id.startswith("m_")
    assert result.extra["message_ids"] == [result.external_id]
    assert result.extra["slow_down_s"] == 0


def test_human_agent_tag_between_24_hours_and_7_days(
    sandbox: Sandbox, fb: FacebookConnector
) -> None:
    customer = customer_dm(sandbox)["customer_id"]
    sandbox.emu("clock", advance_hours=30)
    fb.send(HUMAN_AGENT_ACCOUNT, dm_reply(customer, age=timedelta(hours=30)))
    (call,) = sandbox.requests(method="POST")
    assert call["json"]["messaging_type"] == "MESSAGE_TAG"
    assert call["json"]["tag"] == "HUMAN_AGENT"


@pytest.mark.parametrize(
    ("account", "age", "human", "why"),
    [
        (PAGE_ACCOUNT, timedelta(hours=25), True, "HUMAN_AGENT replies are not enabled"),
        (HUMAN_AGENT_ACCOUNT, timedelta(hours=25), False, "only a person may reply"),
        (HUMAN_AGENT_ACCOUNT, timedelta(days=8), True, "older than 7 days"),
    ],
    ids=["tag-disabled", "automated-reply", "older-than-7-days"],
)
def test_window_refusal_happens_before_any_call(
    sandbox: Sandbox,
    fb: FacebookConnector,
    account: AccountConfig,
    age: timedelta,
    human: bool,
    why: str,
) -> None:
    customer = customer_dm(sandbox)["customer_id"]
    with pytest.raises(OutsideReplyWindow, match=why):
        fb.send(account, dm_reply(customer, age=age, human_agent=human))
    assert sandbox.requests() == []


def test_no_customer_message_means_no_dm(sandbox: Sandbox, fb: FacebookConnector) -> None:
    reply = replace(dm_reply("7316448201953377", age=timedelta(0)), last_customer_message_at=None)
    with pytest.raises(OutsideReplyWindow):
        fb.send(PAGE_ACCOUNT, reply)
    assert sandbox.requests() == []


def test_reply_window_for_the_composer(fb: FacebookConnector) -> None:
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    inside = fb.reply_window(PAGE_ACCOUNT, ConversationKind.DM, now - timedelta(hours=2), now)
    assert inside.open and inside.tag is None
    assert inside.closes_at == now + timedelta(hours=22)
    tagged = fb.reply_window(HUMAN_AGENT_ACCOUNT, ConversationKind.DM, now - timedelta(days=2), now)
    assert tagged.open and tagged.tag == "HUMAN_AGENT"
    assert tagged.closes_at == now + timedelta(days=5)
    closed = fb.reply_window(PAGE_ACCOUNT, ConversationKind.DM, now - timedelta(days=2), now)
    assert not closed.open and closed.reason is not None and "24-hour" in closed.reason
    comment = fb.reply_window(PAGE_ACCOUNT, ConversationKind.COMMENT, now - timedelta(days=30), now)
    assert comment.open


def test_sandbox_window_error_maps_to_outside_reply_window(
    sandbox: Sandbox, fb: FacebookConnector
) -> None:
    customer = customer_dm(sandbox)["customer_id"]
    sandbox.emu("clock", advance_hours=25)  # Meta's clock says the window has closed
    with pytest.raises(OutsideReplyWindow, match="2018278"):
        fb.send(PAGE_ACCOUNT, dm_reply(customer, age=timedelta(hours=1)))


def test_revoked_token_requires_reauth(sandbox: Sandbox, fb: FacebookConnector) -> None:
    customer = customer_dm(sandbox)["customer_id"]
    sandbox.emu("tokens/revoke", subcode=463)
    with pytest.raises(ReauthRequired, match="code 190, subcode 463"):
        fb.send(PAGE_ACCOUNT, dm_reply(customer, age=timedelta(hours=1)))


def test_missing_token_requires_reauth_without_a_call(
    sandbox: Sandbox, fb: FacebookConnector
) -> None:
    account = AccountConfig(id=1, external_id=PAGE)
    with pytest.raises(ReauthRequired):
        fb.send(account, dm_reply("1", age=timedelta(hours=1)))
    assert sandbox.requests() == []


def test_rate_limit_is_retryable_after_the_regain_time_then_paused(
    sandbox: Sandbox, fb: FacebookConnector
) -> None:
    customer = customer_dm(sandbox)["customer_id"]
    sandbox.emu("rate_limit", code=32, regain_minutes=3)
    with pytest.raises(RetryableSendError) as caught:
        fb.send(PAGE_ACCOUNT, dm_reply(customer, age=timedelta(hours=1)))
    assert caught.value.retry_after == 180
    calls = len(sandbox.requests())
    with pytest.raises(RetryableSendError, match="pausing") as again:
        fb.send(PAGE_ACCOUNT, dm_reply(customer, age=timedelta(hours=1)))
    assert again.value.retry_after is not None and 0 < again.value.retry_after <= 180
    assert len(sandbox.requests()) == calls  # paused: no call was made


def test_rate_limit_without_an_estimate_waits_at_least_a_minute(
    sandbox: Sandbox, fb: FacebookConnector
) -> None:
    customer = customer_dm(sandbox)["customer_id"]
    sandbox.emu("rate_limit", code=4)
    with pytest.raises(RetryableSendError) as caught:
        fb.send(PAGE_ACCOUNT, dm_reply(customer, age=timedelta(hours=1)))
    assert caught.value.retry_after == 60


def test_usage_above_80_percent_reports_a_slow_down(
    sandbox: Sandbox, fb: FacebookConnector
) -> None:
    customer = customer_dm(sandbox)["customer_id"]
    assert fb.throttle(PAGE_ACCOUNT) == 0
    sandbox.emu("usage", buc=85)
    result = fb.send(PAGE_ACCOUNT, dm_reply(customer, age=timedelta(hours=1)))
    assert result.extra["slow_down_s"] == pytest.approx(15.0)
    assert fb.throttle(PAGE_ACCOUNT) == pytest.approx(15.0)
    sandbox.emu("usage", buc=10)
    fb.send(PAGE_ACCOUNT, dm_reply(customer, age=timedelta(hours=1)))
    assert fb.throttle(PAGE_ACCOUNT) == 0


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            {"code": 2, "message": "Service temporarily unavailable", "http_status": 500},
            RetryableSendError,
        ),
        ({"code": 1, "message": "An unknown error occurred"}, RetryableSendError),
        (
            {"code": 100, "message": "(#100) No matching user found", "subcode": 2018001},
            PermanentSendError,
        ),
        ({"code": 368, "message": "Temporarily blocked for policy violations"}, PermanentSendError),
    ],
)
def test_other_graph_errors(
    sandbox: Sandbox, fb: FacebookConnector, error: dict[str, object], expected: type[Exception]
) -> None:
    customer = customer_dm(sandbox)["customer_id"]
    sandbox.emu("fail", **error)
    with pytest.raises(expected) as caught:
        fb.send(PAGE_ACCOUNT, dm_reply(customer, age=timedelta(hours=1)))
    assert type(caught.value) is expected
    assert str(error["message"]) in str(caught.value)


def test_blocked_customer_is_a_permanent_failure(sandbox: Sandbox, fb: FacebookConnector) -> None:
    customer = customer_dm(sandbox)["customer_id"]
    sandbox.emu("customers/block", customer_id=customer)
    with pytest.raises(PermanentSendError, match="isn't available"):
        fb.send(PAGE_ACCOUNT, dm_reply(customer, age=timedelta(hours=1)))


def test_unreachable_graph_is_retryable() -> None:
    fb = FacebookConnector({"META_GRAPH_URL": "http://127.0.0.1:9", "META_APP_SECRET": SECRET})
    with pytest.raises(RetryableSendError, match="unreachable"):
        fb.send(PAGE_ACCOUNT, dm_reply("1", age=timedelta(hours=1)))


def test_too_long_text_is_refused_before_any_call(sandbox: Sandbox, fb: FacebookConnector) -> None:
    customer = customer_dm(sandbox)["customer_id"]
    with pytest.raises(PermanentSendError, match="2000"):
        fb.send(PAGE_ACCOUNT, dm_reply(customer, age=timedelta(hours=1), text="가" * 2001))
    assert sandbox.requests() == []
    assert fb.validate_text(ConversationKind.DM, "가" * 2000) is None


def test_image_attachment_then_text(sandbox: Sandbox, fb: FacebookConnector) -> None:
    customer = customer_dm(sandbox)["customer_id"]
    image = Attachment(kind="image", url="https://cdn.example/label.png")
    reply = dm_reply(customer, age=timedelta(hours=1), attachments=(image,))
    result = fb.send(PAGE_ACCOUNT, reply)
    first, second = sandbox.requests(method="POST")
    metadata = f"inbox:outbound:{reply.message_uuid}"
    assert first["json"]["message"] == {
        "attachment": {"type": "image", "payload": {"url": image.url, "is_reusable": True}},
        "metadata": metadata,
    }
    assert second["json"]["message"] == {"text": reply.text, "metadata": metadata}
    assert len(result.extra["message_ids"]) == 2
    assert result.external_id == result.extra["message_ids"][1]


def comment_reply(comment_id: str, post_id: str, **kw: object) -> OutboundReply:
    return OutboundReply(
        message_uuid=str(uuid.uuid4()),
        conversation_kind=ConversationKind.COMMENT,
        thread_key=post_id,
        recipient=Participant(external_id="24681357902468135"),
        text="불편을 드려 죄송합니다. DM으로 주문번호를 알려주세요.",
        in_reply_to=comment_id,
        last_customer_message_at=datetime.now(UTC),
        **kw,  # type: ignore[arg-type]
    )


def test_public_comment_reply(sandbox: Sandbox, fb: FacebookConnector) -> None:
    made = sandbox.emu(
        "customers/comment", platform="facebook", text="택배가 안 와요", deliver="none"
    )
    result = fb.send(PAGE_ACCOUNT, comment_reply(made["comment_id"], made["post_id"]))
    (call,) = sandbox.requests(method="POST")
    assert call["path"] == f"/{made['comment_id']}/comments"
    assert call["json"] == {"message": "불편을 드려 죄송합니다. DM으로 주문번호를 알려주세요."}
    listed = sandbox.http.get(f"{sandbox.url}/_emu/threads").json()
    comments = next(p for p in listed["posts"] if p["id"] == made["post_id"])["comments"]
    assert [c["id"] for c in comments if c["ours"]] == [result.external_id]


def test_private_reply_to_a_comment(sandbox: Sandbox, fb: FacebookConnector) -> None:
    made = sandbox.emu("customers/comment", platform="facebook", text="가격 문의", deliver="none")
    reply = comment_reply(made["comment_id"], made["post_id"], private=True)
    fb.send(PAGE_ACCOUNT, reply)
    (call,) = sandbox.requests(method="POST")
    assert call["path"] == f"/{PAGE}/messages"
    assert call["json"]["recipient"] == {"comment_id": made["comment_id"]}
    assert call["json"]["messaging_type"] == "RESPONSE"
    with pytest.raises(PermanentSendError, match="already replied"):
        fb.send(PAGE_ACCOUNT, reply)


@pytest.mark.parametrize(
    ("action", "method", "body"),
    [
        ("hide", "POST", {"is_hidden": True}),
        ("unhide", "POST", {"is_hidden": False}),
        ("delete", "DELETE", None),
    ],
)
def test_moderation(
    sandbox: Sandbox, fb: FacebookConnector, action: str, method: str, body: object
) -> None:
    made = sandbox.emu("customers/comment", platform="facebook", text="광고 댓글", deliver="none")
    fb.moderate(PAGE_ACCOUNT, made["comment_id"], action)
    (call,) = sandbox.requests()
    assert (call["method"], call["path"], call["json"]) == (method, f"/{made['comment_id']}", body)


def test_publish_text_post_and_find_it_again(sandbox: Sandbox, fb: FacebookConnector) -> None:
    request = PublishRequest(announcement_uuid=str(uuid.uuid4()), text="블랙프라이데이 30% 할인!")
    result = fb.publish(PAGE_ACCOUNT, request)
    (post,) = sandbox.requests()  # the id is all publishing needs; no permalink read
    assert (post["method"], post["path"], post["json"]) == (
        "POST",
        f"/{PAGE}/feed",
        {"message": "블랙프라이데이 30% 할인!"},
    )
    assert result.permalink is None
    link = fb.permalink(PAGE_ACCOUNT, result.external_id)  # enrichment, fetched later
    assert sandbox.requests()[-1]["path"] == f"/{result.external_id}"
    assert link is not None and link.startswith("https://www.facebook.com/")
    found = fb.find_published(PAGE_ACCOUNT, request, datetime.now(UTC) - timedelta(hours=1))
    assert found is not None and found.external_id == result.external_id


def test_publish_one_photo(sandbox: Sandbox, fb: FacebookConnector) -> None:
    request = PublishRequest(
        announcement_uuid="a1", text="신제품", image_urls=("https://cdn.example/omega.jpg",)
    )
    result = fb.publish(PAGE_ACCOUNT, request)
    call = sandbox.requests(method="POST")[0]
    assert call["path"] == f"/{PAGE}/photos"
    assert call["json"] == {"url": "https://cdn.example/omega.jpg", "caption": "신제품"}
    assert result.external_id.startswith(f"{PAGE}_")


def test_fetch_attachment_from_the_cdn(sandbox: Sandbox, fb: FacebookConnector) -> None:
    data = fb.fetch_attachment(
        PAGE_ACCOUNT, Attachment(kind="image", url=f"{sandbox.url}/_emu/media/x.png")
    )
    assert data.startswith(b"\x89PNG")
    with pytest.raises(PermanentSendError):
        fb.fetch_attachment(PAGE_ACCOUNT, Attachment(kind="image", url=f"{sandbox.url}/nope"))


def test_post_context_for_comment_threads(sandbox: Sandbox, fb: FacebookConnector) -> None:
    made = sandbox.emu("customers/comment", platform="facebook", text="질문", deliver="none")
    context = fb.post_context(PAGE_ACCOUNT, made["post_id"])
    assert context["post_id"] == made["post_id"]
    assert context["post_text"] is not None and "오메가3" in context["post_text"]
    assert str(context["permalink_url"]).startswith("https://www.facebook.com/")


def test_attachment_bytes_are_uploaded_as_multipart(
    sandbox: Sandbox, fb: FacebookConnector
) -> None:
    customer = customer_dm(sandbox)["customer_id"]
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    image = Attachment(kind="image", data=png, filename="송장.png", content_type="image/png")
    reply = dm_reply(customer, age=timedelta(hours=1), text="", attachments=(image,))
    result = fb.send(PAGE_ACCOUNT, reply)
    (call,) = sandbox.requests(method="POST")
    assert call["content_type"].startswith("multipart/form-data")
    assert call["params"]["_files"] == ["filedata"]
    assert call["form"]["messaging_type"] == "RESPONSE"
    assert json.loads(call["form"]["recipient"]) == {"id": customer}
    assert json.loads(call["form"]["message"]) == {
        "attachment": {"type": "image", "payload": {"is_reusable": True}},
        "metadata": f"inbox:outbound:{reply.message_uuid}",
    }
    assert result.extra["message_ids"] == [result.external_id]
