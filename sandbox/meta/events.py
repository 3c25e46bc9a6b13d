"""Webhook items the emulator emits, shaped like the corpus deliveries."""

from __future__ import annotations

from typing import Any

from sandbox.meta.webhooks import PendingEvent
from sandbox.meta.world import Comment, Message, Post, Thread, World


def _ms(world: World, message: Message) -> int:
    return int(message.created.timestamp() * 1000)


def customer_message(world: World, thread: Thread, message: Message, **extra: Any) -> PendingEvent:
    body: dict[str, Any] = {"mid": message.id}
    if message.text:
        body["text"] = message.text
    if message.attachments:
        body["attachments"] = message.attachments
    body.update(extra)
    return PendingEvent(
        object=_object(thread),
        entry_id=thread.owner_id,
        key="messaging",
        item={
            "sender": {"id": thread.customer_id},
            "recipient": {"id": thread.owner_id},
            "timestamp": _ms(world, message),
            "message": body,
        },
        at=message.created,
    )


def echo(world: World, thread: Thread, message: Message) -> PendingEvent:
    """Messenger echoes carry app_id and our metadata; IG echoes (corpus) carry neither."""
    body: dict[str, Any] = {"mid": message.id, "is_echo": True}
    if thread.platform == "messenger":
        body["app_id"] = int(world.config["APP_ID"])
        if message.metadata is not None:
            body["metadata"] = message.metadata
    if message.text:
        body["text"] = message.text
    if message.attachments:
        body["attachments"] = message.attachments
    return PendingEvent(
        object=_object(thread),
        entry_id=thread.owner_id,
        key="messaging",
        item={
            "sender": {"id": thread.owner_id},
            "recipient": {"id": thread.customer_id},
            "timestamp": _ms(world, message),
            "message": body,
        },
        at=message.created,
    )


def delivery(world: World, thread: Thread, message: Message) -> PendingEvent:
    return PendingEvent(
        object="page",
        entry_id=thread.owner_id,
        key="messaging",
        item={
            "sender": {"id": thread.customer_id},
            "recipient": {"id": thread.owner_id},
            "delivery": {"mids": [message.id], "watermark": _ms(world, message)},
        },
        at=world.now(),
    )


def read(world: World, thread: Thread) -> PendingEvent:
    now = world.now()
    ours = [m for m in thread.messages if m.from_id == thread.owner_id]
    item: dict[str, Any] = {
        "sender": {"id": thread.customer_id},
        "recipient": {"id": thread.owner_id},
        "timestamp": int(now.timestamp() * 1000),
    }
    if thread.platform == "instagram":
        item["read"] = {"mid": ours[-1].id if ours else ""}
    else:
        last = ours[-1].created if ours else now
        item["read"] = {"watermark": int(last.timestamp() * 1000)}
    return PendingEvent(_object(thread), thread.owner_id, "messaging", item, now)


def unsend(world: World, thread: Thread, message: Message) -> PendingEvent:
    item = {
        "sender": {"id": thread.customer_id},
        "recipient": {"id": thread.owner_id},
        "timestamp": int(world.now().timestamp() * 1000),
        "message": {"mid": message.id, "is_deleted": True},
    }
    return PendingEvent(_object(thread), thread.owner_id, "messaging", item, world.now())


def comment_change(world: World, comment: Comment, post: Post, verb: str = "add") -> PendingEvent:
    """FB: field feed (item comment, verb add|edited|remove); IG: field comments (add only)."""
    if comment.platform == "instagram":
        value: dict[str, Any] = {
            "from": {"id": comment.author_id, "username": comment.author_name},
            "media": {"id": post.id, "media_product_type": "FEED"},
            "id": comment.id,
            "text": comment.text,
        }
        if comment.parent_id:
            value["parent_id"] = comment.parent_id
        change = {"field": "comments", "value": value}
        return PendingEvent("instagram", world.page.ig_id, "changes", change, world.now())
    value = {
        "from": {"id": comment.author_id, "name": comment.author_name},
        "post_id": post.id,
        "comment_id": comment.id,
        "created_time": int(comment.created.timestamp()),
        "item": "comment",
        "parent_id": comment.parent_id or post.id,
        "verb": verb,
    }
    if verb != "remove":
        value["message"] = comment.text
        value["post"] = {"id": post.id, "permalink_url": post.permalink, "is_published": True}
    return PendingEvent(
        "page", world.page.id, "changes", {"field": "feed", "value": value}, world.now()
    )


def mention(world: World, comment: Comment, post: Post) -> PendingEvent:
    change = {"field": "mentions", "value": {"media_id": post.id, "comment_id": comment.id}}
    return PendingEvent("instagram", world.page.ig_id, "changes", change, world.now())


def _object(thread: Thread) -> str:
    return "instagram" if thread.platform == "instagram" else "page"
