"""Marketer pages: compose with live per-platform checks, list and calendar, detail with
per-target status updating live (SSE), the comments each post drew, cancel, retry."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from inbox import announcements
from inbox.announcement_rules import RULES, Verdict
from inbox.announcements import AnnouncementRefused, PublishJob
from inbox.models import ChannelAccount, Message
from inbox.models.announcements import Announcement, AnnouncementImage, AnnouncementTarget
from switchboard.runtime import Runtime
from web.announcements.forms import ComposeForm, read_check, read_compose, zones
from web.announcements.serialize import announcement_json, verdict_json
from web.runtime import current_runtime
from web.ui.common import me, roles, user_row
from web.ui.text import say
from workers.publish import enqueue

bp = Blueprint("announcements", __name__, url_prefix="/announcements")
media_bp = Blueprint("announcement_media", __name__)

MARKETERS = ("marketer", "admin")
PAGE = 25


def _rt() -> Runtime:
    return current_runtime()


@bp.get("/")
@roles(*MARKETERS)
def index() -> str:
    cursor = request.args.get("cursor", "")
    zone = me().timezone or announcements.DEFAULT_ZONE
    with _rt().db.session() as db:
        upcoming = list(
            db.scalars(
                select(Announcement)
                .where(Announcement.status.in_(("scheduled", "draft")))
                .order_by(Announcement.scheduled_at.is_(None), Announcement.scheduled_at)
                .limit(200)
            )
        )
        query = select(Announcement).where(
            Announcement.status.in_(("publishing", "done", "cancelled"))
        )
        if cursor.isascii() and cursor.isdigit():
            query = query.where(Announcement.id < int(cursor))
        past = list(db.scalars(query.order_by(Announcement.id.desc()).limit(PAGE + 1)))
        days = [
            (day, list(items))
            for day, items in groupby(
                (a for a in upcoming if a.scheduled_at is not None),
                key=lambda a: announcements.to_local(a.scheduled_at, zone).date(),  # type: ignore[arg-type]
            )
        ]
        drafts = [a for a in upcoming if a.status == "draft"]
        return render_template(
            "announcements/index.html",
            days=days,
            drafts=drafts,
            past=past[:PAGE],
            next_cursor=past[PAGE - 1].id if len(past) > PAGE else None,
            zone=zone,
        )


@bp.route("/new", methods=["GET", "POST"])
@roles(*MARKETERS)
def compose() -> str | Response | tuple[str, int]:
    if request.method == "GET":
        return _compose_page(None, None, None)
    form = read_compose(request.form, request.files, me().timezone or "Asia/Seoul")
    rt = _rt()
    with rt.db.session() as db:
        user = user_row(db)
        try:
            announcement = announcements.create(db, user, form.draft, store=rt.store)
            jobs = _schedule(db, announcement, user, form)
        except AnnouncementRefused as exc:
            db.rollback()
            return _compose_page(None, form, exc.verdict), 422
        announcement_id = announcement.id
    enqueue(rt, jobs)
    return redirect(url_for("announcements.show", announcement_id=announcement_id))


@bp.route("/<int:announcement_id>/edit", methods=["GET", "POST"])
@roles(*MARKETERS)
def edit(announcement_id: int) -> str | Response | tuple[str, int]:
    rt = _rt()
    if request.method == "GET":
        return _compose_page(announcement_id, None, None)
    form = read_compose(request.form, request.files, me().timezone or "Asia/Seoul")
    with rt.db.session() as db:
        announcement = _get(db, announcement_id)
        user = user_row(db)
        try:
            jobs = announcements.update(db, announcement, user, form.draft, store=rt.store)
            if form.action != "draft":
                jobs = _schedule(db, announcement, user, form)
        except AnnouncementRefused as exc:
            db.rollback()
            return _compose_page(announcement_id, form, exc.verdict), 422
    enqueue(rt, jobs)
    return redirect(url_for("announcements.show", announcement_id=announcement_id))


def _schedule(
    db: Session, announcement: Announcement, user: Any, form: ComposeForm
) -> list[PublishJob]:
    if form.action == "draft":
        return []
    if form.problem:
        raise AnnouncementRefused(form.problem)
    now = datetime.now(UTC)
    at = form.at if form.action == "schedule" else None
    return announcements.schedule(db, announcement, user, at, now=now, zone=form.zone)


def _compose_page(
    announcement_id: int | None, form: ComposeForm | None, verdict: Verdict | None
) -> str:
    zone = (form.zone if form else None) or me().timezone or "Asia/Seoul"
    with _rt().db.session() as db:
        accounts = list(
            db.scalars(
                select(ChannelAccount)
                .where(ChannelAccount.enabled.is_(True), ChannelAccount.channel.in_(list(RULES)))
                .order_by(ChannelAccount.channel, ChannelAccount.name)
            )
        )
        announcement = _get(db, announcement_id) if announcement_id is not None else None
        values = _values(announcement, form, zone)
        return render_template(
            "announcements/compose.html",
            announcement=announcement,
            accounts=accounts,
            values=values,
            verdict=verdict_json(verdict, say) if verdict else None,
            zones=zones(zone),
            rules=RULES,
        )


def _values(announcement: Announcement | None, form: ComposeForm | None, zone: str) -> Any:
    if form is not None:
        return {
            "title": form.draft.title or "",
            "text": form.draft.text,
            "link": form.draft.link or "",
            "targets": dict(form.draft.targets),
            "local_time": form.local_time,
            "zone": form.zone,
            "keep": set(form.draft.keep_images or ()),
        }
    if announcement is not None:
        local = ""
        if announcement.scheduled_at is not None:
            local = announcements.to_local(announcement.scheduled_at, zone).strftime(
                "%Y-%m-%dT%H:%M"
            )
        return {
            "title": announcement.title or "",
            "text": announcement.text,
            "link": announcement.link or "",
            "targets": {t.channel_account_id: t.text_override for t in announcement.targets},
            "local_time": local,
            "zone": zone,
            "keep": {i.token for i in announcement.images},
        }
    return {"title": "", "text": "", "link": "", "targets": {}, "local_time": "", "zone": zone}


@bp.app_template_filter("ann_local")
def ann_local(value: datetime | None, zone: str) -> str:
    """A UTC time as wall-clock time in `zone` (the marketer's), e.g. 2026-12-01 09:00."""
    if value is None:
        return ""
    return announcements.to_local(value, zone).strftime("%Y-%m-%d %H:%M")


@bp.get("/<int:announcement_id>")
@roles(*MARKETERS)
def show(announcement_id: int) -> str:
    rt = _rt()
    with rt.db.session() as db:
        announcement = _get(db, announcement_id)
        comments = announcements.comments(db, announcement)
        return render_template(
            "announcements/show.html",
            announcement=announcement,
            comments=comments,
            previews=_previews(db, [c.id for c in comments]),
            zone=me().timezone or announcements.DEFAULT_ZONE,
            editable=announcement.status in announcements.EDITABLE,
            base_url=_base(rt),
        )


@bp.get("/<int:announcement_id>/status")
@roles(*MARKETERS)
def status(announcement_id: int) -> Response:
    rt = _rt()
    with rt.db.session() as db:
        return jsonify(announcement_json(_get(db, announcement_id), _base(rt)))


@bp.post("/<int:announcement_id>/schedule")
@roles(*MARKETERS)
def schedule(announcement_id: int) -> Response:
    """Schedule a saved draft (or publish it now) from its page."""
    rt = _rt()
    form = read_compose(request.form, request.files, me().timezone or "Asia/Seoul")
    jobs: list[PublishJob] = []
    with rt.db.session() as db:
        announcement = _get(db, announcement_id)
        try:
            jobs = _schedule(db, announcement, user_row(db), form)
        except AnnouncementRefused as exc:
            db.rollback()
            flash(_describe(exc), "error")
    enqueue(rt, jobs)
    return redirect(url_for("announcements.show", announcement_id=announcement_id))


@bp.post("/<int:announcement_id>/cancel")
@roles(*MARKETERS)
def cancel(announcement_id: int) -> Response:
    with _rt().db.session() as db:
        try:
            announcements.cancel(db, _get(db, announcement_id), user_row(db))
        except AnnouncementRefused as exc:
            db.rollback()
            flash(say(exc.reason), "error")
    return redirect(url_for("announcements.show", announcement_id=announcement_id))


@bp.post("/<int:announcement_id>/delete")
@roles(*MARKETERS)
def delete(announcement_id: int) -> Response:
    with _rt().db.session() as db:
        try:
            announcements.delete(db, _get(db, announcement_id), user_row(db))
        except AnnouncementRefused as exc:
            db.rollback()
            flash(say(exc.reason), "error")
            return redirect(url_for("announcements.show", announcement_id=announcement_id))
    return redirect(url_for("announcements.index"))


@bp.post("/targets/<int:target_id>/retry")
@roles(*MARKETERS)
def retry(target_id: int) -> Response:
    rt = _rt()
    jobs: list[PublishJob] = []
    with rt.db.session() as db:
        target = db.get(AnnouncementTarget, target_id)
        if target is None:
            abort(404)
        announcement_id = target.announcement_id
        try:
            jobs = [announcements.retry(db, target, user_row(db))]
        except AnnouncementRefused as exc:
            db.rollback()
            flash(say(exc.reason), "error")
    enqueue(rt, jobs)
    return redirect(url_for("announcements.show", announcement_id=announcement_id))


@bp.post("/check")
@roles(*MARKETERS)
def check() -> Response:
    """Live preview: per-target text as posted, count, errors and warnings."""
    text, link, targets, images = read_check(request.get_json(silent=True))
    with _rt().db.session() as db:
        verdict = announcements.check_parts(
            db, text=text, link=link, targets=targets, images=images
        )
        return jsonify(verdict_json(verdict, say))


@bp.get("/live")
@roles(*MARKETERS)
def live() -> Response:
    """Announcement events only: marketers do not see the inbox's traffic."""
    rt = _rt()
    return Response(
        stream_with_context(_events(rt)),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _events(rt: Runtime) -> Iterator[str]:
    keepalive = float(rt.settings.get("UI_SSE_KEEPALIVE_SECONDS", "15"))
    ends = time.monotonic() + float(rt.settings.get("UI_SSE_LIFETIME_SECONDS", "300"))
    yield "retry: 2000\n\n"
    for event in rt.bus.listen(timeout=keepalive):
        if time.monotonic() > ends:
            return
        if event is None:
            yield ": keep-alive\n\n"
            continue
        if str(event.get("topic", "")).startswith("announcement."):
            yield f"data: {json.dumps(event, ensure_ascii=False, default=str)}\n\n"


@media_bp.get("/media/announcements/<token>")
def image(token: str) -> Response:
    """Public on purpose: Meta and X fetch the image by URL; the token is unguessable."""
    rt = _rt()
    with rt.db.session() as db:
        found = db.scalars(select(AnnouncementImage).where(AnnouncementImage.token == token))
        row = found.first()
        if row is None:
            abort(404)
        path, content_type = rt.store.path(row.sha256), row.content_type
    response = send_file(path, mimetype=content_type, max_age=86400)
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


def _previews(db: Session, conversation_ids: list[int]) -> dict[int, str]:
    """The latest customer text of each comment conversation."""
    if not conversation_ids:
        return {}
    rows = db.execute(
        select(Message.conversation_id, Message.text)
        .where(Message.conversation_id.in_(conversation_ids), Message.direction == "inbound")
        .order_by(Message.id.desc())
    )
    found: dict[int, str] = {}
    for conversation_id, text in rows:
        found.setdefault(conversation_id, (text or "")[:280])
    return found


def _get(db: Session, announcement_id: int) -> Announcement:
    announcement = db.get(Announcement, announcement_id)
    if announcement is None:
        abort(404)
    return announcement


def _describe(exc: AnnouncementRefused) -> str:
    details = [*exc.verdict.general]
    for check_result in exc.verdict.targets.values():
        details.extend(check_result.errors)
    return "; ".join(dict.fromkeys(say(d) for d in details)) or say(exc.reason)


def _base(rt: Runtime) -> str:
    return rt.settings.get("PUBLIC_BASE_URL") or request.host_url.rstrip("/")
