"""The Send API, media and template calls against the Meta emulator, asserting exact requests."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest

from connectors._meta.graph import map_error
from connectors._meta.usage import Usage
from connectors.base import (
    AccountConfig,
    Attachment,
    ConversationKind,
    OutboundReply,
    OutsideReplyWindow,
    Participant,
    PermanentSendError,
    RateLimited,
    ReauthRequired,
)
from connectors.fetch import FetchRefused
from connectors.whatsapp import WhatsAppConnector
from connectors.whatsapp.payloads import media_url, value_events
from sandbox.meta.whatsapp import DEFAULTS
from tests.connectors.facebook.sandbox_support import Sandbox

PNID = DEFAULTS["WA_PHONE_NUMBER_ID"]
WABA = DEFAULTS["WA_WABA_ID"]
TOKEN = DEFAULTS["WA_TOKEN"]
ACCOUNT = AccountConfig(
    id=1, external_id=PNID, credentials={"access_token": TOKEN}, options={"waba_id": WABA}
)
CUSTOMER = "821055501234"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def connector(sandbox: Sandbox, **extra: str) -> WhatsAppConnector:
    found = WhatsAppConnector(sandbox.settings(**extra))
    found.now = sandbox.now
    return found


def customer_writes(sandbox: Sandbox, **body: Any) -> dict[str, Any]:
    return dict(sandbox.emu("whatsapp/customers/message", wa_id=CUSTOMER, deliver="none", **body))


def reply(sandbox: Sandbox, text: str, *, hours_ago: float = 1, **extra: Any) -> OutboundReply:
    return OutboundReply(
        message_uuid="0b7c3a52-8f0e-4c43-9d55-5a1d2a0c0001",
        conversation_kind=ConversationKind.DM,
        thread_key=CUSTOMER,
        recipient=Participant(external_id=CUSTOMER),
        text=text,
        last_customer_message_at=sandbox.now() - timedelta(hours=hours_ago),
        **extra,
    )


def posts(sandbox: Sandbox, path: str) -> list[dict[str, Any]]:
    return sandbox.requests(path=path, method="POST")


CALLBACK = "inbox:outbound:0b7c3a52-8f0e-4c43-9d55-5a1d2a0c0001"


def test_text_reply_inside_the_window(sandbox: Sandbox) -> None:
    customer_writes(sandbox, text="배송 언제 되나요?")
    sandbox.clear_requests()
    result = connector(sandbox).send(ACCOUNT, reply(sandbox, "내일 출고됩니다."))
    (call,) = sandbox.requests()
    assert (call["method"], call["path"], call["token"]) == ("POST", f"/{PNID}/messages", TOKEN)
    assert call["json"] == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": CUSTOMER,
        "type": "text",
        "text": {"preview_url": False, "body": "내일 출고됩니다."},
        "biz_opaque_callback_data": CALLBACK,
    }
    assert "appsecret_proof" in call["query"]
    (sent,) = sandbox.http.get(f"{sandbox.url}/_emu/whatsapp/sent", timeout=10).json()
    assert result.external_id == sent["id"] and result.external_id.startswith("wamid.")


def test_free_form_reply_outside_the_window_is_refused_before_any_call(sandbox: Sandbox) -> None:
    sandbox.clear_requests()
    with pytest.raises(OutsideReplyWindow) as refused:
        connector(sandbox).send(ACCOUNT, reply(sandbox, "늦은 답변", hours_ago=24.5))
    assert "template" in refused.value.reason
    assert sandbox.requests() == []


def test_window_is_open_for_24_hours_from_the_customers_last_message(sandbox: Sandbox) -> None:
    c = connector(sandbox)
    now = sandbox.now()
    opened = c.reply_window(
        ACCOUNT, ConversationKind.DM, now - timedelta(hours=23, minutes=59), now
    )
    assert opened.open and opened.closes_at == now + timedelta(minutes=1)
    closed = c.reply_window(ACCOUNT, ConversationKind.DM, now - timedelta(hours=24, seconds=1), now)
    assert not closed.open and "template" in (closed.reason or "")
    assert not c.reply_window(ACCOUNT, ConversationKind.DM, None, now).open


def test_template_outside_the_window_with_variables_and_language(sandbox: Sandbox) -> None:
    sandbox.clear_requests()
    choice = {"name": "order_update", "language": "ko", "variables": ["김민준", "2026-0317"]}
    result = connector(sandbox).send(
        ACCOUNT, reply(sandbox, "", hours_ago=72, options={"template": choice})
    )
    (listing,) = sandbox.requests(method="GET")
    assert listing["path"] == f"/{WABA}/message_templates"
    assert (
        listing["query"]["fields"] == "id,name,language,status,category,components,parameter_format"
    )
    (call,) = posts(sandbox, "/messages")
    assert call["json"] == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": CUSTOMER,
        "type": "template",
        "template": {
            "name": "order_update",
            "language": {"code": "ko"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "김민준"},
                        {"type": "text", "text": "2026-0317"},
                    ],
                }
            ],
        },
        "biz_opaque_callback_data": CALLBACK,
    }
    assert result.extra["template"] == "order_update:ko"


def test_named_template_parameters_carry_their_names(sandbox: Sandbox) -> None:
    choice = {"name": "follow_up", "language": "ko", "variables": ["이서준"]}
    connector(sandbox).send(ACCOUNT, reply(sandbox, "", hours_ago=48, options={"template": choice}))
    (call,) = posts(sandbox, "/messages")
    assert call["json"]["template"]["components"] == [
        {
            "type": "body",
            "parameters": [{"type": "text", "text": "이서준", "parameter_name": "customer_name"}],
        }
    ]


@pytest.mark.parametrize(
    ("choice", "reason"),
    [
        ({"name": "order_update", "language": "ko", "variables": ["하나"]}, "takes 2 values"),
        ({"name": "order_update", "language": "ko", "variables": ["a", " "]}, "needs a value"),
        ({"name": "order_update", "language": "ko", "variables": ["a", "b\nc"]}, "newlines"),
        ({"name": "spring_sale", "language": "ko", "variables": []}, "is pending"),
        ({"name": "order_update", "language": "ja", "variables": ["a", "b"]}, "no template"),
        ({"name": "order_update"}, "needs a name and a language"),
    ],
)
def test_bad_template_choices_fail_before_the_send_call(
    sandbox: Sandbox, choice: dict[str, Any], reason: str
) -> None:
    with pytest.raises(PermanentSendError) as refused:
        connector(sandbox).send(ACCOUNT, reply(sandbox, "", options={"template": choice}))
    assert reason in refused.value.reason
    assert posts(sandbox, "/messages") == []


def test_a_template_approved_later_is_found_by_fetching_again(sandbox: Sandbox) -> None:
    c = connector(sandbox)
    assert "welcome" not in {t.name for t in c.templates(ACCOUNT)}
    sandbox.emu(
        "whatsapp/templates",
        name="welcome",
        language="en_US",
        category="UTILITY",
        components=[{"type": "BODY", "text": "Welcome!"}],
    )
    choice = {"name": "welcome", "language": "en_US", "variables": []}
    c.send(ACCOUNT, reply(sandbox, "", hours_ago=48, options={"template": choice}))
    (call,) = posts(sandbox, "/messages")
    assert call["json"]["template"] == {"name": "welcome", "language": {"code": "en_US"}}


def test_template_list_says_which_can_be_sent(sandbox: Sandbox) -> None:
    listed = {t.key: t for t in connector(sandbox).templates(ACCOUNT)}
    assert set(listed) == {
        "order_update:ko",
        "order_update:en_US",
        "follow_up:ko",
        "spring_sale:ko",
    }
    assert listed["order_update:ko"].sendable
    assert listed["order_update:ko"].render(["김민준", "A-1"]) == (
        "김민준님, 주문 A-1의 배송이 시작되었습니다.\n\n서울서플"
    )
    assert not listed["spring_sale:ko"].sendable


def test_stored_bytes_are_uploaded_then_sent_by_media_id_and_round_trip(
    sandbox: Sandbox,
) -> None:
    customer_writes(sandbox, text="사진 보내주세요")
    sandbox.clear_requests()
    photo = Attachment(kind="image", filename="label.png", content_type="image/png", data=PNG)
    c = connector(sandbox)
    c.send(ACCOUNT, reply(sandbox, "송장 사진입니다", attachments=(photo,)))
    upload, image, text = sandbox.requests(method="POST")
    assert upload["path"] == f"/{PNID}/media"
    assert upload["form"] == {"messaging_product": "whatsapp", "type": "image/png"}
    assert upload["params"]["_files"] == ["file"]
    media_id = upload_id(sandbox)
    assert image["json"]["type"] == "image"
    assert image["json"]["image"] == {"id": media_id}
    assert text["json"]["text"]["body"] == "송장 사진입니다"
    # The same media id read back the way inbound media is: id → URL → bytes, with our token.
    assert c.fetch_attachment(ACCOUNT, Attachment(kind="image", url=media_url(media_id))) == PNG


def upload_id(sandbox: Sandbox) -> str:
    sent = sandbox.http.get(f"{sandbox.url}/_emu/whatsapp/sent", timeout=10).json()
    return str(sent[0]["body"]["image"]["id"])


def test_a_public_link_is_sent_as_link_with_the_documents_filename(sandbox: Sandbox) -> None:
    customer_writes(sandbox, text="영수증 주세요")
    sandbox.clear_requests()
    receipt = Attachment(kind="file", url="https://cdn.example.com/r.pdf", filename="영수증.pdf")
    connector(sandbox).send(ACCOUNT, reply(sandbox, "", attachments=(receipt,)))
    (call,) = sandbox.requests()
    assert call["json"]["type"] == "document"
    assert call["json"]["document"] == {
        "link": "https://cdn.example.com/r.pdf",
        "filename": "영수증.pdf",
    }


def test_inbound_media_is_downloaded_by_id(sandbox: Sandbox) -> None:
    made = customer_writes(
        sandbox,
        type="document",
        mime_type="application/pdf",
        filename="receipt.pdf",
        data_base64=base64.b64encode(b"%PDF-1.4 receipt").decode(),
    )
    media_id = made["message"]["document"]["id"]
    sandbox.clear_requests()
    got = connector(sandbox).fetch_attachment(
        ACCOUNT, Attachment(kind="file", url=media_url(media_id))
    )
    assert got == b"%PDF-1.4 receipt"
    (lookup,) = sandbox.requests()
    assert (lookup["method"], lookup["path"]) == ("GET", f"/{media_id}")
    assert lookup["query"]["phone_number_id"] == PNID


def test_the_token_is_never_sent_to_a_host_that_is_not_allowed(sandbox: Sandbox) -> None:
    made = customer_writes(sandbox, type="image", data_base64=base64.b64encode(PNG).decode())
    c = connector(sandbox, FETCH_ALLOW_HOSTS="")  # the emulator's loopback host is not Meta's
    with pytest.raises(FetchRefused):
        c.fetch_attachment(
            ACCOUNT, Attachment(kind="image", url=media_url(made["message"]["image"]["id"]))
        )


def test_download_without_the_token_is_refused_by_the_emulator(sandbox: Sandbox) -> None:
    made = customer_writes(sandbox, type="image", data_base64=base64.b64encode(PNG).decode())
    media_id = made["message"]["image"]["id"]
    found = sandbox.http.get(
        f"{sandbox.url}/v23.0/{media_id}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    ).json()
    assert sandbox.http.get(found["url"], timeout=10).status_code == 401


def test_connection_check_names_the_number(sandbox: Sandbox) -> None:
    found = connector(sandbox).check_connection(ACCOUNT)
    assert (found.identity, found.account_id, found.problems) == (
        "서울서플 고객센터 (+82 2-555-0100)",
        PNID,
        (),
    )
    no_waba = AccountConfig(id=1, external_id=PNID, credentials={"access_token": TOKEN})
    (problem,) = connector(sandbox).check_connection(no_waba).problems
    assert "waba_id" in problem


def test_missing_token_asks_for_reconnection(sandbox: Sandbox) -> None:
    bare = AccountConfig(id=1, external_id=PNID)
    with pytest.raises(ReauthRequired):
        connector(sandbox).send(bare, reply(sandbox, "hi"))


def test_too_long_text_is_refused_before_the_call(sandbox: Sandbox) -> None:
    with pytest.raises(PermanentSendError) as refused:
        connector(sandbox).send(ACCOUNT, reply(sandbox, "가" * 4097))
    assert "4096" in refused.value.reason
    assert sandbox.requests() == []


def test_cloud_api_throttles_are_rate_limits_of_this_connector_only() -> None:
    """131056 (too many messages to one customer) pauses the number; the codes are
    WhatsApp's own, declared in its folder and passed to the shared Graph client."""
    body = {"error": {"code": 131056, "message": "(#131056) Pair rate limit hit"}}
    graph = WhatsAppConnector({}).graph
    error = map_error(400, body, Usage(), account_key="109876543210987", throttles=graph.throttles)
    assert isinstance(error, RateLimited)
    assert error.scopes == ("meta:account:109876543210987",)
    assert not isinstance(map_error(400, body, Usage()), RateLimited)  # Facebook's client


