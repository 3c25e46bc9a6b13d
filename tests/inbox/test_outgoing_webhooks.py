"""Outgoing webhooks against a real local receiver: stored first, signed, retried, logged,
disabled after persistent failure, redelivered; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlalchemy import select

from inbox.conversations import Change, apply_change
from inbox.models import Conversation, Message
from inbox.models.notifications import Notification
from inbox.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookSubscription
from inbox.outgoing_webhooks import (
    WebhookError,
    create_subscription,
    enable,
    redeliver,
    verify,
)
from switchboard.runtime import Runtime
from tests.support.receiver import receiver
from workers.outgoing import deliver

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    # Four attempts in all; the local receiver is on loopback, allowed by name.
    return {"WEBHOOK_RETRY_SCHEDULE": "0.05,0.05,0.05", "WEBHOOK_ALLOW_HOSTS": "127.0.0.1"}


def settle(rt: Runtime) -> None:
    """Run jobs until none is waiting, future-dated retries included (bounded, not timed)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rt.jobs.drain()
        if not rt.jobs.pending():  # type: ignore[attr-defined]
            rt.jobs.drain()
            return
        time.sleep(0.02)
    raise AssertionError("jobs did not settle")


def subscribe(rt: Runtime, url: str, *types: str, name: str = "CRM") -> WebhookSubscription:
    """The subscription, with its plain secret (shown once) kept on `plain_secret`."""
    with rt.db.session() as session:
        subscription, secret = create_subscription(
            session, rt.vault, name=name, url=url, event_types=list(types), actor=None
        )
    subscription.plain_secret = secret  # type: ignore[attr-defined]
    return subscription


def resolve(rt: Runtime, conversation_id: int) -> None:
    with rt.db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        apply_change(session, conversation, Change(status="resolved"), actor=None)


def deliveries(rt: Runtime) -> list[WebhookDelivery]:
    with rt.db.session() as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def attempts(rt: Runtime, delivery_id: int) -> list[tuple[int, int | None]]:
    with rt.db.session() as session:
        rows = session.execute(
            select(WebhookAttempt.number, WebhookAttempt.status_code)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.number)
        )
        return [(n, code) for n, code in rows]


def test_retried_until_the_receiver_accepts_signed_and_logged(rt: Runtime, factory: Any) -> None:
    account = factory.account()
    conversation = factory.inbound(account, "환불 요청합니다")
    with receiver(500, 503) as hook:
        sub = subscribe(rt, hook.url, "conversation.resolved")
        resolve(rt, conversation.id)
        settle(rt)
    [delivery] = deliveries(rt)
    assert delivery.status == "delivered"
    assert delivery.event_type == "conversation.resolved"
    assert attempts(rt, delivery.id) == [(1, 500), (2, 503), (3, 200)]
    assert len(hook.requests) == 3
    headers, body = hook.requests[-1]
    assert verify(sub.plain_secret, headers["X-Switchboard-Signature"], body)
    assert not verify("whsec_wrong", headers["X-Switchboard-Signature"], body)
    assert headers["X-Switchboard-Delivery"] == delivery.event_id
    payload = json.loads(body)
    assert payload["type"] == "conversation.resolved"
    assert payload["data"]["conversation"]["id"] == conversation.id
    assert payload["data"]["conversation"]["status"] == "resolved"
    # The same event id on every attempt: receivers can deduplicate.
    assert {h["X-Switchboard-Delivery"] for h, _ in hook.requests} == {delivery.event_id}


def test_only_subscribed_types_and_rolled_back_changes_produce_nothing(
    rt: Runtime, factory: Any
) -> None:
    account = factory.account()
    with receiver() as hook:
        subscribe(rt, hook.url, "message.created")
        conversation = factory.inbound(account, "first")
        with pytest.raises(RuntimeError), rt.db.session() as session:
            fresh = session.get(Conversation, conversation.id)
            assert fresh is not None
            apply_change(session, fresh, Change(status="resolved"), actor=None)
            raise RuntimeError("roll back")
        resolve(rt, conversation.id)  # conversation.* is not subscribed
        settle(rt)
    kinds = [(d.event_type, d.status) for d in deliveries(rt)]
    assert kinds == [("message.created", "delivered")]
    payload = json.loads(hook.requests[0][1])
    assert payload["data"]["message"]["text"] == "first"


