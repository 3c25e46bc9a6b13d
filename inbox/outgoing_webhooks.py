"""Outgoing webhooks: integrators subscribe to event types; every delivery is stored first.

A delivery row is written in the transaction of the change it reports (`react`), so no event
is lost and none is announced for a change that rolled back. The delivery job
(workers/outgoing.py) claims a due delivery (pending → sending, one attempt more), posts the
signed body outside any transaction, and `record_attempt` writes the outcome exactly once per
attempt number. Failures are retried on a schedule spanning more than a day; a delivery that
exhausts it disables its subscription with a notice, and its pending deliveries wait for the
admin to enable it again.

Signing secrets are sealed with the channel-token vault (inbox/crypto.py): the database alone
does not let anyone forge our signatures. The plain secret exists only when it is made (shown
once to the admin) and while a delivery is being signed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from connectors.addresses import host_is_public
from connectors.base import Words
from inbox.audit import record
from inbox.crypto import Vault
from inbox.db import insert_ignore
from inbox.events import after_commit, emit
from inbox.models import Conversation, Message, User, utcnow
from inbox.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookSubscription
from inbox.serialize import conversation_json, iso, message_json

EVENT_TYPES = (
    "conversation.created",
    "conversation.updated",
    "conversation.resolved",
    "conversation.assigned",
    "message.created",
    "sla.breached",
    "csat.received",
)
# Domain topics that become a webhook event of the same name (plus the derived
# `conversation.resolved`); topics of other modules plug in by being listed in EVENT_TYPES.
DEFAULT_SCHEDULE = (60, 300, 900, 3600, 7200, 14400, 28800, 43200, 86400)  # 51 h in all
STALE_SENDING = timedelta(minutes=5)  # longer than any request may take (timeout 10 s)


class WebhookError(ValueError):
    """A subscription cannot be saved or a delivery cannot be redelivered; says why."""


def check_host(url: str, allowed: str) -> None:
    """Refuse URLs on private, loopback or link-local addresses unless their host is listed
    in WEBHOOK_ALLOW_HOSTS (`allowed`, comma-separated): a webhook must not become a way to
    reach the server's own network. Checked on save and again before every attempt (DNS may
    change in between)."""
    host = (urlsplit(url).hostname or "").lower()
    listed = {h.strip().lower() for h in allowed.split(",") if h.strip()}
    if host and host not in listed and not host_is_public(host):
        raise WebhookError(
            Words(
                f"{host} is a private or local address; an administrator can allow it "
                "with WEBHOOK_ALLOW_HOSTS",
                f"{host}은(는) 사설 또는 로컬 주소입니다. 관리자가 WEBHOOK_ALLOW_HOSTS로 "
                "허용할 수 있습니다",
            )
        )


# ---- subscriptions ------------------------------------------------------------------------


def create_subscription(
    session: Session,
    vault: Vault,
    *,
    name: str,
    url: str,
    event_types: list[str],
    actor: User | None,
) -> tuple[WebhookSubscription, str]:
    """The new subscription and its plain secret, which is never readable again."""
    secret = new_secret()
    subscription = WebhookSubscription(
        name=_name(name),
        url=_url(url),
        event_types=_types(event_types),
        secret_sealed=seal_secret(vault, secret),
    )
    session.add(subscription)
    session.flush()
    record(session, actor.id if actor else None, "webhook.create", "webhook", subscription.id)
    return subscription, secret


def update_subscription(
    session: Session,
    subscription: WebhookSubscription,
    *,
    actor: User | None,
    name: str | None = None,
    url: str | None = None,
    event_types: list[str] | None = None,
) -> None:
    if name is not None:
        subscription.name = _name(name)
    if url is not None:
        subscription.url = _url(url)
    if event_types is not None:
        subscription.event_types = _types(event_types)
    record(session, actor.id if actor else None, "webhook.update", "webhook", subscription.id)


def rotate_secret(
    session: Session, vault: Vault, subscription: WebhookSubscription, actor: User | None
) -> str:
    """A new secret, returned in plain this once; deliveries signed from now on use it."""
    secret = new_secret()
    subscription.secret_sealed = seal_secret(vault, secret)
    record(session, actor.id if actor else None, "webhook.secret", "webhook", subscription.id)
    return secret


def seal_secret(vault: Vault, secret: str) -> bytes:
    return vault.seal({"secret": secret})


def open_secret(vault: Vault, subscription: WebhookSubscription) -> str:
    return vault.open(subscription.secret_sealed).get("secret", "")


def delete_subscription(
    session: Session, subscription: WebhookSubscription, actor: User | None
) -> None:
    record(
        session,
        actor.id if actor else None,
        "webhook.delete",
        "webhook",
        subscription.id,
        {"url": subscription.url},
    )
    session.delete(subscription)


def enable(session: Session, subscription: WebhookSubscription, actor: User | None) -> int:
    """Turn a disabled subscription back on; its waiting deliveries go out now. How many."""
    subscription.active = True
    subscription.disabled_reason = None
    subscription.disabled_at = None
    record(session, actor.id if actor else None, "webhook.enable", "webhook", subscription.id)
    waiting = session.scalars(
        select(WebhookDelivery).where(
            WebhookDelivery.subscription_id == subscription.id,
            WebhookDelivery.status == "pending",
        )
    ).all()
    now = utcnow()
    for delivery in waiting:
        delivery.next_attempt_at = now
        _schedule(session, delivery)
    return len(waiting)


def disable(
    session: Session, subscription: WebhookSubscription, reason: str, actor: User | None = None
) -> None:
    if not subscription.active:
        return
    subscription.active = False
    subscription.disabled_reason = reason
    subscription.disabled_at = utcnow()
    record(
        session,
        actor.id if actor else None,
        "webhook.disable",
        "webhook",
        subscription.id,
        {"reason": reason},
    )
    emit(
        session,
        "webhook.disabled",
        subscription_id=subscription.id,
        reason=f"{subscription.name}: {reason}",
    )


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(24)


def _name(name: str) -> str:
    name = name.strip()
    if not name:
        raise WebhookError(Words("a webhook needs a name", "웹훅 이름을 적으세요"))
    return name[:100]


def _url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError(
            Words(
                "the URL must start with http:// or https:// and name a host",
                "URL은 http:// 또는 https://로 시작하고 호스트가 있어야 합니다",
            )
        )
    return url


def _types(event_types: list[str]) -> list[str]:
    chosen = sorted({t.strip() for t in event_types if t.strip()})
    unknown = [t for t in chosen if t not in EVENT_TYPES]
    if unknown:
        raise WebhookError(f"unknown event types: {', '.join(unknown)}")
    if not chosen:
        raise WebhookError(
            Words("choose at least one event type", "이벤트 종류를 하나 이상 고르세요")
        )
    return chosen


# ---- producing deliveries -----------------------------------------------------------------


def react(session: Session, events: list[dict[str, Any]]) -> None:
    """Store one delivery per (event, subscribed subscription), in the event's transaction."""
    wanted = [(event, kinds) for event in events if (kinds := webhook_types(event))]
    if not wanted:
        return
    subscriptions = session.scalars(
        select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
    ).all()
    if not subscriptions:
        return
    for event, kinds in wanted:
        for kind in kinds:
            targets = [s for s in subscriptions if kind in s.event_types]
            if not targets:
                continue
            data = snapshot(session, event)
            if data is None:
                continue
            for subscription in targets:
                enqueue_delivery(session, subscription, kind, data)


