"""Direct-message endpoints: DM events (all, per participant, per conversation) and sends."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, request

from sandbox.x.delivery import deliver_dm
from sandbox.x.gate import authenticate, json_body, spend, the_world
from sandbox.x.media import claim_for_dm
from sandbox.x.tweets import expansions, media_out, users_out
from sandbox.x.wire import DM_DEFAULT, Problem, invalid_request, max_results, paginate, pick
from sandbox.x.world import DmEvent, Token


def register(app: Flask) -> None:
    app.get("/2/dm_events")(dm_events)
    app.get("/2/dm_conversations/with/<participant_id>/dm_events")(dm_events_with)
    app.get("/2/dm_conversations/<conversation_id>/dm_events")(dm_events_in)
    app.post("/2/dm_conversations/with/<participant_id>/messages")(send_dm_with)
    app.post("/2/dm_conversations/<conversation_id>/messages")(send_dm_in)


def dm_events() -> Response:
    token = authenticate(user_context=True)
    return _dm_page(token, lambda event: True)


def dm_events_with(participant_id: str) -> Response:
    token = authenticate(user_context=True)
    return _dm_page(token, lambda event: participant_id in event.dm_conversation_id.split("-"))


def dm_events_in(conversation_id: str) -> Response:
    token = authenticate(user_context=True)
    return _dm_page(token, lambda event: event.dm_conversation_id == conversation_id)


def _dm_page(token: Token, keep: Any) -> Response:
    size = max_results(request.args.get("max_results"), 1, 100, 100)
    spend("dm_events", token)
    world = the_world()
    types = set(
        (
            request.args.get("event_types") or "MessageCreate,ParticipantsJoin,ParticipantsLeave"
        ).split(",")
    )
    items: list[DmEvent] = [
        e for e in world.dm_events_of(str(token.user_id)) if keep(e) and e.event_type in types
    ]
    page, next_token, previous = paginate(
        items, lambda e: e.id, size, request.args.get("pagination_token")
    )
    if not page:
        return jsonify(meta={"result_count": 0})
    fields = request.args.get("dm_event.fields")
    doc: dict[str, Any] = {"data": [pick(world.dm_json(e), fields, DM_DEFAULT) for e in page]}
    wanted = expansions()
    user_ids: list[str] = []
    if "sender_id" in wanted:
        user_ids += [e.sender_id for e in page]
    if "participant_ids" in wanted:
        user_ids += [p for e in page for p in e.participant_ids]
    includes: dict[str, Any] = {}
    if user_ids:
        includes["users"] = users_out(user_ids)
    if "attachments.media_keys" in wanted:
        media = media_out([k for e in page for k in e.media_keys])
        if media:
            includes["media"] = media
    if includes:
        doc["includes"] = includes
    meta: dict[str, Any] = {"result_count": len(page)}
    if next_token:
        meta["next_token"] = next_token
    if previous:
        meta["previous_token"] = previous
    doc["meta"] = meta
    return jsonify(doc)


def send_dm_with(participant_id: str) -> tuple[Response, int]:
    return _send_dm(participant_id)


def send_dm_in(conversation_id: str) -> tuple[Response, int]:
    token = authenticate(user_context=True)
    others = [p for p in conversation_id.split("-") if p != token.user_id]
    if not others:
        raise Problem(
            404, "Not Found Error", f"Could not find DM conversation: [{conversation_id}]."
        )
    return _send_dm(others[0])


def _send_dm(participant_id: str) -> tuple[Response, int]:
    token = authenticate(user_context=True)
    body = json_body()
    text = body.get("text", "")
    attachments = body.get("attachments") or []
    if not isinstance(attachments, list) or len(attachments) > 1:
        raise invalid_request("attachments", str(attachments), "At most one attachment")
    if not isinstance(text, str) or (not text and not attachments):
        raise invalid_request("text", str(text), "`text` is required when no attachment is given")
    world = the_world()
    recipient = world.users.get(participant_id)
    if recipient is None:
        raise invalid_request(
            "participant_id", participant_id, f"Could not find user with id: [{participant_id}]."
        )
    spend("dm_send", token)
    if not recipient.dm_open:
        raise Problem(
            403, "Forbidden", "You are not permitted to send Direct Messages to this user."
        )
    if len(text) > 10_000:
        raise invalid_request("text", text[:20], "Text is longer than 10000 characters")
    keys = tuple(
        claim_for_dm(str((a or {}).get("media_id") or ""), str(token.user_id)) for a in attachments
    )
    event = world.add_dm(
        sender_id=str(token.user_id), recipient_id=participant_id, text=text, media_keys=keys
    )
    deliver_dm(world, event)
    data = {"dm_conversation_id": event.dm_conversation_id, "dm_event_id": event.id}
    return jsonify(data=data), 201
