"""Chat API routes: session, config, messages (send and long-poll), images, self-service."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime
from typing import Any

from flask import Response, jsonify, render_template, request
from sqlalchemy import select

from connectors.webchat import SessionClaims, issue_token
from connectors.webchat.tokens import new_session_id
from inbox import csat, selfservice
from inbox.models import ChannelAccount, utcnow
from inbox.models.reports import CsatSurvey
from switchboard.runtime import Runtime
from web.chat import bp
from web.chat.context import (
    ChatError,
    Widget,
    bearer_token,
    connector,
    fail,
    read_claims,
    runtime,
    visitor,
    widget,
)
from web.chat.delivery import (
    after_delivery,
    deliver,
    good_answers,
    prior_state,
    self_service_enabled,
    suggestion_json,
    wait_for_messages,
)
from web.chat.files import IMAGE_TYPES
from web.chat.hours import is_open
from web.chat.strings import message, pick_locale
from web.chat.transcript import (
    conversation_state,
    conversations_of,
)
from web.security import client_ip
from web.streams import streams

DEFAULT_IMAGE_MAX_BYTES = 5 * 1024 * 1024
MAX_WAIT_SECONDS = 25.0
BUSY_RETRY_SECONDS = 5  # a long-poll that found no free slot: the widget asks again then
_CLIENT_MSG_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,120}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,}$")


@bp.get("/demo")
def demo() -> str:
    """A pretend shop page embedding the widget with its one script tag (`switchboard demo`)."""
    widget_id = request.args.get("widget", "widget-main")
    return render_template("chat/demo.html", widget_id=widget_id)


@bp.get("/<widget_id>/config")
def config(widget_id: str) -> Response:
    found = widget(widget_id)
    rt = runtime()
    return jsonify(
        widget=found.external_id,
        name=found.options.get("title") or found.name,
        online=is_open(found.options.get("hours"), datetime.now(UTC)),
        self_service=self_service_enabled(found),
        max_chars=_max_chars(rt),
        image_max_bytes=_image_max_bytes(rt),
        image_types=sorted(IMAGE_TYPES),
        locale=found.options.get("locale"),
    )


@bp.post("/<widget_id>/session")
def start_session(widget_id: str) -> Response:
    """Start a session, or update the visitor's name/email/locale and keep the session."""
    found = widget(widget_id)
    payload = _json()
    token = bearer_token()
    previous = read_claims(token, found) if token else None
    claims = SessionClaims(
        widget=found.external_id,
        session_id=previous.session_id if previous else new_session_id(),
        name=_field(payload, "name", 200) or (previous.name if previous else None),
        email=_email(payload.get("email")) or (previous.email if previous else None),
        locale=pick_locale(payload.get("locale"), previous.locale if previous else None),
    )
    return jsonify(_session_json(found, claims))


@bp.get("/<widget_id>/session")
def show_session(widget_id: str) -> Response:
    """Resume after a reload: the visitor, the conversation state and any answers still open."""
    found, claims, _token = visitor(widget_id)
    suggestions: list[dict[str, Any]] = []
    with runtime().db.session() as session:
        conversations = conversations_of(session, found.id, claims.session_id)
        state = conversation_state(conversations)
        if conversations and conversations[-1].self_service == selfservice.OFFERED:
            text = selfservice.latest_customer_text(session, conversations[-1].id) or ""
            answers = good_answers(selfservice.answers_for(session, text))
            suggestions = [suggestion_json(a) for a in answers]
    return jsonify(
        session_id=claims.session_id,
        visitor={"name": claims.name, "email": claims.email},
        locale=claims.locale,
        conversation=state,
        suggestions=suggestions,
    )


@bp.post("/<widget_id>/messages")
def send_message(widget_id: str) -> Response:
    found, claims, token = visitor(widget_id)
    rt = runtime()
    payload = _json()
    client_msg_id = _client_msg_id(payload)
    text = payload.get("text")
    if not isinstance(text, str):
        fail(400, "bad_request", detail="text must be a string")
    _check_length(rt, text)
    line = {"v": 1, "type": "message", "client_msg_id": client_msg_id, "text": text}
    prior = prior_state(rt, found, claims)
    outcome = deliver(rt, found, claims, token, line, page_url=payload.get("page_url"))
    return jsonify(after_delivery(rt, found, claims, client_msg_id, outcome, prior))


