"""What agents do in a thread: reply, note, change, retry, contact edits, attachments.

Every change goes through an inbox/ function; views only parse the form, check access and
redirect back (POST → redirect → GET), so a reload never repeats an action.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from flask import (
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from connectors import behaviour
from connectors.base import Attachment as AttachmentIn
from connectors.base import PlaceCall
from inbox import calls
from inbox.access import can_see, can_see_contact
from inbox.contacts import merge_contacts, update_contact
from inbox.conversations import Change, apply_change
from inbox.faq import evidence
from inbox.models import Attachment, Conversation, Message, User
from inbox.presence import typing
from inbox.replies import Draft, ReplyRefused, create_reply, retry_failed
from inbox.selfservice import detect_locale, latest_customer_text
from web.downloads import content_disposition
from web.replying import attachment_limits, check_reply, enqueue_send
from web.runtime import current_runtime
from web.ui.common import refusal, roles, thread_contact, user_row, visible_conversation
from web.ui.inbox import (
    AGENTS,
    ListArgs,
    bp,
    htmx_request,
    messages_after,
    sidebar_context,
    thread_context,
)
from web.ui.snooze import preset_time, zone_of
from web.ui.text import say

# Raster formats a browser shows without running anything; everything else is downloaded.
# Shown in the page (images) or played in it (voicemail recordings); all else downloads.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "audio/wav", "audio/mpeg"}


def _back(conversation_id: int) -> BaseResponse:
    target = request.form.get("back") or ""
    if not target.startswith("/inbox/c/") or target.startswith("//"):
        target = url_for("inbox.thread", conversation_id=conversation_id)
    return redirect(target)


@bp.post("/c/<int:conversation_id>/reply")
@roles(*AGENTS)
def reply(conversation_id: int) -> BaseResponse:
    rt = current_runtime()
    private = request.form.get("mode") == "note"
    text = request.form.get("text", "")
    template = _template_choice()
    with rt.db.session() as db:
        user = user_row(db)
        conversation = visible_conversation(db, user, conversation_id)
        if not private:
            chosen = any(f.filename for f in request.files.getlist("attachments"))
            check = check_reply(rt, conversation, text, template, with_files=chosen)
            if check.problem:
                flash(_("Not sent: %(reason)s", reason=check.problem), "error")
                return _back(conversation_id)
            text = check.text if check.text is not None else text
        draft = _draft(text, private=private)
        if template is not None and not private:
            draft = replace(draft, options={"template": template})
        try:
            message, created = create_reply(
                db,
                conversation,
                user,
                draft,
                store=rt.store,
                max_chars=rt.settings.int("MESSAGE_MAX_CHARS"),
                attachment_limits=attachment_limits(rt, conversation),
            )
        except ReplyRefused as exc:
            db.rollback()
            flash(refusal(exc), "error")
            return _back(conversation_id)
        faq_slug = request.form.get("faq_slug", "").strip()
        question = latest_customer_text(db, conversation.id) if faq_slug else None
        if created and not private and faq_slug and question:
            # The agent answered this customer's words with that article: learn the phrasing.
            evidence.record(
                db,
                faq_slug,
                question,
                locale=detect_locale(question),
                source=evidence.AGENT,
                conversation_id=conversation.id,
                user_id=user.id,
            )
        message_id = message.id
    if created and not private and not enqueue_send(rt, message_id):
        flash(_("Saved; it will be sent in a moment."), "info")
    return _back(conversation_id)


def _template_choice() -> dict[str, Any] | None:
    """The composer's template form: `template_key` and one `template_var` per variable."""
    key = request.form.get("template_key")
    if not key:
        return None
    return {"key": key, "variables": request.form.getlist("template_var")}


def _draft(text: str, *, private: bool) -> Draft:
    form = request.form
    if private:
        return Draft(text=text, private=True, idempotency_key=form.get("idempotency_key") or None)
    return Draft(
        text=text,
        idempotency_key=form.get("idempotency_key") or None,
        subject=form.get("subject") or None,
        cc=tuple(a.strip() for a in form.get("cc", "").split(",") if a.strip()),
        private_reply=form.get("private_reply") == "1",
        attachments=_uploads(),
    )


def _uploads() -> tuple[AttachmentIn, ...]:
    """The chosen files as the browser named them; inbox/replies.py types them by their
    bytes and checks them against the channel's limits."""
    files = []
    for upload in request.files.getlist("attachments"):
        if not upload.filename:
            continue
        data = upload.read()
        files.append(
            AttachmentIn(
                kind="file",
                filename=upload.filename,
                content_type=upload.mimetype,
                data=data,
                size=len(data),
            )
        )
    return tuple(files)


