"""End to end against the Meta emulator: customer → signed webhook → /webhooks/whatsapp → DB →
agent reply (REST API, real send job) → Send API → statuses back. SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import select

import workers.ingest
import workers.send
from connectors._meta.webhook import sign
from inbox.models import Attachment, Conversation, EarlyReceipt, InboundDelivery, Message
from sandbox.meta.whatsapp import DEFAULTS
from switchboard.runtime import Runtime
from tests.connectors.facebook.sandbox_support import SECRET, Sandbox
from tests.support.servers import serve_wsgi

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
PNID = DEFAULTS["WA_PHONE_NUMBER_ID"]
CUSTOMER = "821055501234"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.fixture
def settings_overrides(sandbox: Sandbox) -> dict[str, str]:
    return sandbox.settings(META_VERIFY_TOKEN="verify-me")


class World:
    def __init__(self, rt: Runtime, sandbox: Sandbox, client: Any, factory: Any, url: str):
        self.rt, self.sandbox, self.client, self.url = rt, sandbox, client, url
        self.account = factory.account(
            "whatsapp",
            connector="whatsapp",
            external_id=PNID,
            credentials={"access_token": DEFAULTS["WA_TOKEN"]},
            options={"waba_id": DEFAULTS["WA_WABA_ID"]},
        )
        agent = factory.user("agent", inboxes=[self.account.id], email="wa-agent@example.test")
        self.auth = {"Authorization": f"Bearer {factory.token(agent)}"}

    def write(self, **body: Any) -> dict[str, Any]:
        made: dict[str, Any] = self.sandbox.emu(
            "whatsapp/customers/message", wa_id=CUSTOMER, name="이서준", **body
        )
        self.settle()
        return made

    def settle(self) -> None:
        """Let jobs, the emulator's webhook queue and the jobs those caused all finish."""
        for _ in range(3):
            assert self.rt.jobs.drain(timeout=20)
            assert self.sandbox.emu("whatsapp/webhooks/drain")["idle"]
        assert self.rt.jobs.drain(timeout=20)

    def conversation(self) -> Conversation:
        with self.rt.db.session() as s:
            found = s.scalars(
                select(Conversation).where(
                    Conversation.channel_account_id == self.account.id,
                    Conversation.participant_key == CUSTOMER,
                )
            ).one()
            s.expunge(found)
            return found

    def messages(self) -> list[Message]:
        with self.rt.db.session() as s:
            rows = list(
                s.scalars(
                    select(Message)
                    .where(Message.channel_account_id == self.account.id)
                    .order_by(Message.id)
                )
            )
            s.expunge_all()
            return rows

    def deliveries(self) -> list[InboundDelivery]:
        with self.rt.db.session() as s:
            rows = list(s.scalars(select(InboundDelivery).order_by(InboundDelivery.id)))
            s.expunge_all()
            return rows

    def reply(self, text: str, **extra: Any) -> Any:
        return self.client.post(
            f"/api/v1/conversations/{self.conversation().id}/messages",
            json={"text": text, **extra},
            headers=self.auth,
        )


@pytest.fixture
def world(rt: Runtime, app: Any, client: Any, factory: Any, sandbox: Sandbox) -> Iterator[World]:
    with serve_wsgi(app) as url:
        sandbox.emu("whatsapp/webhooks/config", url=f"{url}/webhooks/whatsapp")
        yield World(rt, sandbox, client, factory, url)


@BOTH
def test_text_is_stored_once_however_often_it_is_delivered(world: World) -> None:
    made = world.write(text="안녕하세요, 주문한 오메가3 언제 도착하나요?")
    world.sandbox.emu("whatsapp/webhooks/redeliver", times=3)
    world.settle()
    (message,) = world.messages()
    assert (message.external_id, message.direction) == (made["id"], "inbound")
    assert message.text == "안녕하세요, 주문한 오메가3 언제 도착하나요?"
    conversation = world.conversation()
    assert (conversation.kind, conversation.thread_key) == ("dm", CUSTOMER)
    deliveries = world.deliveries()
    assert len(deliveries) == 4
    assert all(d.connector == "whatsapp" and d.endpoint == "whatsapp" for d in deliveries)


