"""Admin → Outgoing webhooks: subscriptions, their secret, the delivery log with each
attempt's response code, redeliver, test ping, and the notice when one was disabled."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from inbox.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookSubscription
from inbox.outgoing_webhooks import (
    EVENT_TYPES,
    WebhookError,
    check_host,
    create_subscription,
    delete_subscription,
    disable,
    enable,
    redeliver,
    rotate_secret,
    send_test,
    update_subscription,
)
from web.runtime import current_runtime
from web.ui.admin import bp
from web.ui.common import roles, user_row

LOG_PAGE = 50


def _allowed() -> str:
    return current_runtime().settings.get("WEBHOOK_ALLOW_HOSTS", "")


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
def webhook_create() -> Response:
    with current_runtime().db.session() as db:
        try:
            check_host(request.form.get("url", ""), _allowed())
            subscription = create_subscription(
                db,
                name=request.form.get("name", ""),
                url=request.form.get("url", ""),
                event_types=request.form.getlist("event_types"),
                actor=user_row(db),
            )
        except WebhookError as exc:
            db.rollback()
            flash(str(exc), "error")
            return redirect(url_for("admin.webhooks"))
        flash(_("Saved. The signing secret is on this page."), "ok")
        return redirect(url_for("admin.webhook", subscription_id=subscription.id))


@bp.get("/webhooks/<int:subscription_id>")
@roles("admin")
def webhook(subscription_id: int) -> str:
    before = request.args.get("before", "")
    with current_runtime().db.session() as db:
        subscription = db.get(WebhookSubscription, subscription_id) or abort(404)
        query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
        if before.isdigit():
            query = query.where(WebhookDelivery.id < int(before))
        deliveries = list(db.scalars(query.order_by(WebhookDelivery.id.desc()).limit(LOG_PAGE)))
        attempts: dict[int, list[WebhookAttempt]] = {d.id: [] for d in deliveries}
        for attempt in db.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(list(attempts)))
            .order_by(WebhookAttempt.number)
        ):
            attempts[attempt.delivery_id].append(attempt)
        return render_template(
            "ui/admin/webhook.html",
            subscription=subscription,
            deliveries=deliveries,
            attempts=attempts,
            event_types=EVENT_TYPES,
            next_before=deliveries[-1].id if len(deliveries) == LOG_PAGE else None,
        )


@bp.post("/webhooks/<int:subscription_id>")
@roles("admin")
def webhook_action(subscription_id: int) -> Response:
    """One form per button: save, ping, enable, disable, new secret, delete."""
    action = request.form.get("action", "save")
    back = url_for("admin.webhook", subscription_id=subscription_id)
    with current_runtime().db.session() as db:
        subscription = db.get(WebhookSubscription, subscription_id) or abort(404)
        actor = user_row(db)
        try:
            if action == "save":
                check_host(request.form.get("url", ""), _allowed())
                update_subscription(
                    db,
                    subscription,
                    actor=actor,
                    name=request.form.get("name", ""),
                    url=request.form.get("url", ""),
                    event_types=request.form.getlist("event_types"),
                )
                flash(_("Saved."), "ok")
            elif action == "ping":
                send_test(db, subscription, actor)
                flash(_("Test event queued; it appears in the log below."), "ok")
            elif action == "enable":
                count = enable(db, subscription, actor)
                flash(_("Enabled; %(count)s waiting deliveries go out now.", count=count), "ok")
            elif action == "disable":
                disable(db, subscription, _("disabled by %(name)s", name=actor.name), actor)
                flash(_("Disabled."), "ok")
            elif action == "secret":
                rotate_secret(db, subscription, actor)
                flash(_("New signing secret made; update the receiver."), "ok")
            elif action == "delete":
                delete_subscription(db, subscription, actor)
                flash(_("Deleted."), "ok")
                back = url_for("admin.webhooks")
            else:
                abort(400)
        except WebhookError as exc:
            db.rollback()
            flash(str(exc), "error")
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
            flash(str(exc), "error")
        else:
            flash(_("Redelivery queued."), "ok")
    return redirect(url_for("admin.webhook", subscription_id=subscription_id))
