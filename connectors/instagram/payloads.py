"""Instagram `changes`: comments on our media and @mentions of our account.

The `changes` entry.time is epoch seconds and IG comment values carry no created_time, so
entry.time is the comment's time. Mentions carry only media_id + comment_id; the text and the
author are fetched afterwards (`mentioned_comment`, see connectors/_meta/mentions.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors._meta.webhook import from_graph_time, from_seconds
from connectors.base import (
    ConversationKind,
    EventKind,
    InboundEvent,
    Participant,
    UnsupportedEvent,
)

CHANNEL = "instagram"
COMMENT_FIELDS = frozenset({"comments", "live_comments"})


def change_events(account_id: str, entry_time: Any, change: Mapping[str, Any]) -> InboundEvent:
    """Map one `object=instagram` change; raise UnsupportedEvent for fields we skip."""
    field = str(change.get("field") or "")
    value = change.get("value")
    if not isinstance(value, Mapping):
        raise UnsupportedEvent(f"instagram change {field!r} without a value")
    if field in COMMENT_FIELDS:
        return _comment(account_id, entry_time, value, field=field)
    if field == "mentions":
        return _mention(account_id, entry_time, value)
    raise UnsupportedEvent(f"instagram change field {field!r} is not ingested")


def _comment(
    account_id: str, entry_time: Any, value: Mapping[str, Any], *, field: str
) -> InboundEvent:
    author: Mapping[str, Any] = value.get("from") or {}
    media: Mapping[str, Any] = value.get("media") or {}
    media_id = str(media.get("id") or "")
    if not value.get("id") or not media_id:
        raise UnsupportedEvent("instagram comment without id or media.id")
    ours = str(author.get("id")) == account_id
    context: dict[str, Any] = {"post_id": media_id, "media_id": media_id}
    if media.get("media_product_type"):
        context["media_product_type"] = media["media_product_type"]
    if value.get("parent_id"):
        context["parent_id"] = str(value["parent_id"])
    return InboundEvent(
        kind=EventKind.ECHO if ours else EventKind.MESSAGE,
        account_external_id=account_id,
        external_id=str(value["id"]),
        thread_key=media_id,
        conversation_kind=ConversationKind.COMMENT,
        sent_at=from_seconds(entry_time),
        customer=None if ours else _participant(author),
        text=str(value.get("text") or ""),
        context=context,
        extra={"live": True} if field == "live_comments" else {},
        channel=CHANNEL,
    )


def _mention(account_id: str, entry_time: Any, value: Mapping[str, Any]) -> InboundEvent:
    media_id = str(value.get("media_id") or "")
    comment_id = value.get("comment_id")
    if not media_id:
        raise UnsupportedEvent("instagram mention without media_id")
    return InboundEvent(
        kind=EventKind.MESSAGE,
        account_external_id=account_id,
        external_id=str(comment_id or media_id),
        thread_key=media_id,
        conversation_kind=ConversationKind.MENTION,
        sent_at=from_seconds(entry_time),
        context={
            "post_id": media_id,
            "media_id": media_id,
            "in": "comment" if comment_id else "caption",
        },
        needs_fetch=True,
        channel=CHANNEL,
    )


def graph_comment_event(
    *, account_id: str, media: Mapping[str, Any], comment: Mapping[str, Any]
) -> InboundEvent:
    """Map one `GET /{ig-media-id}/comments` item (catch-up polling) like its webhook."""
    author: Mapping[str, Any] = comment.get("from") or {"username": comment.get("username")}
    ours = str(author.get("id")) == account_id
    context: dict[str, Any] = {"post_id": str(media["id"]), "media_id": str(media["id"])}
    if comment.get("parent_id"):
        context["parent_id"] = str(comment["parent_id"])
    if media.get("permalink"):
        context["permalink_url"] = media["permalink"]
    return InboundEvent(
        kind=EventKind.ECHO if ours else EventKind.MESSAGE,
        account_external_id=account_id,
        external_id=str(comment["id"]),
        thread_key=str(media["id"]),
        conversation_kind=ConversationKind.COMMENT,
        sent_at=from_graph_time(str(comment["timestamp"])),
        customer=None if ours else _participant(author),
        text=str(comment.get("text") or ""),
        context=context,
        extra={"source": "poll"},
        channel=CHANNEL,
    )


def _participant(author: Mapping[str, Any]) -> Participant:
    return Participant(
        external_id=str(author.get("id") or author.get("username") or ""),
        handle=author.get("username"),
    )