@BOTH
def test_racing_first_deliveries_of_one_message_store_it_once(world: World) -> None:
    sandbox = world.sandbox
    sandbox.emu("whatsapp/webhooks/config", url="")  # the emulator logs the body, sends nothing
    made = world.write(text="동시에 온 웹훅")
    sandbox.emu("whatsapp/webhooks/config", url=f"{world.url}/webhooks/whatsapp")
    logged = sandbox.http.get(f"{sandbox.url}/_emu/whatsapp/webhooks", timeout=10).json()
    raw = json.dumps(logged[-1]["body"], ensure_ascii=True, separators=(",", ":")).encode()
    assert world.deliveries() == []
    start = threading.Barrier(4)
    answers: list[int] = []

    def post() -> None:
        start.wait()
        answer = requests.post(
            f"{world.url}/webhooks/whatsapp",
            data=raw,
            headers={"X-Hub-Signature-256": sign(SECRET, raw)},
            timeout=30,
        )
        answers.append(answer.status_code)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    world.settle()
    assert answers == [200, 200, 200, 200]
    assert [m.external_id for m in world.messages()] == [made["id"]]
    assert len(world.deliveries()) == 4


def test_a_forged_delivery_is_refused_and_not_stored(world: World) -> None:
    raw = b'{"object":"whatsapp_business_account","entry":[]}'
    answer = requests.post(
        f"{world.url}/webhooks/whatsapp",
        data=raw,
        headers={"X-Hub-Signature-256": sign("not-the-secret", raw)},
        timeout=10,
    )
    assert answer.status_code == 403
    assert world.deliveries() == []


def test_the_subscription_handshake_answers_the_challenge(world: World) -> None:
    ok = requests.get(
        f"{world.url}/webhooks/whatsapp",
        params={"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "42"},
        timeout=10,
    )
    assert (ok.status_code, ok.text) == (200, "42")


@BOTH
def test_reply_goes_out_exactly_and_statuses_move_it_forward(world: World) -> None:
    world.write(text="배송 언제 되나요?")
    world.sandbox.clear_requests()
    answer = world.reply("내일 출고 예정입니다.")
    assert answer.status_code == 201
    ours_uuid = answer.get_json()["uuid"]
    world.settle()
    (call,) = world.sandbox.requests(method="POST")
    assert call["path"] == f"/{PNID}/messages"
    assert call["json"] == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": CUSTOMER,
        "type": "text",
        "text": {"preview_url": False, "body": "내일 출고 예정입니다."},
        "biz_opaque_callback_data": f"inbox:outbound:{ours_uuid}",
    }
    _, ours = world.messages()
    assert ours.uuid == ours_uuid and ours.external_id and ours.external_id.startswith("wamid.")
    assert ours.status == "delivered"  # sent, then delivered: never moved back
    world.sandbox.emu("whatsapp/customers/read", wa_id=CUSTOMER)
    world.settle()
    assert world.messages()[1].status == "read"
    world.sandbox.emu("whatsapp/webhooks/redeliver", times=1)  # an old `delivered` again
    world.settle()
    assert world.messages()[1].status == "read"


@BOTH
def test_window_closed_by_the_platform_marks_the_reply_failed_with_the_reason(
    world: World,
) -> None:
    world.write(text="문의")
    world.sandbox.emu("clock", advance_hours=25)  # the platform's clock runs ahead of ours
    # The failed status comes after the send job recorded the send (the other order is
    # test_failed_before_the_send_is_recorded_stays_failed).
    world.sandbox.emu("whatsapp/webhooks/config", hold_statuses=True)
    assert world.reply("답변").status_code == 201
    world.settle()
    assert world.messages()[1].status == "sent"
    world.sandbox.emu("whatsapp/webhooks/flush")
    world.settle()
    _, ours = world.messages()
    assert ours.status == "failed"
    assert "131047 Re-engagement message" in (ours.failure_reason or "")