CSAT_CHOICES = [{"title": str(n), "payload": f"CSAT:7:{n}"} for n in range(1, 6)]


def test_five_quick_replies_go_out_as_a_list_the_customer_taps(sandbox: Sandbox) -> None:
    """A CSAT survey's five answers: WhatsApp has no quick replies under a text, so they
    become an interactive list (more than 3 choices), and a tap on a row comes back with the
    payload as its id."""
    customer_writes(sandbox, text="환불 됐나요?")
    sandbox.clear_requests()
    question = "만족하셨나요? 1-5 / How satisfied were you?"
    connector(sandbox).send(
        ACCOUNT, reply(sandbox, question, options={"quick_replies": CSAT_CHOICES})
    )
    (call,) = posts(sandbox, "/messages")
    assert call["json"]["type"] == "interactive"
    assert call["json"]["interactive"] == {
        "type": "list",
        "body": {"text": question},
        "action": {
            "button": "선택 / Choose",
            "sections": [{"rows": [{"id": f"CSAT:7:{n}", "title": str(n)} for n in range(1, 6)]}],
        },
    }
    chats = sandbox.http.get(f"{sandbox.url}/_emu/whatsapp/chats", timeout=10).json()
    (ours,) = [m for m in chats["messages"] if m["ours"]]
    assert ours["text"] == question
    assert [c["id"] for c in ours["choices"]] == [f"CSAT:7:{n}" for n in range(1, 6)]
    tap = {"type": "list_reply", "list_reply": {"id": "CSAT:7:4", "title": "4"}}
    sent = customer_writes(sandbox, type="interactive", interactive=tap)
    value = {"metadata": {"phone_number_id": PNID}, "messages": [sent["message"]]}
    (event,), refused = value_events(value)
    assert not refused
    assert (event.text, event.extra["quick_reply"]) == ("4", "CSAT:7:4")
    # The tap is the transcript's latest message, though its wire timestamp (whole seconds)
    # may equal the survey's: the simulator must stop offering the rows once answered.
    chats = sandbox.http.get(f"{sandbox.url}/_emu/whatsapp/chats", timeout=10).json()
    assert [(m["ours"], m["text"]) for m in chats["messages"]][-2:] == [
        (True, question),
        (False, "[interactive]"),
    ]


