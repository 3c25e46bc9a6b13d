"""The webhook path: verify → store → enqueue → 200, through the real app and database."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from connectors import CHANNELS, WEBHOOK_ROUTES, RegistrationError, webhook_routes, webhook_slug
from connectors._meta.webhook import sign
from connectors.base import SharedWebhook
from inbox.models import InboundDelivery, Message
from tests.support.factory import fake_delivery, fake_message

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@BOTH
def test_delivery_is_stored_then_ingested_once_even_when_redelivered(rt, client, factory):
    account = factory.account("facebook", external_id="page-1")
    body, headers = fake_delivery("page-1", fake_message("m-1", "배송 언제 되나요?"))
    for _ in range(3):
        assert client.post("/webhooks/fake", data=body, headers=headers).status_code == 200
    assert rt.jobs.drain()
    with rt.db.session() as s:
        assert s.scalar(select(func.count()).select_from(InboundDelivery)) == 3
        statuses = set(s.scalars(select(InboundDelivery.status)))
        assert statuses == {"processed"}
        texts = s.scalars(select(Message.text).where(Message.channel_account_id == account.id))
        assert list(texts) == ["배송 언제 되나요?"]


@BOTH
def test_bad_or_missing_signature_is_refused_and_nothing_is_stored(rt, client, factory):
    factory.account("facebook", external_id="page-1")
    body, headers = fake_delivery("page-1", fake_message("m-1", "hi"))
    forged = {**headers, "X-Fake-Signature": "sha256=" + "0" * 64}
    assert client.post("/webhooks/fake", data=body, headers=forged).status_code == 403
    missing = {"Content-Type": "application/json"}
    assert client.post("/webhooks/fake", data=body, headers=missing).status_code == 403
    with rt.db.session() as s:
        assert s.scalar(select(func.count()).select_from(InboundDelivery)) == 0
        assert s.scalar(select(func.count()).select_from(Message)) == 0


def test_malformed_delivery_is_rejected_with_reason_and_next_one_still_works(rt, client, factory):
    factory.account("facebook", external_id="page-1")
    bad, headers = b'{"account": "page-1"}', {}
    from connectors.fake.connector import sign

    headers = {"X-Fake-Signature": sign("fake-secret", bad)}
    assert client.post("/webhooks/fake", data=bad, headers=headers).status_code == 200
    good, good_headers = fake_delivery("page-1", fake_message("m-2", "두 번째는 정상"))
    assert client.post("/webhooks/fake", data=good, headers=good_headers).status_code == 200
    assert rt.jobs.drain()
    with rt.db.session() as s:
        rows = s.scalars(select(InboundDelivery).order_by(InboundDelivery.id)).all()
        assert [r.status for r in rows] == ["rejected", "processed"]
        assert "malformed fake delivery" in (rows[0].reason or "")
        assert list(s.scalars(select(Message.text))) == ["두 번째는 정상"]


def test_unknown_endpoint_is_404(client):
    assert client.post("/webhooks/nope", data=b"{}").status_code == 404


def test_delivery_for_an_unconnected_account_is_recorded_not_dropped(rt, client):
    body, headers = fake_delivery("page-unknown", fake_message("m-1", "hello"))
    assert client.post("/webhooks/fake", data=body, headers=headers).status_code == 200
    assert rt.jobs.drain()
    with rt.db.session() as s:
        delivery = s.scalars(select(InboundDelivery)).one()
        assert delivery.status == "processed"
        assert "no connected account page-unknown" in (delivery.reason or "")


# -- /webhooks/meta: one callback URL for every Meta webhook object ---------------------------

META_SECRET = "meta-test-secret"
WHATSAPP_TEXT = Path(__file__).parents[1] / "connectors/whatsapp/fixtures/message__text.json"


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    return {"META_APP_SECRET": META_SECRET}


def _meta_post(client, body: bytes, secret: str = META_SECRET, endpoint: str = "meta"):
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(secret, body)}
    return client.post(f"/webhooks/{endpoint}", data=body, headers=headers)


@BOTH
def test_whatsapp_delivery_on_the_meta_endpoint_is_ingested_by_whatsapp(rt, client, factory):
    account = factory.account("whatsapp", connector="whatsapp", external_id="109876543210987")
    body = WHATSAPP_TEXT.read_bytes()
    assert _meta_post(client, body).status_code == 200
    assert _meta_post(client, body, endpoint="whatsapp").status_code == 200  # its own URL too
    assert rt.jobs.drain()
    with rt.db.session() as s:
        rows = s.scalars(select(InboundDelivery).order_by(InboundDelivery.id)).all()
        assert [(r.endpoint, r.connector, r.status) for r in rows] == [
            ("meta", "whatsapp", "processed"),
            ("whatsapp", "whatsapp", "processed"),
        ]
        (message,) = s.scalars(select(Message)).all()  # exactly once, whichever URL
        assert message.channel_account_id == account.id
        assert message.text == "안녕하세요, 주문한 오메가3 언제 도착하나요?"


def test_meta_endpoint_checks_the_signature_before_routing(rt, client):
    body = WHATSAPP_TEXT.read_bytes()
    assert _meta_post(client, body, secret="not-the-secret").status_code == 403
    with rt.db.session() as s:
        assert s.scalar(select(func.count()).select_from(InboundDelivery)) == 0


def test_meta_delivery_nobody_claims_is_stored_and_rejected_by_name(rt, client):
    assert _meta_post(client, b'{"object": "user", "entry": []}').status_code == 200
    assert _meta_post(client, b"not json").status_code == 200
    assert rt.jobs.drain()
    with rt.db.session() as s:
        rows = s.scalars(select(InboundDelivery).order_by(InboundDelivery.id)).all()
        assert [(r.connector, r.status) for r in rows] == [
            ("facebook", "rejected"),
            ("facebook", "rejected"),
        ]
        assert "'user'" in (rows[0].reason or "")


def test_routes_come_from_the_declarations():
    assert WEBHOOK_ROUTES["meta"] == {
        "page": "facebook",
        "instagram": "instagram",
        "whatsapp_business_account": "whatsapp",
    }
    assert webhook_slug("meta", b'{"object":"instagram"}') == "instagram"
    assert webhook_slug("meta", b"[1]") == "facebook"  # unreadable: the first claimant records it
    assert webhook_slug("whatsapp", b'{"object":"page"}') == "whatsapp"  # own URL: no routing
    claims_page = replace(CHANNELS["instagram"], shared_webhook=SharedWebhook("meta", "page"))
    with pytest.raises(RegistrationError, match="both claim 'page'"):
        webhook_routes({"facebook": CHANNELS["facebook"], "instagram": claims_page})