def _statuses_overtake_the_send(
    monkeypatch: pytest.MonkeyPatch, world: World, only: list[str]
) -> list[int]:
    """Make the platform's statuses win the race: after the Send API answered, and before
    the send job records the wamid, deliver the held `only` statuses and ingest them."""
    real = workers.send._record_sent
    flushed: list[int] = []

    def record_late(message_id: int, result: Any) -> None:
        flushed.extend(world.sandbox.emu("whatsapp/webhooks/flush", only=only)["deliveries"])
        workers.ingest.drain()
        real(message_id, result)

    monkeypatch.setattr(workers.send, "_record_sent", record_late)
    return flushed


@BOTH
def test_delivered_before_the_send_is_recorded_is_kept_and_applied(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.write(text="문의")
    world.sandbox.emu("whatsapp/webhooks/config", hold_statuses=True)
    flushed = _statuses_overtake_the_send(monkeypatch, world, ["delivered"])
    assert world.reply("답변").status_code == 201
    world.settle()
    assert len(flushed) == 1
    delivered = world.deliveries()[-1]
    assert delivered.status == "processed"
    _, ours = world.messages()
    assert ours.status == "delivered"  # not "sent": the early status was kept, then applied
    with world.rt.db.session() as s:
        assert s.scalars(select(EarlyReceipt)).all() == []  # applied, so forgotten
    world.sandbox.emu("whatsapp/webhooks/flush")  # the `sent` echo comes last
    world.settle()
    assert world.messages()[1].status == "delivered"


@BOTH
def test_failed_before_the_send_is_recorded_stays_failed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.write(text="문의")
    world.sandbox.emu("clock", advance_hours=25)  # the platform's clock runs ahead of ours
    # One callback URL for the whole Meta app: the status arrives on /webhooks/meta.
    world.sandbox.emu(
        "whatsapp/webhooks/config", url=f"{world.url}/webhooks/meta", hold_statuses=True
    )
    _statuses_overtake_the_send(monkeypatch, world, ["failed"])
    assert world.reply("답변").status_code == 201
    world.settle()
    failed = world.deliveries()[-1]
    assert (failed.endpoint, failed.connector, failed.status) == ("meta", "whatsapp", "processed")
    _, ours = world.messages()
    assert ours.status == "failed"  # mark_sent did not move it back to "sent"
    assert "131047 Re-engagement message" in (ours.failure_reason or "")
    assert ours.external_id and ours.external_id.startswith("wamid.")


def test_free_form_reply_after_24_hours_is_refused_before_it_is_stored(world: World) -> None:
    world.sandbox.emu("clock", advance_hours=-25)  # the customer wrote 25 hours ago
    world.write(text="예전 문의")
    world.sandbox.clear_requests()
    answer = world.reply("늦어서 죄송합니다")
    assert answer.status_code == 422
    assert "template" in answer.get_json()["reason"]
    assert world.sandbox.requests() == []


@BOTH
def test_inbound_photo_is_downloaded_through_the_media_id(world: World) -> None:
    made = world.write(
        type="image",
        text="파손 사진",
        mime_type="image/png",
        data_base64=base64.b64encode(PNG).decode(),
    )
    (message,) = world.messages()
    assert message.text == "파손 사진"
    with world.rt.db.session() as s:
        (row,) = s.scalars(select(Attachment).where(Attachment.message_id == message.id))
        assert row.sha256 == hashlib.sha256(PNG).hexdigest()
        assert world.rt.store.read(row.sha256) == PNG
        assert row.source_url == f"whatsapp-media:{made['message']['image']['id']}"
        assert row.problem is None


@BOTH
def test_every_inbound_type_is_stored_or_recorded_as_rejected(world: World) -> None:
    world.write(
        location={"latitude": 37.5665, "longitude": 126.978, "name": "서울시청"}, type="location"
    )
    world.write(
        type="interactive",
        interactive={"type": "list_reply", "list_reply": {"id": "row-1", "title": "환불"}},
    )
    world.write(type="order", order={"catalog_id": "1", "product_items": []})
    world.write(type="unsupported")
    texts = [m.text for m in world.messages()]
    assert texts == ["서울시청\n37.566500, 126.978000", "환불"]
    rejected = [d.reason for d in world.deliveries() if d.status == "rejected"]
    assert len(rejected) == 2
    assert any("orders are not ingested" in (r or "") for r in rejected)
    assert any("131051" in (r or "") for r in rejected)


@BOTH
def test_template_outside_the_window_through_the_api(world: World) -> None:
    world.sandbox.emu("clock", advance_hours=-30)  # the customer wrote 30 hours ago
    world.write(text="지난번 문의")
    world.sandbox.clear_requests()
    choice = {"name": "order_update", "language": "ko", "variables": ["이서준", "A-1001"]}
    answer = world.client.post(
        f"/api/v1/conversations/{world.conversation().id}/messages",
        json={"template": choice},
        headers=world.auth,
    )
    assert answer.status_code == 201, answer.get_json()
    world.settle()
    (call,) = world.sandbox.requests(method="POST")
    assert call["json"]["type"] == "template"
    assert call["json"]["template"] == {
        "name": "order_update",
        "language": {"code": "ko"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "이서준"},
                    {"type": "text", "text": "A-1001"},
                ],
            }
        ],
    }
    _, ours = world.messages()
    assert ours.text == "이서준님, 주문 A-1001의 배송이 시작되었습니다.\n\n서울서플"
    assert ours.meta["options"] == {"template": choice}
    assert ours.status == "delivered"


