"""The webhook path: verify → store → enqueue → 200, through the real app and database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

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