def webhook_types(event: dict[str, Any]) -> list[str]:
    """The webhook event types a domain event stands for (none for most topics)."""
    topic = event.get("topic")
    if topic == "message.created":
        return ["message.created"] if event.get("direction") in ("inbound", "outbound") else []
    if topic == "conversation.updated" and event.get("previous_status") is not None:
        resolved = event.get("status") == "resolved" and event["previous_status"] != "resolved"
        return ["conversation.updated", *(["conversation.resolved"] if resolved else [])]
    if topic in EVENT_TYPES and topic != "conversation.resolved":
        return [str(topic)]
    return []


def snapshot(session: Session, event: dict[str, Any]) -> dict[str, Any] | None:
    """What the integrator receives: the state as of this transaction, ids and text only."""
    data: dict[str, Any] = {}
    conversation_id = event.get("conversation_id")
    if isinstance(conversation_id, int):
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            return None
        data["conversation"] = conversation_json(conversation)
    message_id = event.get("message_id")
    if isinstance(message_id, int):
        message = session.get(Message, message_id)
        if message is None:
            return None
        data["message"] = message_json(message)
    for key, value in event.items():
        if key not in ("topic", "conversation_id", "message_id") and _plain(value):
            data.setdefault(key, value)
    return data


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def enqueue_delivery(
    session: Session,
    subscription: WebhookSubscription,
    event_type: str,
    data: dict[str, Any],
    *,
    event_id: str | None = None,
    dedupe_key: str | None = None,
    redelivery_of: int | None = None,
) -> WebhookDelivery:
    event_id = event_id or str(uuid.uuid4())
    now = utcnow()
    delivery = WebhookDelivery(
        subscription_id=subscription.id,
        dedupe_key=dedupe_key or f"{subscription.id}:{event_id}",
        event_id=event_id,
        event_type=event_type,
        payload={"id": event_id, "type": event_type, "created_at": iso(now), "data": data},
        next_attempt_at=now,
        redelivery_of=redelivery_of,
    )
    session.add(delivery)
    session.flush()
    _schedule(session, delivery)
    return delivery