def test_persistent_failure_disables_with_a_notice_then_enable_and_redeliver(
    rt: Runtime, factory: Any
) -> None:
    account = factory.account()
    admin = factory.user("admin")
    conversation = factory.inbound(account, "hello")
    with receiver(500, 500, 500, 500) as hook:
        sub = subscribe(rt, hook.url, "conversation.resolved")
        resolve(rt, conversation.id)
        settle(rt)
        [failed] = deliveries(rt)
        assert failed.status == "failed"
        assert [code for _, code in attempts(rt, failed.id)] == [500, 500, 500, 500]
        with rt.db.session() as session:
            fresh = session.get(WebhookSubscription, sub.id)
            assert fresh is not None and not fresh.active
            assert "failed 4 times" in (fresh.disabled_reason or "")
            notices = session.scalars(
                select(Notification).where(Notification.user_id == admin.id)
            ).all()
            assert [n.kind for n in notices] == ["webhook_disabled"]
            original = session.get(WebhookDelivery, failed.id)
            assert original is not None
            with pytest.raises(WebhookError):
                redeliver(session, original, None)
        # While disabled, new events are not even produced for it.
        resolve_again = factory.inbound(account, "again", customer="cust-2")
        resolve(rt, resolve_again.id)
        assert len(deliveries(rt)) == 1
        with rt.db.session() as session:
            fresh = session.get(WebhookSubscription, sub.id)
            assert fresh is not None
            enable(session, fresh, None)
            original = session.get(WebhookDelivery, failed.id)
            assert original is not None
            copy = redeliver(session, original, None)
            copy_id = copy.id
        settle(rt)
    by_id = {d.id: d for d in deliveries(rt)}
    assert by_id[copy_id].status == "delivered"
    assert by_id[copy_id].redelivery_of == failed.id
    assert by_id[copy_id].event_id == failed.event_id


def test_each_attempt_is_sent_and_recorded_once_when_jobs_race(rt: Runtime, factory: Any) -> None:
    account = factory.account()
    conversation = factory.inbound(account, "hello")
    with receiver() as hook:
        subscribe(rt, hook.url, "conversation.resolved")
        resolve(rt, conversation.id)
        [delivery] = deliveries(rt)
        # The scheduled job and two stray copies (sweeper, redelivered rq job) all try.
        results = [deliver(delivery.id), deliver(delivery.id)]
        settle(rt)
    assert attempts(rt, delivery.id) == [(1, 200)]
    assert len(hook.requests) == 1
    assert results.count(None) >= 1


def test_bad_subscriptions_are_refused(rt: Runtime) -> None:
    with rt.db.session() as session:
        for url, types in (
            ("ftp://example.test/x", ["message.created"]),
            ("http://127.0.0.1/x", ["no.such"]),
            ("http://127.0.0.1/x", []),
        ):
            with pytest.raises(WebhookError):
                create_subscription(
                    session, rt.vault, name="x", url=url, event_types=types, actor=None
                )


def test_private_addresses_are_refused_unless_allowed(rt: Runtime, factory: Any) -> None:
    from inbox.outgoing_webhooks import check_host

    with pytest.raises(WebhookError, match="WEBHOOK_ALLOW_HOSTS"):
        check_host("http://10.0.0.5/hook", "127.0.0.1")
    with pytest.raises(WebhookError):
        check_host("http://localhost:8080/hook", "")
    check_host("http://127.0.0.1:9/hook", "127.0.0.1")
    # At send time too: a host no longer allowed gets a refused attempt, not a request.
    account = factory.account()
    conversation = factory.inbound(account, "hello")
    with receiver() as hook:
        subscribe(rt, hook.url, "conversation.resolved")
        rt.settings = rt.settings.replace(WEBHOOK_ALLOW_HOSTS="")
        resolve(rt, conversation.id)
        [delivery] = deliveries(rt)
        deliver(delivery.id)
    assert hook.requests == []
    with rt.db.session() as session:
        tries = session.scalars(
            select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery.id)
        ).all()
        assert tries and all(t.status_code is None and "refused" in (t.error or "") for t in tries)


