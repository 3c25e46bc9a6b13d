"""Admin → Outgoing webhooks: subscriptions, their secret, the delivery log with each
attempt's response code, redeliver, test ping, and the notice when one was disabled."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from inbox.models.webhooks import WebhookDelivery, WebhookSubscription
from inbox.outgoing_webhooks import (
    EVENT_TYPES,
    WebhookError,
    delete_subscription,
    redeliver,
    send_test,
)
from inbox.webhook_admin import Saved, delivery_log, save_subscription
from web.runtime import current_runtime
from web.ui.admin import bp
from web.ui.common import roles, user_row
from web.ui.text import say

LOG_PAGE = 50


def _form_data(action: str) -> dict[str, Any]:
    """The form's fields in the API's shape (inbox/webhook_admin.py takes both)."""
    if action == "enable":
        return {"active": True}
    if action == "disable":
        return {"active": False}
    if action == "secret":
        return {"rotate_secret": True}
    return {
        "name": request.form.get("name", ""),
        "url": request.form.get("url", ""),
        "event_types": request.form.getlist("event_types"),
    }


def _save(db: Session, action: str, subscription: WebhookSubscription | None = None) -> Saved:
    rt = current_runtime()
    actor = user_row(db)
    return save_subscription(
        db,
        rt.vault,
        _form_data(action),
        allowed_hosts=rt.settings.get("WEBHOOK_ALLOW_HOSTS", ""),
        actor=actor,
        subscription=subscription,
        disabled_reason=_("disabled by %(name)s", name=actor.name),
    )


@bp.get("/webhooks")
@roles("admin")
def webhooks() -> str:
    with current_runtime().db.session() as db:
        subscriptions = db.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id))
        counts: dict[int, int] = {
            row[0]: row[1]
            for row in db.execute(
                select(WebhookDelivery.subscription_id, func.count())
                .where(WebhookDelivery.status.in_(("pending", "sending")))
                .group_by(WebhookDelivery.subscription_id)
            )
        }
        return render_template(
            "ui/admin/webhooks.html",
            subscriptions=list(subscriptions),
            waiting=counts,
            event_types=EVENT_TYPES,
        )


@bp.post("/webhooks")
@roles("admin")
def webhook_create() -> Response | str:
    """Answers with the new webhook's page itself: the only time its secret is shown."""
    with current_runtime().db.session() as db:
        try:
            saved = _save(db, "save")
        except WebhookError as exc:
            db.rollback()
            flash(say(exc), "error")
            return redirect(url_for("admin.webhooks"))
        flash(_("Saved. Copy the signing secret now: it is shown only this once."), "ok")
        return _detail(db, saved.subscription, new_secret=saved.secret)


@bp.get("/webhooks/<int:subscription_id>")
@roles("admin")
def webhook(subscription_id: int) -> str:
    with current_runtime().db.session() as db:
        return _detail(db, db.get(WebhookSubscription, subscription_id) or abort(404))


def _detail(db: Session, subscription: WebhookSubscription, new_secret: str | None = None) -> str:
    before = request.args.get("before", "")
    log = delivery_log(
        db, subscription.id, before=int(before) if before.isdigit() else None, limit=LOG_PAGE
    )
    return render_template(
        "ui/admin/webhook.html",
        subscription=subscription,
        deliveries=[d for d, _attempts in log],
        attempts={d.id: attempts for d, attempts in log},
        event_types=EVENT_TYPES,
        next_before=log[-1][0].id if len(log) == LOG_PAGE else None,
        new_secret=new_secret,
    )


@bp.post("/webhooks/<int:subscription_id>")
@roles("admin")
def webhook_action(subscription_id: int) -> Response | str:
    """One form per button: save, ping, enable, disable, new secret, delete."""
    action = request.form.get("action", "save")
    back = url_for("admin.webhook", subscription_id=subscription_id)
    with current_runtime().db.session() as db:
        subscription = db.get(WebhookSubscription, subscription_id) or abort(404)
        try:
            if action in ("save", "enable", "disable", "secret"):
                saved = _save(db, action, subscription)
                if action == "secret":
                    flash(_("New signing secret made; update the receiver."), "ok")
                    return _detail(db, subscription, new_secret=saved.secret)
                if action == "enable":
                    count = saved.enabled
                    flash(_("Enabled; %(count)s waiting deliveries go out now.", count=count), "ok")
                else:
                    flash(_("Saved.") if action == "save" else _("Disabled."), "ok")
            elif action == "ping":
                send_test(db, subscription, user_row(db))
                flash(_("Test event queued; it appears in the log below."), "ok")
            elif action == "delete":
                delete_subscription(db, subscription, user_row(db))
                flash(_("Deleted."), "ok")
                back = url_for("admin.webhooks")
            else:
                abort(400)
        except WebhookError as exc:
            db.rollback()
            flash(say(exc), "error")
    return redirect(back)


@bp.post("/webhooks/deliveries/<int:delivery_id>/redeliver")
@roles("admin")
def webhook_redeliver(delivery_id: int) -> Response:
    with current_runtime().db.session() as db:
        delivery = db.get(WebhookDelivery, delivery_id) or abort(404)
        subscription_id = delivery.subscription_id
        try:
            redeliver(db, delivery, user_row(db))
        except WebhookError as exc:
            db.rollback()
            flash(say(exc), "error")
        else:
            flash(_("Redelivery queued."), "ok")
    return redirect(url_for("admin.webhook", subscription_id=subscription_id))