def send_test(session: Session, subscription: WebhookSubscription, actor: User | None) -> int:
    """A `ping` delivery, so an admin can check the endpoint and its signature check."""
    delivery = enqueue_delivery(
        session, subscription, "ping", {"subscription_id": subscription.id, "hello": True}
    )
    record(session, actor.id if actor else None, "webhook.ping", "webhook", subscription.id)
    return delivery.id


def redeliver(session: Session, original: WebhookDelivery, actor: User | None) -> WebhookDelivery:
    """A new delivery of the same event (same id, so receivers can tell) with fresh retries."""
    subscription = original.subscription
    if not subscription.active:
        raise WebhookError(
            Words("the webhook is disabled; enable it first", "꺼진 웹훅입니다. 먼저 켜세요")
        )
    root = original.redelivery_of or original.id
    count = session.scalar(select(func.count()).where(WebhookDelivery.redelivery_of == root))
    copy = enqueue_delivery(
        session,
        subscription,
        original.event_type,
        dict(original.payload.get("data") or {}),
        event_id=original.event_id,
        dedupe_key=f"{subscription.id}:{original.event_id}:re{(count or 0) + 1}",
        redelivery_of=root,
    )
    record(
        session,
        actor.id if actor else None,
        "webhook.redeliver",
        "webhook_delivery",
        original.id,
        {"new_delivery_id": copy.id},
    )
    return copy


def _schedule(session: Session, delivery: WebhookDelivery) -> None:
    after_commit(
        session,
        "workers.outgoing.deliver",
        delivery.id,
        at=delivery.next_attempt_at,
        queue="send",
        job_id=f"webhook:{delivery.id}:{delivery.attempts + 1}",
    )


# ---- sending --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Claimed:
    """Everything the job needs to post one attempt; no ORM object leaves the session."""

    delivery_id: int
    number: int
    url: str
    body: bytes
    headers: dict[str, str]


def claim(session: Session, delivery_id: int, now: datetime, vault: Vault) -> Claimed | None:
    """pending and due → sending, one attempt more; None if not due, done or taken."""
    active = select(WebhookSubscription.id).where(WebhookSubscription.active.is_(True))
    result = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now + timedelta(seconds=5),
            WebhookDelivery.subscription_id.in_(active),
        )
        .values(status="sending", sending_started_at=now, attempts=WebhookDelivery.attempts + 1)
    )
    if not getattr(result, "rowcount", 0):
        return None
    delivery = session.get(WebhookDelivery, delivery_id, populate_existing=True)
    assert delivery is not None
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Claimed(
        delivery_id=delivery.id,
        number=delivery.attempts,
        url=delivery.subscription.url,
        body=body,
        headers=signed_headers(open_secret(vault, delivery.subscription), body, delivery, now),
    )