@bp.post("/c/<int:conversation_id>/update")
@roles(*AGENTS)
def update(conversation_id: int) -> BaseResponse | str:
    """One sidebar action. Without JS: POST → redirect → GET. From htmx: the thread parts and
    the sidebar as they are now, rendered in the same request (no second round trip)."""
    with current_runtime().db.session() as db:
        user = user_row(db)
        conversation = visible_conversation(db, user, conversation_id)
        try:
            apply_change(db, conversation, _change(user.id, user.timezone), actor=user)
        except (ValueError, LookupError) as exc:
            db.rollback()
            flash(say(exc), "error")
        if htmx_request():
            return _update_answer(db, user, conversation)
    return _back(conversation_id)


def _update_answer(db: Session, user: User, conversation: Conversation) -> BaseResponse | str:
    """htmx's answer to a sidebar action, rendered in the same request. The page names the
    newest message it shows (`after`, web/static/app.js): then only the header, the sidebar
    and the event lines the action added (_sidebar_update.html), whatever the thread's length
    (re-rendering up to 300 messages was most of an action's time); without it, or when more
    than a thread's worth came since, the whole thread parts as before."""
    args = ListArgs.from_back(request.form.get("back") or "")
    after = request.form.get("after", type=int)
    fresh = messages_after(db, user, conversation, after) if after is not None else None
    if fresh is None:
        return render_template(
            "ui/_thread_update.html", args=args, **thread_context(db, user, conversation)
        )
    answer = make_response(
        render_template(
            "ui/_sidebar_update.html", args=args, **sidebar_context(db, user, conversation), **fresh
        )
    )
    # All of it is out of band: the form's target (#thread-parts) must stay as it is, not be
    # emptied by the nothing that is left for it.
    answer.headers["HX-Reswap"] = "none"
    return answer


def _change(my_id: int, zone: str) -> Change:
    """Read one action form: each form carries only the fields it changes."""
    form = request.form
    assignee = form.get("assignee")
    team = form.get("team")
    status = form.get("status") or None
    return Change(
        status=status,
        snoozed_until=_snooze_until(form, zone) if status == "snoozed" else None,
        assignee_id=(my_id if assignee == "me" else int(assignee or 0))
        if assignee is not None
        else None,
        team_id=int(team or 0) if team is not None else None,
        priority=form.get("priority") or None,
        category=form.get("category") if "category" in form else None,
        labels=_labels(),
        resolution_summary=form.get("summary") if "summary" in form else None,
        follow_up_days=_days(form.get("follow_up_days")),
        follow_up_task=form.get("follow_up_task") or None,
    )


def _labels() -> tuple[str, ...] | None:
    """The labels a form sets: the old comma-separated box (`labels`), or the sidebar's picker
    (`labels_form`: the ticked `label`s, a `new_label`, minus the chip whose × was pressed)."""
    form = request.form
    if "labels" in form:
        return tuple(x.strip() for x in form.get("labels", "").split(",") if x.strip())
    if "labels_form" not in form:
        return None
    removed = form.get("remove_label")
    names = [n.strip() for n in form.getlist("label") if n.strip() and n.strip() != removed]
    names += [n.strip() for n in form.get("new_label", "").split(",") if n.strip()]
    return tuple(dict.fromkeys(names))


def _snooze_until(form: Any, zone: str) -> datetime | None:
    """A preset (`snooze`: 1h, tonight, ...) computed in the agent's zone, else `until`."""
    preset = form.get("snooze")
    if preset:
        try:
            return preset_time(preset, datetime.now(UTC), zone_of(zone))
        except ValueError:
            raise ValueError(_("That snooze time has passed; pick another.")) from None
    return _local_time(form.get("until"), zone)


def _days(value: str | None) -> int | None:
    if not value:
        return None
    if not value.isascii() or not value.isdigit():
        raise ValueError(_("Follow up in a whole number of days."))
    return int(value)


def _local_time(value: str | None, zone: str) -> datetime | None:
    """A datetime-local value typed in the agent's own zone, as aware UTC."""
    if not value:
        raise ValueError(_("Choose until when to snooze."))
    naive = datetime.fromisoformat(value)
    return naive.replace(tzinfo=zone_of(zone))


@bp.post("/c/<int:conversation_id>/typing")
@roles(*AGENTS)
def typing_ping(conversation_id: int) -> tuple[str, int]:
    with current_runtime().db.session() as db:
        user = user_row(db)
        conversation = visible_conversation(db, user, conversation_id)
        typing(db, conversation, user, mode=request.form.get("mode", "reply"))
    return "", 204