@bp.post("/<widget_id>/attachments")
def send_attachment(widget_id: str) -> Response:
    """One image (multipart `file`, optional `caption`), checked by its bytes, not its name."""
    found, claims, token = visitor(widget_id)
    rt = runtime()
    client_msg_id = _client_msg_id(request.form)
    upload = request.files.get("file")
    if upload is None:
        fail(400, "bad_request", detail="no file")
    data = upload.read(_image_max_bytes(rt) + 1)
    if len(data) > _image_max_bytes(rt):
        fail(413, "file_too_large", limit_mb=_image_max_bytes(rt) // (1024 * 1024))
    content_type = _image_type(data)
    if content_type is None:
        fail(415, "file_type")
    caption = request.form.get("caption", "")
    _check_length(rt, caption)
    line = {
        "v": 1,
        "type": "attachment",
        "client_msg_id": client_msg_id,
        "caption": caption,
        "attachment": {
            # A form field keeps the name exact: browsers escape quotes in multipart headers.
            "filename": (request.form.get("filename") or upload.filename or "image")[:300],
            "content_type": content_type,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "data_b64": base64.b64encode(data).decode(),
        },
    }
    prior = prior_state(rt, found, claims)
    outcome = deliver(rt, found, claims, token, line, page_url=request.form.get("page_url"))
    result = after_delivery(rt, found, claims, client_msg_id, outcome, prior, offer=False)
    return jsonify(result)


@bp.post("/<widget_id>/offline")
def leave_message(widget_id: str) -> Response:
    """Outside opening hours: name, email and a message; agents answer when they are back."""
    found, claims, token = visitor(widget_id)
    rt = runtime()
    payload = _json()
    email = _email(payload.get("email"))
    if email is None:
        fail(400, "email_required")
    text = payload.get("text")
    if not isinstance(text, str) or not text.strip():
        fail(400, "empty")
    _check_length(rt, text)
    claims = SessionClaims(
        widget=claims.widget,
        session_id=claims.session_id,
        name=_field(payload, "name", 200) or claims.name,
        email=email,
        locale=claims.locale,
    )
    token = issue_token(connector(rt).secret, claims)
    client_msg_id = _client_msg_id(payload)
    line: dict[str, Any] = {
        "v": 1,
        "type": "message",
        "client_msg_id": client_msg_id,
        "text": text,
        "offline": True,
    }
    mailbox = _offline_mailbox(rt, found)
    if mailbox is not None:
        # Answered by email from that mailbox: the visitor is not waiting in the widget.
        line["reply_by_email"] = mailbox
        line["subject"] = message("offline_subject", claims.locale or "ko")
    prior = prior_state(rt, found, claims)
    outcome = deliver(rt, found, claims, token, line, page_url=payload.get("page_url"))
    if mailbox is None:
        result = after_delivery(rt, found, claims, client_msg_id, outcome, prior, offer=False)
    else:
        result = {"status": outcome, "client_msg_id": client_msg_id, "reply_by": "email"}
    result.update(_session_json(found, claims, token))
    return jsonify(result)


def _offline_mailbox(rt: Runtime, found: Widget) -> str | None:
    """The connected mailbox that answers offline messages (option offline_email_account)."""
    mailbox = found.options.get("offline_email_account")
    if not isinstance(mailbox, str) or not mailbox:
        return None
    with rt.db.session() as session:
        account = session.scalars(
            select(ChannelAccount).where(
                ChannelAccount.channel == "email",
                ChannelAccount.external_id == mailbox,
                ChannelAccount.enabled.is_(True),
            )
        ).first()
    return mailbox if account is not None else None  # else kept in the chat, never dropped


def _is_id(text: str) -> bool:
    """ASCII digits that fit a BIGINT: str.isdigit() also accepts "¹", which int() refuses."""
    return text.isascii() and text.isdigit() and len(text) <= 18


@bp.get("/<widget_id>/messages")
def poll_messages(widget_id: str) -> Response:
    """Messages after the cursor `after`; waits up to `wait` s (≤ 25) for one not in `seen`.

    `seen`: the ids above `after` the widget already shows (comma-separated). Answer:
    `messages` (may repeat seen ids: drop them), `cursor` (the next `after`), `conversation`.
    """
    found, claims, _token = visitor(widget_id)
    rt = runtime()
    after = request.args.get("after", "0")
    seen_ids = [x for x in request.args.get("seen", "").split(",") if x]
    if not _is_id(after) or not all(_is_id(x) for x in seen_ids) or len(seen_ids) > 500:
        fail(400, "bad_request", detail="after is a message id, seen a list of message ids")
    try:
        wait = min(MAX_WAIT_SECONDS, max(0.0, float(request.args.get("wait", "0"))))
    except ValueError:
        fail(400, "bad_request", detail="wait must be a number of seconds")
    seen = {int(x) for x in seen_ids}
    if wait <= 0:
        return jsonify(wait_for_messages(rt, found, claims, int(after), seen, wait))
    # Waiting holds a request thread: only inside the bounded pool (web/streams.py).
    slot = streams().chat_polls.enter(f"{found.id}:{claims.session_id}", client_ip())
    if slot is None:
        fail(429, "busy", retry_after=BUSY_RETRY_SECONDS)
    with slot:
        return jsonify(wait_for_messages(rt, found, claims, int(after), seen, wait))


@bp.post("/<widget_id>/selfservice")
def self_service(widget_id: str) -> Response:
    """The visitor's answer to the FAQ suggestions: `resolved` (with the slug) or `handed_off`."""
    found, claims, _token = visitor(widget_id)
    payload = _json()
    outcome = payload.get("outcome")
    if outcome not in (selfservice.RESOLVED, selfservice.HANDED_OFF):
        fail(400, "bad_request", detail="outcome must be resolved or handed_off")
    slug = payload.get("slug") if isinstance(payload.get("slug"), str) else None
    with runtime().db.session() as session:
        conversations = conversations_of(session, found.id, claims.session_id)
        if not conversations:
            fail(404, "no_conversation")
        conversation = conversations[-1]
        try:
            if outcome == selfservice.RESOLVED:
                selfservice.resolve(session, conversation, slug=slug)
            else:
                selfservice.hand_off(session, conversation, reason="the visitor asked for a person")
        except selfservice.SelfServiceError as exc:
            fail(409, "bad_request", detail=str(exc))
        session.flush()
        state = conversation_state([conversation])
    return jsonify(conversation=state)


@bp.post("/<widget_id>/csat")
def rate(widget_id: str) -> Response:
    """The visitor's answer on the rating card (issue 20): `survey_id`, `rating` 1-5 and an
    optional `comment`. Only a survey of this visitor's own conversations; the first answer
    counts and a repeat changes nothing (inbox.csat.answer_once)."""
    found, claims, _token = visitor(widget_id)
    payload = _json()
    survey_id, rating = payload.get("survey_id"), payload.get("rating")
    if not isinstance(survey_id, int) or rating not in (1, 2, 3, 4, 5):
        fail(400, "bad_request", detail="survey_id and a rating from 1 to 5 are required")
    comment = payload.get("comment") if isinstance(payload.get("comment"), str) else None
    _check_length(runtime(), comment or "")
    with runtime().db.session() as session:
        own = {c.id for c in conversations_of(session, found.id, claims.session_id)}
        survey = session.get(CsatSurvey, survey_id)
        if survey is None or survey.conversation_id not in own:
            fail(404, "no_conversation")
        try:
            survey, _stored = csat.answer_once(session, survey_id, rating, comment, utcnow())
        except LookupError:
            fail(409, "bad_request", detail="this survey is not waiting for an answer")
        session.flush()
        card = {
            "survey_id": survey.id,
            "rating": survey.rating,
            "commented": survey.comment is not None,
        }
    return jsonify(csat=card)


@bp.post("/<widget_id>/typing")
def typing(widget_id: str) -> Response:
    """A live-only signal for the agents' view (same shape as their own pings); not stored."""
    found, claims, _token = visitor(widget_id)
    rt = runtime()
    with rt.db.session() as session:
        ids = [c.id for c in conversations_of(session, found.id, claims.session_id)]
    if ids:
        rt.bus.publish(
            [
                {
                    "topic": "conversation.typing",
                    "conversation_id": ids[-1],
                    "channel_account_id": found.id,
                    "user_id": "visitor",
                    "user_name": claims.name or ("Visitor" if claims.locale == "en" else "방문자"),
                    "mode": "reply",
                }
            ]
        )
    return jsonify(ok=True)


# --- helpers ---------------------------------------------------------------------------------


def _session_json(found: Widget, claims: SessionClaims, token: str | None = None) -> dict[str, Any]:
    return {
        "token": token or issue_token(connector(runtime()).secret, claims),
        "session_id": claims.session_id,
        "visitor": {"name": claims.name, "email": claims.email},
        "locale": claims.locale,
    }


def _json() -> dict[str, Any]:
    payload = request.get_json(silent=True)
    if payload is None and not request.data:
        return {}
    if not isinstance(payload, dict):
        fail(400, "bad_request", detail="the body must be a JSON object")
    return payload


def _client_msg_id(source: Any) -> str:
    value = source.get("client_msg_id")
    if not isinstance(value, str) or not _CLIENT_MSG_ID.match(value):
        fail(400, "bad_request", detail="client_msg_id must be 1-120 of A-Z a-z 0-9 _ . : -")
    return value


def _field(payload: dict[str, Any], key: str, limit: int) -> str | None:
    value = payload.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        fail(400, "bad_request", detail=f"{key} must be a string of at most {limit} characters")
    return value.strip() or None


def _email(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    email = value.strip()
    if len(email) > 254 or not _EMAIL.match(email):
        fail(400, "email_required")
    return email


def _check_length(rt: Runtime, text: str) -> None:
    limit = _max_chars(rt)
    if len(text) > limit:
        raise ChatError(413, "too_long", limit=limit, length=len(text))


def _max_chars(rt: Runtime) -> int:
    return rt.settings.int("MESSAGE_MAX_CHARS")


def _image_max_bytes(rt: Runtime) -> int:
    return int(rt.settings.get("WEBCHAT_IMAGE_MAX_BYTES") or DEFAULT_IMAGE_MAX_BYTES)


def _image_type(data: bytes) -> str | None:
    for content_type, magics in IMAGE_TYPES.items():
        if any(data.startswith(m) for m in magics):
            if content_type == "image/webp" and data[8:12] != b"WEBP":
                continue
            return content_type
    return None
