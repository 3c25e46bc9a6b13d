"""What the admin page and the REST API do with outgoing-webhook subscriptions, said once.

Both take the same fields (a form is turned into the API's JSON shape first), check the URL's
host against WEBHOOK_ALLOW_HOSTS, and show the signing secret only in the answer that made it:
it is sealed at rest (inbox/outgoing_webhooks.py) and cannot be shown again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.crypto import Vault
from inbox.models import User
from inbox.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookSubscription
from inbox.outgoing_webhooks import (
    check_host,
    create_subscription,
    disable,
    enable,
    rotate_secret,
    update_subscription,
)
from inbox.serialize import iso

FIELDS = ("name", "url", "event_types", "active", "rotate_secret")


@dataclass(frozen=True, slots=True)
class Saved:
    subscription: WebhookSubscription
    secret: str | None  # the plain secret when this save made one, else None
    enabled: int = 0  # waiting deliveries sent again because it was enabled now


def save_subscription(
    session: Session,
    vault: Vault,
    data: Mapping[str, Any],
    *,
    allowed_hosts: str,
    actor: User,
    subscription: WebhookSubscription | None = None,
    disabled_reason: str | None = None,
) -> Saved:
    """Create (no `subscription`) or change one; raise WebhookError saying what is wrong.

    `data` has the API's fields (FIELDS); absent ones are left as they are.
    """
    url = data.get("url")
    if subscription is None:
        check_host(str(url or ""), allowed_hosts)
        created, secret = create_subscription(
            session,
            vault,
            name=str(data.get("name") or ""),
            url=str(url or ""),
            event_types=[str(t) for t in data.get("event_types") or []],
            actor=actor,
        )
        return Saved(created, secret)
    if url is not None:
        check_host(str(url), allowed_hosts)
    update_subscription(
        session,
        subscription,
        actor=actor,
        name=data.get("name"),
        url=url,
        event_types=data.get("event_types"),
    )
    enabled = 0
    if data.get("active") is True and not subscription.active:
        enabled = enable(session, subscription, actor)
    elif data.get("active") is False:
        disable(session, subscription, disabled_reason or f"disabled by {actor.name}", actor)
    new_secret = None
    if data.get("rotate_secret"):
        new_secret = rotate_secret(session, vault, subscription, actor)
    return Saved(subscription, new_secret, enabled)


def delivery_log(
    session: Session, subscription_id: int, *, before: int | None, limit: int
) -> list[tuple[WebhookDelivery, list[WebhookAttempt]]]:
    """Up to `limit` deliveries older than `before`, newest first, each with its attempts."""
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    if before is not None:
        query = query.where(WebhookDelivery.id < before)
    rows = list(session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)))
    attempts: dict[int, list[WebhookAttempt]] = {d.id: [] for d in rows}
    for attempt in session.scalars(
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_(list(attempts)))
        .order_by(WebhookAttempt.number)
    ):
        attempts[attempt.delivery_id].append(attempt)
    return [(d, attempts[d.id]) for d in rows]


def subscription_json(s: WebhookSubscription, *, secret: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": s.id,
        "name": s.name,
        "url": s.url,
        "event_types": list(s.event_types),
        "active": s.active,
        "disabled_reason": s.disabled_reason,
        "disabled_at": iso(s.disabled_at),
        "created_at": iso(s.created_at),
    }
    if secret is not None:
        body["secret"] = secret
    return body


def delivery_json(d: WebhookDelivery, attempts: list[WebhookAttempt]) -> dict[str, Any]:
    return {
        "id": d.id,
        "event_id": d.event_id,
        "event_type": d.event_type,
        "status": d.status,
        "attempts": [
            {
                "number": a.number,
                "at": iso(a.at),
                "status_code": a.status_code,
                "error": a.error,
                "duration_ms": a.duration_ms,
            }
            for a in attempts
        ],
        "next_attempt_at": iso(d.next_attempt_at) if d.status == "pending" else None,
        "redelivery_of": d.redelivery_of,
        "created_at": iso(d.created_at),
        "delivered_at": iso(d.delivered_at),
        "payload": d.payload,
    }