def test_up_to_three_quick_replies_are_reply_buttons(sandbox: Sandbox) -> None:
    customer_writes(sandbox, text="교환 되나요?")
    sandbox.clear_requests()
    two = [{"title": "네", "payload": "YES"}, {"title": "아니요", "payload": "NO"}]
    connector(sandbox).send(
        ACCOUNT, reply(sandbox, "해결되셨나요?", options={"quick_replies": two})
    )
    (call,) = posts(sandbox, "/messages")
    assert call["json"]["interactive"] == {
        "type": "button",
        "body": {"text": "해결되셨나요?"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "YES", "title": "네"}},
                {"type": "reply", "reply": {"id": "NO", "title": "아니요"}},
            ]
        },
    }


@pytest.mark.parametrize(
    "choices",
    [
        [{"title": str(n), "payload": f"P{n}"} for n in range(11)],  # more than a list holds
        [{"title": "가" * 25, "payload": "LONG"}, {"title": "b", "payload": "B"}] * 2,
        [{"title": "a", "payload": "SAME"}, {"title": "b", "payload": "SAME"}],
    ],
)
def test_choices_that_do_not_fit_leave_a_plain_text(
    sandbox: Sandbox, choices: list[dict[str, str]]
) -> None:
    """The question still says what to type; a refused interactive send would lose it."""
    customer_writes(sandbox, text="문의요")
    sandbox.clear_requests()
    connector(sandbox).send(ACCOUNT, reply(sandbox, "1-5?", options={"quick_replies": choices}))
    (call,) = posts(sandbox, "/messages")
    assert call["json"]["type"] == "text" and call["json"]["text"]["body"] == "1-5?"


