"""End to end against the provider emulator: customer texts → signed callback →
/webhooks/phone → DB; agent reply (REST API, real send job) → Messages.json → status
callbacks back, late, duplicated and out of order; STOP honoured. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import select

from inbox.models import Contact, Conversation, InboundDelivery, Message
from sandbox.twilio import create_app
from switchboard.runtime import Runtime
from tests.connectors.phone.conftest import ACCOUNT_SID, CUSTOMER, NUMBER, Provider
from tests.support.servers import free_port, serve_wsgi

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def app_port() -> int:
    """Our app's port, chosen per test: the provider must know where to call before the app
    is served (PUBLIC_BASE_URL is a setting of the runtime the app is built with)."""
    return free_port()


@pytest.fixture
def provider(app_port: int) -> Iterator[Provider]:
    base = f"http://127.0.0.1:{app_port}"
    urls = {"SMS_URL": f"{base}/webhooks/phone", "VOICE_URL": f"{base}/webhooks/phone/voice"}
    with serve_wsgi(create_app(urls)) as url:
        yield Provider(url)


@pytest.fixture
def settings_overrides(provider: Provider, app_port: int) -> dict[str, str]:
    host = provider.url.removeprefix("http://")
    return provider.settings(PUBLIC_BASE_URL=f"http://127.0.0.1:{app_port}", FETCH_ALLOW_HOSTS=host)


class World:
    def __init__(
        self, rt: Runtime, provider: Provider, client: Any, factory: Any, url: str
    ) -> None:
        self.rt, self.provider, self.client, self.url = rt, provider, client, url
        self.account = factory.account("phone", connector="phone", external_id=NUMBER)
        agent = factory.user("agent", inboxes=[self.account.id], email="phone-agent@example.test")
        self.auth = {"Authorization": f"Bearer {factory.token(agent)}"}

    def text(self, body: str, sender: str = CUSTOMER, **extra: Any) -> dict[str, Any]:
        sent: dict[str, Any] = self.provider.emu("sms", **{"from": sender, "body": body, **extra})
        assert sent["status"] == 200, sent
        self.settle()
        return sent

    def settle(self) -> None:
        assert self.rt.jobs.drain(timeout=30)

    def callbacks(self, order: str = "fifo", repeat: int = 1) -> list[dict[str, Any]]:
        done: list[dict[str, Any]] = self.provider.emu(
            "callbacks/deliver", order=order, repeat=repeat
        )
        assert all(d["status"] == 200 for d in done), done
        self.settle()
        return done

    def conversation(self) -> Conversation:
        with self.rt.db.session() as s:
            found = s.scalars(
                select(Conversation).where(Conversation.channel_account_id == self.account.id)
            ).one()
            s.expunge(found)
            return found

    def messages(self, kind: str | None = None) -> list[Message]:
        with self.rt.db.session() as s:
            query = select(Message).where(Message.channel_account_id == self.account.id)
            if kind:
                query = query.where(Message.kind == kind)
            rows = list(s.scalars(query.order_by(Message.id)))
            s.expunge_all()
            return rows

    def deliveries(self) -> list[InboundDelivery]:
        with self.rt.db.session() as s:
            rows = list(s.scalars(select(InboundDelivery).order_by(InboundDelivery.id)))
            s.expunge_all()
            return rows

    def reply(self, text: str) -> Any:
        return self.client.post(
            f"/api/v1/conversations/{self.conversation().id}/messages",
            json={"text": text},
            headers=self.auth,
        )


@pytest.fixture
def world(
    rt: Runtime, app: Any, client: Any, factory: Any, provider: Provider, app_port: int
) -> Iterator[World]:
    with serve_wsgi(app, app_port) as url:
        yield World(rt, provider, client, factory, url)


@BOTH
def test_a_text_is_stored_once_however_often_it_is_delivered(world: World) -> None:
    sent = world.text("안녕하세요, 주문한 오메가3 언제 도착하나요?", sender="010-1234-5678")
    for _ in range(2):  # the provider retries the same callback
        world.provider.emu(
            "sms", **{"from": CUSTOMER, "body": sent["params"]["Body"], "sid": sent["sid"]}
        )
    world.settle()
    (message,) = world.messages()
    assert (message.external_id, message.direction) == (sent["sid"], "inbound")
    assert message.text == "안녕하세요, 주문한 오메가3 언제 도착하나요?"
    conversation = world.conversation()
    assert (conversation.kind, conversation.thread_key) == ("dm", CUSTOMER)
    with world.rt.db.session() as s:  # the contact is identified by (and shows) the number
        contact = s.get(Contact, conversation.contact_id)
        assert contact is not None and (contact.name, contact.phone) == (CUSTOMER, CUSTOMER)
    deliveries = world.deliveries()
    assert len(deliveries) == 3
    assert all(d.connector == "phone" and d.status == "processed" for d in deliveries)


def test_a_forged_or_unsigned_callback_is_refused_and_not_stored(world: World) -> None:
    form = {
        "MessageSid": "SM" + "1" * 32,
        "SmsStatus": "received",
        "From": CUSTOMER,
        "To": NUMBER,
        "Body": "가짜",
        "AccountSid": ACCOUNT_SID,
    }
    unsigned = requests.post(f"{world.url}/webhooks/phone", data=form, timeout=10)
    forged = requests.post(
        f"{world.url}/webhooks/phone",
        data=form,
        headers={
            "X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl",
            "X-Switchboard-Url": f"{world.url}/webhooks/phone",
        },
        timeout=10,
    )
    assert (unsigned.status_code, forged.status_code) == (403, 403)
    assert world.deliveries() == []


@BOTH
def test_reply_goes_out_exactly_and_statuses_move_it_forward(world: World) -> None:
    world.text("배송 언제 되나요?")
    world.provider.emu("requests/clear")
    answer = world.reply("내일 출고 예정입니다.")
    assert answer.status_code == 201, answer.get_json()
    ours_uuid = answer.get_json()["uuid"]
    world.settle()
    (call,) = world.provider.requests()
    assert call["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert call["form"] == {
        "To": CUSTOMER,
        "From": NUMBER,
        "Body": "내일 출고 예정입니다.",
        "StatusCallback": f"{world.url}/webhooks/phone?ref={ours_uuid}",
    }
    _, ours = world.messages()
    assert ours.uuid == ours_uuid and ours.status == "sent"
    assert ours.external_id and ours.external_id.startswith("SM")
    assert (ours.meta["segments"], ours.meta["encoding"]) == (1, "UCS-2")
    world.callbacks(order="lifo", repeat=2)  # delivered first, then sent; each twice
    _, ours = world.messages()
    assert ours.status == "delivered"  # a late `sent` never moves it back


@BOTH
def test_statuses_that_overtake_the_send_are_kept_until_it_is_recorded(world: World) -> None:
    world.text("환불 문의드려요")
    answer = world.reply("확인 후 연락드리겠습니다.")
    assert answer.status_code == 201
    world.settle()
    _, ours = world.messages()
    # The callbacks are held by the emulator; put the reply back where it was while the send
    # job waited for the provider's answer (sid not recorded), then let them arrive.
    with world.rt.db.session() as s:
        row = s.get(Message, ours.id)
        assert row is not None
        sid, row.external_id, row.status = row.external_id, None, "sending"
    world.callbacks(order="lifo")  # `delivered` for an unknown sid, then `sent` with our ref
    _, ours = world.messages()
    assert (ours.external_id, ours.status) == (sid, "delivered")


def test_undelivered_marks_the_reply_failed_with_the_reason(world: World) -> None:
    world.text("문의드립니다")
    world.reply("답변드립니다.")
    world.settle()
    _, ours = world.messages()
    pending = world.provider.get("callbacks")
    params = {
        **pending[0]["params"],
        "MessageStatus": "undelivered",
        "SmsStatus": "undelivered",
        "ErrorCode": "30005",
    }
    done = world.provider.emu("post", url=pending[0]["url"], params=params)
    assert done["status"] == 200
    world.settle()
    _, ours = world.messages()
    assert (ours.status, ours.failure_reason) == (
        "failed",
        "the text was undelivered (error 30005)",
    )


@BOTH
def test_stop_closes_the_composer_and_start_opens_it(world: World) -> None:
    world.text("문의드립니다")
    world.text("수신거부")
    conversation = world.conversation()
    assert conversation.context["opted_out"]["keyword"] == "수신거부"
    refused = world.reply("혹시 더 궁금한 점 있으세요?")
    assert refused.status_code in (409, 422), refused.get_json()
    assert "opted out of texts" in str(refused.get_json())
    events = [m.text for m in world.messages("event")]
    assert events == ["The customer opted out of texts (수신거부): no more texts can be sent"]
    world.text("START")
    assert "opted_out" not in world.conversation().context
    assert world.reply("다시 연락드립니다.").status_code == 201