def test_a_rules_webhook_action_is_delivered_to_the_named_subscription(
    rt: Runtime, factory: Any
) -> None:
    """The rule names the subscription; it gets a signed `rule.fired` delivery (whatever
    event types it chose), retried, logged and redeliverable like any other."""
    from inbox.rules import run_for_events, save_rule

    account = factory.account()
    with receiver(503) as hook, receiver() as bystander:
        subscribe(rt, bystander.url, "conversation.resolved", name="Slack")
        sub = subscribe(rt, hook.url, "conversation.resolved", name="주문 시스템")
        with rt.db.session() as session:
            save_rule(
                session,
                name="환불 알림",
                trigger="customer_message",
                conditions=[{"field": "text", "op": "contains", "value": "환불"}],
                actions=[{"type": "webhook", "value": "주문 시스템"}],
                actor_id=None,
            )
        refund = factory.inbound(account, "환불해 주세요", customer="w1")
        factory.inbound(account, "배송 문의", customer="w2")  # matches no rule
        settle(rt)
        # The same occasion again (a replayed event) sends nothing more.
        with rt.db.session() as session:
            message_id = session.scalars(
                select(Message.id).where(
                    Message.conversation_id == refund.id, Message.direction == "inbound"
                )
            ).one()
            replay = {
                "topic": "message.created",
                "conversation_id": refund.id,
                "message_id": message_id,
                "direction": "inbound",
            }
            assert run_for_events(session, [replay]).fired == []
        settle(rt)
        [delivery] = deliveries(rt)
        assert (delivery.subscription_id, delivery.event_type) == (sub.id, "rule.fired")
        assert delivery.status == "delivered"
        assert attempts(rt, delivery.id) == [(1, 503), (2, 200)]
        assert bystander.requests == []
        headers, body = hook.requests[-1]
        assert verify(sub.plain_secret, headers["X-Switchboard-Signature"], body)
        assert headers["X-Switchboard-Event"] == "rule.fired"
        payload = json.loads(body)["data"]
        assert payload["rule"]["name"] == "환불 알림"
        assert payload["trigger"] == "customer_message"
        assert payload["conversation"]["id"] == refund.id
        assert payload["message"]["text"] == "환불해 주세요"
        with rt.db.session() as session:
            thread = session.scalars(
                select(Message.text).where(Message.conversation_id == refund.id)
            ).all()
            assert "Rule “환불 알림” ran: webhook 주문 시스템" in thread
            original = session.get(WebhookDelivery, delivery.id)
            assert original is not None
            copy_id = redeliver(session, original, None).id
        settle(rt)
        assert {d.id: d.status for d in deliveries(rt)}[copy_id] == "delivered"
        assert len(hook.requests) == 3


def test_a_webhook_action_must_name_an_existing_subscription(rt: Runtime) -> None:
    from inbox.rules import save_rule

    with rt.db.session() as session, pytest.raises(ValueError, match="no outgoing webhook"):
        save_rule(
            session,
            name="x",
            trigger="customer_message",
            conditions=[],
            actions=[{"type": "webhook", "value": "nobody"}],
            actor_id=None,
        )


def test_secrets_are_sealed_at_rest(rt: Runtime) -> None:
    from inbox.outgoing_webhooks import open_secret, rotate_secret

    sub = subscribe(rt, "http://127.0.0.1:9/hook", "message.created")
    with rt.db.session() as session:
        stored = session.get(WebhookSubscription, sub.id)
        assert stored is not None
        assert sub.plain_secret.encode() not in stored.secret_sealed
        assert open_secret(rt.vault, stored) == sub.plain_secret
        rotated = rotate_secret(session, rt.vault, stored, None)
        assert rotated != sub.plain_secret and open_secret(rt.vault, stored) == rotated