def test_a_bad_template_choice_is_refused_before_it_is_stored(world: World) -> None:
    world.write(text="문의")
    bad = {"name": "order_update", "language": "ko", "variables": ["하나"]}
    answer = world.client.post(
        f"/api/v1/conversations/{world.conversation().id}/messages",
        json={"template": bad},
        headers=world.auth,
    )
    assert answer.status_code == 422
    assert "takes 2 values" in answer.get_json()["reason"]
    assert len(world.messages()) == 1


def test_composer_shows_the_closed_window_and_sends_a_template(world: World) -> None:
    import re

    world.sandbox.emu("clock", advance_hours=-30)
    world.write(text="지난번 문의")
    client = world.client
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post(
        "/login",
        data={
            "email": "wa-agent@example.test",
            "password": "correct horse battery",
            "csrf_token": token,
        },
    )
    conversation = world.conversation()
    thread = client.get(f"/inbox/c/{conversation.id}").get_data(as_text=True)
    assert "24-hour customer service window has closed" in thread
    assert 'data-template="order_update:ko"' in thread
    assert 'data-template="spring_sale:ko"' in thread  # listed, with why it cannot be sent
    form = thread[thread.index('data-template="order_update:ko"') :]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    world.sandbox.clear_requests()
    sent = client.post(
        f"/inbox/c/{conversation.id}/reply",
        data={
            "csrf_token": token,
            "idempotency_key": key,
            "mode": "reply",
            "template_key": "order_update:ko",
            "template_var": ["이서준", "A-2002"],
        },
    )
    assert sent.status_code in (302, 303)
    world.settle()
    (call,) = world.sandbox.requests(method="POST")
    values = [p["text"] for p in call["json"]["template"]["components"][0]["parameters"]]
    assert values == ["이서준", "A-2002"]
    assert world.messages()[-1].text.startswith("이서준님, 주문 A-2002")
