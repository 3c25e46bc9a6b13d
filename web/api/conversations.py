"""/conversations: list, read, change, and reply or add a private note."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, jsonify, request
from sqlalchemy.orm import Session

from inbox.access import can_see
from inbox.conversations import Change, apply_change
from inbox.models import Conversation, User
from inbox.queries import ConversationFilter, list_conversations, thread_messages
from inbox.replies import Draft, ReplyRefused, UnfilledVariables, create_reply
from web.api import bp
from web.api.auth import require_roles
from web.api.edge import plain_int
from web.api.errors import Problem
from web.replying import check_reply, enqueue_send, reply_window
from web.runtime import current_runtime
from web.serialize import conversation_json, iso, message_json

AGENTS = ("admin", "agent")


def _limit() -> int:
    try:
        value = int(request.args.get("limit", 25))
    except ValueError as exc:
        raise Problem(400, "Bad Request", "limit must be a number") from exc
    if not 1 <= value <= 100:
        raise Problem(400, "Bad Request", "limit must be between 1 and 100")
    return value


def _conversation(session: Session, user: User, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    # An agent outside the inbox gets the same answer as for a missing id: no existence leak.
    if conversation is None or not can_see(session, user, conversation):
        raise Problem(404, "Not Found", f"conversation {conversation_id} not found")
    return conversation


@bp.get("/conversations")
@require_roles(*AGENTS)
def list_view(session: Session, user: User) -> Response:
    args = request.args
    flt = ConversationFilter(
        status=args.get("status") or None,
        channel=args.get("channel") or None,
        assignee=args.get("assignee") or None,
        label=args.get("label") or None,
        q=args.get("q") or None,
        team_id=plain_int(args.get("team")),
    )
    if flt.assignee not in (None, "me", "none") and plain_int(flt.assignee) is None:
        raise Problem(400, "Bad Request", "assignee must be me, none or a user id")
    try:
        cursor = args.get("cursor") or None  # `cursor=` is the first page, as the schema allows
        page = list_conversations(session, user, flt, cursor=cursor, limit=_limit())
    except ValueError as exc:
        raise Problem(400, "Bad Request", str(exc)) from exc
    return jsonify(data=[conversation_json(c) for c in page.items], next_cursor=page.next_cursor)


@bp.get("/conversations/<int:conversation_id>")
@require_roles(*AGENTS)
def show(session: Session, user: User, conversation_id: int) -> Response:
    conversation = _conversation(session, user, conversation_id)
    window = reply_window(current_runtime(), conversation)
    body = conversation_json(conversation)
    body["reply_window"] = {
        "open": window.open,
        "reason": window.reason,
        "closes_at": iso(window.closes_at),
        "tag": window.tag,
    }
    return jsonify(body)


@bp.patch("/conversations/<int:conversation_id>")
@require_roles(*AGENTS)
def update(session: Session, user: User, conversation_id: int) -> Response:
    conversation = _conversation(session, user, conversation_id)
    payload = _json_object() if request.content_length else {}  # no body: nothing to change
    allowed = {
        "status",
        "snoozed_until",
        "assignee_id",
        "team_id",
        "priority",
        "labels",
        "category",
        "resolution_summary",
        "follow_up_days",
        "follow_up_task",
    }
    unknown = set(payload) - allowed
    if unknown:
        raise Problem(400, "Bad Request", f"unknown fields: {', '.join(sorted(unknown))}")
    try:
        change = Change(
            status=payload.get("status"),
            snoozed_until=_parse_time(payload.get("snoozed_until")),
            assignee_id=_optional_id(payload, "assignee_id"),
            team_id=_optional_id(payload, "team_id"),
            priority=payload.get("priority"),
            category=payload.get("category"),
            labels=tuple(payload["labels"]) if "labels" in payload else None,
            resolution_summary=payload.get("resolution_summary"),
            follow_up_days=_follow_up_days(payload.get("follow_up_days")),
            follow_up_task=payload.get("follow_up_task"),
        )
        apply_change(session, conversation, change, actor=user)
    except (ValueError, TypeError) as exc:
        raise Problem(422, "Unprocessable Content", str(exc)) from exc
    except LookupError as exc:
        raise Problem(422, "Unprocessable Content", str(exc)) from exc
    session.flush()
    return jsonify(conversation_json(conversation))


def _follow_up_days(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("follow_up_days is a whole number of days")
    return value


@bp.get("/conversations/<int:conversation_id>/messages")
@require_roles(*AGENTS)
def messages(session: Session, user: User, conversation_id: int) -> Response:
    _conversation(session, user, conversation_id)
    cursor = request.args.get("cursor") or None
    after_id = plain_int(cursor)
    if cursor is not None and after_id is None:
        raise Problem(400, "Bad Request", "invalid cursor")
    rows, next_id = thread_messages(session, conversation_id, after_id=after_id, limit=_limit())
    return jsonify(
        data=[message_json(m) for m in rows], next_cursor=str(next_id) if next_id else None
    )


@bp.post("/conversations/<int:conversation_id>/messages")
@require_roles(*AGENTS)
def reply(session: Session, user: User, conversation_id: int) -> tuple[Response, int]:
    rt = current_runtime()
    conversation = _conversation(session, user, conversation_id)
    payload = _json_object()
    template = payload.get("template")
    text = payload.get("text", "" if template is not None else None)
    if not isinstance(text, str):
        raise Problem(400, "Bad Request", "text must be a string")
    private = bool(payload.get("private", False))
    if template is not None and (private or not isinstance(template, dict)):
        raise Problem(400, "Bad Request", "template must be an object, on a reply")
    if not private:
        check = check_reply(rt, conversation, text, template)
        if check.problem:
            raise Problem(422, "Reply refused", check.problem, reason=check.problem)
        text = check.text if check.text is not None else text
    draft = Draft(
        text=text,
        options={"template": template} if template is not None else {},
        private=private,
        idempotency_key=request.headers.get("Idempotency-Key") or payload.get("idempotency_key"),
        subject=payload.get("subject"),
        cc=tuple(payload.get("cc", ())),
        private_reply=bool(payload.get("private_reply", False)),
    )
    try:
        message, created = create_reply(
            session,
            conversation,
            user,
            draft,
            store=rt.store,
            max_chars=rt.settings.int("MESSAGE_MAX_CHARS"),
        )
    except UnfilledVariables as exc:
        raise Problem(
            422, "Reply refused", str(exc), reason=str(exc), unfilled_variables=list(exc.names)
        ) from exc
    except ReplyRefused as exc:
        raise Problem(422, "Reply refused", str(exc), reason=str(exc)) from exc
    session.commit()  # durable before the job can look for it
    body = message_json(message)
    if created and not private and not enqueue_send(rt, message.id):
        return jsonify(body), 202  # stored; the sweeper sends it
    return jsonify(body), 201 if created else 200


def _json_object() -> dict[str, Any]:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise Problem(400, "Bad Request", "the body must be a JSON object")
    return payload


def _optional_id(payload: dict[str, Any], key: str) -> int | None:
    if key not in payload:
        return None
    value = payload[key]
    if value is None:
        return 0
    if not isinstance(value, int):
        raise ValueError(f"{key} must be an integer or null")
    return value


def _parse_time(value: Any) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("times need a zone, e.g. 2026-11-25T09:00:00+09:00")
    return parsed
