"""Complete a mention that arrived as bare ids, for either channel.

Mentions come through the one Meta webhook whichever connector parsed it, so enrichment is
chosen by `event.channel`, not by the connector class. Instagram: `mentioned_comment` (or
`mentioned_media` for a caption) read on our IG account; Facebook: the comment or post itself.
Field lists beyond id/text/timestamp are unverified against Meta; the sandbox serves them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from connectors.base import AccountConfig, InboundEvent, Participant

Getter = Callable[[str, Mapping[str, Any]], dict[str, Any]]


def enrich(get: Getter, account: AccountConfig, event: InboundEvent) -> InboundEvent:
    """Return `event` with text and author filled in; unchanged if nothing is missing."""
    if not event.needs_fetch:
        return event
    if event.channel == "instagram":
        return _instagram(get, account, event)
    return _facebook(get, event)


def _instagram(get: Getter, account: AccountConfig, event: InboundEvent) -> InboundEvent:
    if event.context.get("in") == "caption":
        fields = (
            f"mentioned_media.media_id({event.thread_key}){{caption,username,permalink,timestamp}}"
        )
        media = get(account.external_id, {"fields": fields}).get("mentioned_media") or {}
        found: dict[str, Any] = {
            "text": media.get("caption"),
            "username": media.get("username"),
            "media": media,
        }
    else:
        fields = (
            f"mentioned_comment.comment_id({event.external_id})"
            "{id,text,timestamp,username,from,media{id,permalink,caption}}"
        )
        found = get(account.external_id, {"fields": fields}).get("mentioned_comment") or {}
    author: Mapping[str, Any] = found.get("from") or {}
    media_info: Mapping[str, Any] = found.get("media") or {}
    handle = str(author.get("username") or found.get("username") or "") or None
    external_id = str(author.get("id") or handle or "")
    context = dict(event.context)
    if media_info.get("permalink"):
        context["permalink_url"] = media_info["permalink"]
    if media_info.get("caption"):
        context["post_text"] = media_info["caption"]
    return replace(
        event,
        text=str(found.get("text") or ""),
        customer=Participant(external_id=external_id, handle=handle) if external_id else None,
        context=context,
        needs_fetch=False,
    )


def _facebook(get: Getter, event: InboundEvent) -> InboundEvent:
    data = get(event.external_id, {"fields": "id,message,from,created_time,permalink_url"})
    author: Mapping[str, Any] = data.get("from") or {}
    customer = (
        Participant(external_id=str(author["id"]), name=author.get("name"))
        if author.get("id")
        else event.customer
    )
    context = dict(event.context)
    if data.get("permalink_url"):
        context["permalink_url"] = data["permalink_url"]
    return replace(
        event,
        text=str(data.get("message") or ""),
        customer=customer,
        context=context,
        needs_fetch=False,
    )