@pytest.mark.parametrize(
    ("interactive", "complaint"),
    [
        ({"type": "button", "body": {"text": "q"}, "action": {"buttons": []}}, "1 to 3"),
        (
            {
                "type": "list",
                "body": {"text": "q"},
                "action": {
                    "button": "고르기",
                    "sections": [{"rows": [{"id": "a", "title": "가" * 25}]}],
                },
            },
            "1 to 24",
        ),
        (
            {
                "type": "list",
                "body": {"text": "q"},
                "action": {
                    "button": "고르기",
                    "sections": [{"rows": [{"id": str(n), "title": str(n)} for n in range(11)]}],
                },
            },
            "1 to 10 rows",
        ),
        ({"type": "carousel", "body": {"text": "q"}, "action": {}}, "not supported"),
    ],
)
def test_the_emulator_refuses_what_the_cloud_api_refuses(
    sandbox: Sandbox, interactive: dict[str, Any], complaint: str
) -> None:
    customer_writes(sandbox, text="문의요")
    answer = sandbox.http.post(
        f"{sandbox.url}/v23.0/{PNID}/messages",
        json={
            "messaging_product": "whatsapp",
            "to": CUSTOMER,
            "type": "interactive",
            "interactive": interactive,
        },
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert answer.status_code == 400
    assert complaint in answer.json()["error"]["message"]