def signed_headers(
    secret: str, body: bytes, delivery: WebhookDelivery, now: datetime
) -> dict[str, str]:
    """`X-Switchboard-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>." + body>`."""
    timestamp = str(int(now.timestamp()))
    return {
        "Content-Type": "application/json",
        "User-Agent": "Switchboard-Webhooks/1",
        "X-Switchboard-Event": delivery.event_type,
        "X-Switchboard-Delivery": delivery.event_id,
        "X-Switchboard-Signature": f"t={timestamp},v1={sign(secret, timestamp, body)}",
    }


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(secret: str, header: str, body: bytes) -> bool:
    """What a receiver does (documented for integrators, used by the tests)."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    expected = sign(secret, fields.get("t", ""), body)
    return hmac.compare_digest(expected, fields.get("v1", ""))


@dataclass(frozen=True, slots=True)
class Outcome:
    status_code: int | None
    error: str | None
    response_excerpt: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def record_attempt(
    session: Session,
    claimed: Claimed,
    outcome: Outcome,
    now: datetime,
    schedule: tuple[float, ...] = DEFAULT_SCHEDULE,
) -> str:
    """Write attempt `claimed.number` once, then deliver, retry later or give up.

    Returns the delivery's new status; "duplicate" when this attempt was already recorded.
    """
    inserted = insert_ignore(
        session,
        WebhookAttempt.__table__,
        {
            "delivery_id": claimed.delivery_id,
            "number": claimed.number,
            "at": now,
            "status_code": outcome.status_code,
            "error": outcome.error,
            "response_excerpt": outcome.response_excerpt,
            "duration_ms": outcome.duration_ms,
        },
        ["delivery_id", "number"],
    )
    delivery = session.get(WebhookDelivery, claimed.delivery_id, populate_existing=True)
    if not inserted or delivery is None or delivery.attempts != claimed.number:
        return "duplicate"
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    delivery.sending_started_at = None
    if outcome.ok:
        delivery.status = "delivered"
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts <= len(schedule):
        delivery.status = "pending"
        delivery.next_attempt_at = now + timedelta(seconds=schedule[delivery.attempts - 1])
        _schedule(session, delivery)
    else:
        delivery.status = "failed"
        delivery.next_attempt_at = None
        what = f"HTTP {outcome.status_code}" if outcome.status_code else (outcome.error or "error")
        disable(
            session,
            delivery.subscription,
            f"delivery {delivery.id} failed {delivery.attempts} times since "
            f"{iso(delivery.created_at)}; last: {what}",
        )
    emit(
        session,
        "webhook.delivery_updated",
        subscription_id=delivery.subscription_id,
        delivery_id=delivery.id,
    )
    return delivery.status


def due_for_sweep(session: Session, now: datetime, stale: datetime) -> list[int]:
    """Deliveries whose job may be lost: due before `stale`, or stuck sending too long.

    A stuck `sending` attempt is recorded as unknown and retried: receivers dedupe on
    X-Switchboard-Delivery, so at-least-once is the promise, never silence.
    """
    stuck = session.scalars(
        select(WebhookDelivery).where(
            WebhookDelivery.status == "sending",
            WebhookDelivery.sending_started_at <= now - STALE_SENDING,
        )
    ).all()
    for delivery in stuck:
        insert_ignore(
            session,
            WebhookAttempt.__table__,
            {
                "delivery_id": delivery.id,
                "number": delivery.attempts,
                "at": now,
                "error": "outcome unknown: the worker stopped while sending",
            },
            ["delivery_id", "number"],
        )
        delivery.status = "pending"
        delivery.next_attempt_at = now
    due = session.scalars(
        select(WebhookDelivery.id)
        .join(WebhookSubscription)
        .where(
            WebhookSubscription.active.is_(True),
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= stale,
        )
        .order_by(WebhookDelivery.id)
        .limit(5000)
    ).all()
    return sorted({*due, *(d.id for d in stuck)})


def parse_schedule(text: str) -> tuple[float, ...]:
    """WEBHOOK_RETRY_SCHEDULE: seconds between attempts, comma-separated."""
    try:
        values = tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError as exc:
        raise ValueError(
            f"WEBHOOK_RETRY_SCHEDULE must be seconds, comma-separated: {text!r}"
        ) from exc
    return values or DEFAULT_SCHEDULE