@bp.post("/c/<int:conversation_id>/call")
@roles(*AGENTS)
def call_customer(conversation_id: int) -> BaseResponse:
    """Click-to-call: stored as a call message, placed by a job (workers/phone.py)."""
    rt = current_runtime()
    with rt.db.session() as db:
        user = user_row(db)
        conversation = visible_conversation(db, user, conversation_id)
        if behaviour(rt.connector(conversation.account), PlaceCall) is None:
            abort(404)
        try:
            message = calls.request_call(db, conversation, user)
        except calls.CallRefused as exc:
            db.rollback()
            flash(_("Not called: %(reason)s", reason=say(exc)), "error")
            return _back(conversation_id)
        message_id = message.id
    try:
        rt.jobs.enqueue("workers.phone.place_call", message_id, queue="send")
    except Exception:  # the queue is down: say so on the call rather than leave it waiting
        with rt.db.session() as db:
            waiting = db.get(Message, message_id)
            if waiting is not None:
                calls.place_failed(db, waiting, "the job queue is unavailable: try again")
        flash(_("Not called: %(reason)s", reason=_("the job queue is unavailable")), "error")
        return _back(conversation_id)
    flash(_("Calling: your phone rings first."), "ok")
    return _back(conversation_id)


@bp.post("/c/<int:conversation_id>/log-call")
@roles(*AGENTS)
def log_call(conversation_id: int) -> BaseResponse:
    form = request.form
    with current_runtime().db.session() as db:
        user = user_row(db)
        conversation = visible_conversation(db, user, conversation_id)
        try:
            minutes = float(form.get("minutes") or 0)
            calls.log_call(
                db,
                conversation,
                user,
                direction=form.get("direction", ""),
                number=form.get("number", ""),
                seconds=round(minutes * 60),
                outcome=form.get("outcome", ""),
                notes=form.get("notes", ""),
                at=datetime.now(UTC),
            )
        except (calls.CallRefused, ValueError) as exc:
            db.rollback()
            flash(_("Not saved: %(reason)s", reason=say(exc)), "error")
            return _back(conversation_id)
    flash(_("Call logged."), "ok")
    return _back(conversation_id)


@bp.post("/m/<int:message_id>/retry")
@roles(*AGENTS)
def retry(message_id: int) -> BaseResponse:
    rt = current_runtime()
    with rt.db.session() as db:
        user = user_row(db)
        message = db.get(Message, message_id)
        if message is None or not can_see(db, user, message.conversation):
            abort(404)
        conversation_id = message.conversation_id
        try:
            retry_failed(db, message, user)
        except ReplyRefused as exc:
            db.rollback()
            flash(say(exc), "error")
            return _back(conversation_id)
    retry_job = f"send:{message_id}:retry:{datetime.now().timestamp()}"
    if not enqueue_send(rt, message_id, job_id=retry_job):
        flash(_("Saved; it will be sent in a moment."), "info")
    return _back(conversation_id)


@bp.get("/attachments/<int:attachment_id>")
@roles(*AGENTS)
def attachment(attachment_id: int) -> Response:
    rt = current_runtime()
    with rt.db.session() as db:
        user = user_row(db)
        row = db.get(Attachment, attachment_id)
        if row is None or row.sha256 is None or not can_see(db, user, row.message.conversation):
            abort(404)
        digest, filename, ctype = row.sha256, row.filename, row.content_type
    path = rt.store.path(digest)
    if not path.is_file():
        abort(404)
    inline = request.args.get("inline") == "1" and ctype in INLINE_TYPES
    response = send_file(path, mimetype=ctype if inline else "application/octet-stream", max_age=0)
    name = filename or f"attachment-{attachment_id}"
    response.headers["Content-Disposition"] = content_disposition(name, inline=inline)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/contacts/<int:contact_id>")
@roles(*AGENTS)
def edit_contact(contact_id: int) -> BaseResponse:
    conversation_id = request.form.get("conversation_id", type=int) or 0
    with current_runtime().db.session() as db:
        user = user_row(db)
        contact = thread_contact(db, user, conversation_id, contact_id)
        fields = ("name", "email", "phone", "notes")
        try:
            update_contact(db, contact, {f: request.form.get(f) for f in fields}, actor_id=user.id)
        except ValueError as exc:
            db.rollback()
            flash(say(exc), "error")
    return _back(conversation_id)


@bp.post("/contacts/<int:contact_id>/merge")
@roles(*AGENTS)
def merge_contact(contact_id: int) -> BaseResponse:
    """Merge another contact into this one; the agent must see every inbox of both."""
    conversation_id = request.form.get("conversation_id", type=int) or 0
    other_id = request.form.get("other_id", type=int) or 0
    with current_runtime().db.session() as db:
        user = user_row(db)
        conversation = visible_conversation(db, user, conversation_id)
        if (
            conversation.contact_id != contact_id
            or not can_see_contact(db, user, contact_id)
            or not can_see_contact(db, user, other_id)
        ):
            abort(404)
        try:
            merge_contacts(db, source_id=other_id, target_id=contact_id, actor_id=user.id)
        except (ValueError, LookupError) as exc:
            db.rollback()
            flash(say(exc), "error")
        else:
            flash(_("Contacts merged."), "ok")
    return _back(conversation_id)
