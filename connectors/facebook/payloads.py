"""Facebook Page `changes`: feed comments (add / edited / remove), visitor posts, mentions.

Feed `created_time` and the entry.time of `changes` are epoch seconds (docs/platform-apis.md §1.7).
Comments thread per post: thread_key is the post id and the commenter is the customer, so
ingest can keep one conversation per (post, commenter) with the post as context. Comments the
Page writes itself come back through `feed` too; they are echoes, never customer messages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from connectors._meta.webhook import from_graph_time, from_seconds
from connectors.base import (
    Attachment,
    ConversationKind,
    EventKind,
    InboundEvent,
    Participant,
    UnsupportedEvent,
)

CHANNEL = "facebook"
VISITOR_POST_ITEMS = frozenset({"post", "status"})


def change_events(account_id: str, entry_time: Any, change: Mapping[str, Any]) -> InboundEvent:
    """Map one `object=page` change; raise UnsupportedEvent for fields and items we skip."""
    field = change.get("field")
    value = change.get("value")
    if not isinstance(value, Mapping):
        raise UnsupportedEvent(f"page change {field!r} without a value")
    if field == "feed":
        return _feed(account_id, entry_time, value)
    if field == "mention":
        return _mention(account_id, entry_time, value)
    raise UnsupportedEvent(f"page change field {field!r} is not ingested")


def _feed(page_id: str, entry_time: Any, value: Mapping[str, Any]) -> InboundEvent:
    item = str(value.get("item") or "")
    verb = str(value.get("verb") or "")
    if item == "comment":
        handler = _COMMENT_VERBS.get(verb)
        if handler is None:
            raise UnsupportedEvent(f"feed comment verb {verb!r} is not ingested")
        return handler(page_id, entry_time, value)
    if item in VISITOR_POST_ITEMS and verb == "add" and _author_id(value) != page_id:
        return _comment_like(page_id, entry_time, value, external_id=str(value["post_id"]))
    raise UnsupportedEvent(f"feed item {item!r} verb {verb!r} is not a customer conversation")


def _comment_add(page_id: str, entry_time: Any, value: Mapping[str, Any]) -> InboundEvent:
    return _comment_like(page_id, entry_time, value, external_id=str(value["comment_id"]))


def _comment_edited(page_id: str, entry_time: Any, value: Mapping[str, Any]) -> InboundEvent:
    comment_id = str(value["comment_id"])
    return _status(
        page_id,
        EventKind.EDITED,
        f"edited:{comment_id}:{entry_time}",
        value,
        entry_time,
        comment_id,
        text=str(value.get("message") or ""),
    )


def _comment_remove(page_id: str, entry_time: Any, value: Mapping[str, Any]) -> InboundEvent:
    comment_id = str(value["comment_id"])
    return _status(
        page_id, EventKind.DELETED, f"deleted:{comment_id}", value, entry_time, comment_id
    )


_COMMENT_VERBS: dict[str, Callable[[str, Any, Mapping[str, Any]], InboundEvent]] = {
    "add": _comment_add,
    "edited": _comment_edited,
    "remove": _comment_remove,
}


def _mention(page_id: str, entry_time: Any, value: Mapping[str, Any]) -> InboundEvent:
    """Page @mentions (shape unverified): text and author may be absent, so fetch them later."""
    post_id = str(value.get("post_id") or "")
    external_id = str(value.get("comment_id") or post_id)
    if not external_id:
        raise UnsupportedEvent("page mention without post_id or comment_id")
    if value.get("verb") == "remove":
        return _status(
            page_id, EventKind.DELETED, f"deleted:{external_id}", value, entry_time, external_id
        )
    text = value.get("message")
    author: Mapping[str, Any] = value.get("from") or {}
    return InboundEvent(
        kind=EventKind.MESSAGE,
        account_external_id=page_id,
        external_id=external_id,
        thread_key=post_id or external_id,
        conversation_kind=ConversationKind.MENTION,
        sent_at=from_seconds(value.get("created_time") or entry_time),
        customer=_participant(author) if author else None,
        text=str(text) if text is not None else None,
        context={"post_id": post_id, "item": value.get("item")},
        needs_fetch=text is None or not author,
        channel=CHANNEL,
    )


def _comment_like(
    page_id: str, entry_time: Any, value: Mapping[str, Any], *, external_id: str
) -> InboundEvent:
    author: Mapping[str, Any] = value.get("from") or {}
    ours = str(author.get("id")) == page_id
    photo = value.get("photo")
    return InboundEvent(
        kind=EventKind.ECHO if ours else EventKind.MESSAGE,
        account_external_id=page_id,
        external_id=external_id,
        thread_key=str(value["post_id"]),
        conversation_kind=ConversationKind.COMMENT,
        sent_at=from_seconds(value.get("created_time") or entry_time),
        customer=None if ours else _participant(author),
        text=str(value.get("message") or ""),
        attachments=(Attachment(kind="image", url=str(photo)),) if photo else (),
        context=_context(value),
        channel=CHANNEL,
    )


def _status(
    page_id: str,
    kind: EventKind,
    key: str,
    value: Mapping[str, Any],
    entry_time: Any,
    target: str,
    text: str | None = None,
) -> InboundEvent:
    """An edit or removal: the moment is entry.time; created_time is the original comment's."""
    author: Mapping[str, Any] = value.get("from") or {}
    return InboundEvent(
        kind=kind,
        account_external_id=page_id,
        external_id=key,
        thread_key=str(value.get("post_id") or target),
        conversation_kind=ConversationKind.COMMENT,
        sent_at=from_seconds(entry_time),
        customer=_participant(author) if author else None,
        text=text,
        targets=(target,),
        context=_context(value),
        channel=CHANNEL,
    )


def graph_comment_event(
    *, page_id: str, post: Mapping[str, Any], comment: Mapping[str, Any]
) -> InboundEvent:
    """Map one `GET /{post-id}/comments` item (catch-up polling) like its feed webhook."""
    author: Mapping[str, Any] = comment.get("from") or {}
    ours = str(author.get("id")) == page_id
    parent: Mapping[str, Any] = comment.get("parent") or {}
    context: dict[str, Any] = {"post_id": str(post["id"])}
    if parent.get("id"):
        context["parent_id"] = str(parent["id"])
    if post.get("permalink_url"):
        context["permalink_url"] = post["permalink_url"]
    if post.get("message"):
        context["post_text"] = post["message"]
    return InboundEvent(
        kind=EventKind.ECHO if ours else EventKind.MESSAGE,
        account_external_id=page_id,
        external_id=str(comment["id"]),
        thread_key=str(post["id"]),
        conversation_kind=ConversationKind.COMMENT,
        sent_at=from_graph_time(str(comment["created_time"])),
        customer=None if ours else _participant(author),
        text=str(comment.get("message") or ""),
        context=context,
        extra={"source": "poll"},
        channel=CHANNEL,
    )


def _context(value: Mapping[str, Any]) -> dict[str, Any]:
    post: Mapping[str, Any] = value.get("post") or {}
    context: dict[str, Any] = {"post_id": str(value.get("post_id") or "")}
    parent = value.get("parent_id")
    if parent and parent != value.get("post_id"):
        context["parent_id"] = str(parent)
    if post.get("permalink_url"):
        context["permalink_url"] = post["permalink_url"]
    return context


def _author_id(value: Mapping[str, Any]) -> str:
    return str((value.get("from") or {}).get("id") or "")


def _participant(author: Mapping[str, Any]) -> Participant:
    return Participant(external_id=str(author.get("id") or ""), name=author.get("name"))
