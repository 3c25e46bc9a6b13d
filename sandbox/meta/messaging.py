"""The Send API and conversation reads, with Meta's 24-hour / 7-day HUMAN_AGENT rules."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import request

from sandbox.meta import events
from sandbox.meta.calls import Call, cdn, deliverer, missing, paged
from sandbox.meta.content import own_comment
from sandbox.meta.world import GraphError, Message, Thread, World, graph_time

STANDARD_WINDOW_H = 24
HUMAN_AGENT_WINDOW_H = 24 * 7
OUTSIDE_WINDOW = "(#10) This message is sent outside of allowed window."


# -- Send API ---------------------------------------------------------------------------------


def send_api(call: Call, owner: str) -> dict[str, Any]:
    w = call.world
    if owner not in w.owner_ids():
        raise GraphError(
            100, f"(#100) Unsupported post request. Object with ID '{owner}' does not exist"
        )
    recipient = call.obj("recipient") or {}
    message = call.obj("message") or {}
    if not isinstance(recipient, dict) or not isinstance(message, dict):
        raise GraphError(100, "(#100) param recipient and message must be objects")
    if recipient.get("comment_id"):
        return _private_reply(call, str(recipient["comment_id"]), message)
    customer = str(recipient.get("id") or "")
    thread = w.find_thread(customer)
    if thread is None:
        raise GraphError(100, "(#100) No matching user found", subcode=2018001)
    if customer in w.blocked:
        raise GraphError(551, "This person isn't available right now.", subcode=1545041)
    _check_window(call, thread)
    sent = _append_page_message(call, thread, message)
    return {"recipient_id": customer, "message_id": sent.id}


def _check_window(call: Call, thread: Thread) -> None:
    kind = call.text("messaging_type", "RESPONSE")
    if thread.last_customer_at is None:
        raise GraphError(10, OUTSIDE_WINDOW, subcode=2018278)
    age_h = (call.world.now() - thread.last_customer_at).total_seconds() / 3600
    if kind in ("RESPONSE", "UPDATE"):
        if age_h > STANDARD_WINDOW_H:
            raise GraphError(10, OUTSIDE_WINDOW, subcode=2018278)
        return
    if kind != "MESSAGE_TAG":
        raise GraphError(
            100, "(#100) Param messaging_type must be one of RESPONSE, UPDATE, MESSAGE_TAG"
        )
    if call.text("tag") != "HUMAN_AGENT":
        raise GraphError(100, "(#100) Only the HUMAN_AGENT tag is available to this app")
    if age_h > HUMAN_AGENT_WINDOW_H:
        raise GraphError(10, OUTSIDE_WINDOW, subcode=2018278)


def _append_page_message(call: Call, thread: Thread, message: dict[str, Any]) -> Message:
    w = call.world
    text = str(message.get("text") or "")
    attachments: list[dict[str, Any]] = []
    attachment = message.get("attachment")
    if isinstance(attachment, dict):
        payload = attachment.get("payload") or {}
        url = payload.get("url")
        if not url and not call.params.get("_files"):
            raise GraphError(100, "(#100) Attachment payload must have a url or a file")
        kind = str(attachment.get("type", "file"))
        if not url:
            url = cdn(w, f"upload/{_keep_upload(w, kind)}")
        attachments.append({"type": kind, "payload": {"url": url}})
    if not text and not attachments:
        raise GraphError(100, "(#100) The parameter message must be non-empty (text or attachment)")
    quick_replies = _quick_replies(message.get("quick_replies"), text)
    limit = 1000 if thread.platform == "instagram" else 2000
    size = len(text.encode()) if thread.platform == "instagram" else len(text)
    if size > limit:
        raise GraphError(
            100, f"(#100) Length of param message[text] must be less than or equal to {limit}"
        )
    sent = Message(
        id=w.mid(thread.platform),
        created=w.now(),
        from_id=thread.owner_id,
        to_id=thread.customer_id,
        text=text,
        attachments=attachments,
        metadata=message.get("metadata"),
        quick_replies=quick_replies,
    )
    thread.messages.append(sent)
    thread.updated = sent.created
    emitted = [events.echo(w, thread, sent)]
    if thread.platform == "messenger" and w.config.get("DELIVERY_RECEIPTS", True):
        emitted.append(events.delivery(w, thread, sent))
    deliverer().emit(emitted, mode=w.config.get("ECHO_MODE", "now"))
    return sent


def _keep_upload(w: World, kind: str) -> str:
    """Keep the multipart `filedata` (Meta's "upload and send in one call"); its type must
    fit the declared attachment type, as Meta checks."""
    upload = request.files.get("filedata")
    if upload is None:
        raise GraphError(100, "(#100) Upload attachment failure: no filedata")
    data = upload.read()
    major = (upload.mimetype or "").split("/", 1)[0]
    if kind in ("image", "video", "audio") and major != kind:
        raise GraphError(100, f"(#100) Upload attachment failure: {upload.mimetype} is no {kind}")
    digest = hashlib.sha256(data).hexdigest()
    w.uploads[digest] = (upload.mimetype or "application/octet-stream", data)
    return digest


def _quick_replies(raw: Any, text: str) -> list[dict[str, str]]:
    """Meta's checks on `message.quick_replies`: up to 13 text buttons (title 1-20
    characters, payload up to 1000 bytes), only on a text message."""
    if raw is None:
        return []
    if not isinstance(raw, list) or not raw or len(raw) > 13:
        raise GraphError(100, "(#100) param message[quick_replies] must have 1 to 13 items")
    if not text:
        raise GraphError(100, "(#100) Quick replies need a text message")
    found = []
    for item in raw:
        if not isinstance(item, dict) or item.get("content_type") != "text":
            raise GraphError(100, "(#100) quick_replies[content_type] must be text")
        title, payload = str(item.get("title") or ""), str(item.get("payload") or "")
        if not 1 <= len(title) <= 20 or not payload or len(payload.encode()) > 1000:
            raise GraphError(100, "(#100) quick_replies need a title (20) and a payload (1000)")
        found.append({"title": title, "payload": payload})
    return found


def _private_reply(call: Call, comment_id: str, message: dict[str, Any]) -> dict[str, Any]:
    w = call.world
    comment = own_comment(call, comment_id)
    if comment.private_replied:
        raise GraphError(10900, "Activity already replied to")
    if (w.now() - comment.created).total_seconds() > HUMAN_AGENT_WINDOW_H * 3600:
        raise GraphError(10, OUTSIDE_WINDOW, subcode=2018278)
    platform = "instagram" if comment.platform == "instagram" else "messenger"
    thread = w.thread_for(platform, comment.author_id, name=comment.author_name)
    sent = _append_page_message(call, thread, message)
    comment.private_replied = True
    return {"recipient_id": comment.author_id, "message_id": sent.id}


# -- conversations ----------------------------------------------------------------------------


def list_conversations(call: Call, owner: str) -> dict[str, Any]:
    w = call.world
    if owner != w.page.id:
        raise GraphError(100, "(#100) conversations are read on the Page")
    platform = call.text("platform", "messenger")
    user = call.text("user_id")  # Graph: only the conversation with this PSID / IGSID
    threads = sorted(
        (
            t
            for t in w.threads.values()
            if t.platform == platform and t.messages and (not user or t.customer_id == user)
        ),
        key=lambda t: t.updated,
        reverse=True,
    )
    return paged(call, [_thread_json(w, t) for t in threads])


def _thread_json(w: World, thread: Thread) -> dict[str, Any]:
    return {
        "id": thread.id,
        "updated_time": graph_time(thread.updated),
        "message_count": len(thread.messages),
        "participants": {
            "data": [_person(w, thread, thread.customer_id), _person(w, thread, thread.owner_id)]
        },
    }


def _person(w: World, thread: Thread, person: str) -> dict[str, Any]:
    ours = person == thread.owner_id
    if thread.platform == "instagram":
        return {"username": w.page.ig_username if ours else thread.customer_name, "id": person}
    name = w.page.name if ours else thread.customer_name
    return {"name": name, "email": f"{person}@facebook.com", "id": person}


def list_messages(call: Call, thread_id: str) -> dict[str, Any]:
    w = call.world
    thread = w.threads.get(thread_id)
    if thread is None:
        raise missing(thread_id)
    items = []
    for m in sorted(thread.messages, key=lambda m: m.created, reverse=True):
        if m.deleted:
            continue
        item: dict[str, Any] = {
            "id": m.id,
            "created_time": graph_time(m.created),
            "from": _person(w, thread, m.from_id),
            "to": {"data": [_person(w, thread, m.to_id)]},
            "message": m.text,
        }
        if m.attachments:
            item["attachments"] = {
                "data": [_graph_attachment(a, n) for n, a in enumerate(m.attachments)]
            }
        items.append(item)
    return paged(call, items)


def _graph_attachment(raw: dict[str, Any], n: int) -> dict[str, Any]:
    url = (raw.get("payload") or {}).get("url")
    kind = raw.get("type")
    if kind == "image":
        return {
            "id": f"att{n}",
            "mime_type": "image/png",
            "name": f"image-{n}.png",
            "image_data": {"url": url, "preview_url": url, "render_as_sticker": False},
        }
    if kind == "video":
        return {
            "id": f"att{n}",
            "mime_type": "video/mp4",
            "name": f"video-{n}.mp4",
            "video_data": {"url": url},
        }
    return {
        "id": f"att{n}",
        "mime_type": "application/octet-stream",
        "name": f"file-{n}",
        "file_url": url,
    }
