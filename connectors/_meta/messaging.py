"""Messenger and Instagram DMs: one wire shape for both, so one mapper and one Send API body.

Inbound `entry[].messaging[]` items (and `standby[]`, the same items for threads another app
controls) become InboundEvents; Graph conversation reads used by catch-up polling map onto the
same events so webhook and poll dedupe to one record by mid. The 24-hour rule and the
HUMAN_AGENT tag (docs/platform-apis.md §1.8) are decided here, before any call.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from connectors._meta.webhook import from_graph_time, from_ms
from connectors.base import (
    Attachment,
    ConversationKind,
    EventKind,
    InboundEvent,
    OutboundReply,
    OutsideReplyWindow,
    Participant,
    ReplyWindow,
    UnsupportedEvent,
)

METADATA_PREFIX = "inbox:outbound:"
STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
HUMAN_AGENT = "HUMAN_AGENT"
ATTACHMENT_KINDS = frozenset({"image", "video", "audio", "file", "story_mention"})


@dataclass(frozen=True, slots=True)
class EntryContext:
    """Where a messaging item came from: channel slug, our account id, entry.time (ms)."""

    channel: str
    account_id: str
    entry_time: Any
    app_id: str = ""
    standby: bool = False


def messaging_event(ctx: EntryContext, item: Mapping[str, Any]) -> InboundEvent:
    """Map one messaging item; raise UnsupportedEvent for kinds we do not ingest."""
    for key, mapper in _MAPPERS.items():
        if isinstance(item.get(key), Mapping):
            return mapper(ctx, item)
    raise UnsupportedEvent(f"{ctx.channel} messaging item with keys {sorted(item)} not ingested")


def _message(ctx: EntryContext, item: Mapping[str, Any]) -> InboundEvent:
    message: Mapping[str, Any] = item["message"]
    mid = str(message["mid"])
    sender, recipient = _ids(item)
    sent_at = from_ms(item.get("timestamp") or ctx.entry_time)
    if message.get("is_deleted"):
        return _status(ctx, EventKind.DELETED, f"deleted:{mid}", sender, sent_at, (mid,))
    echo = bool(message.get("is_echo"))
    customer = recipient if echo else sender
    extra: dict[str, Any] = _base_extra(ctx)
    if isinstance(message.get("quick_reply"), Mapping):
        extra["quick_reply"] = message["quick_reply"].get("payload")
    if echo:
        extra["app_id"] = str(message.get("app_id") or "")
        extra["own_app"] = bool(ctx.app_id) and extra["app_id"] == ctx.app_id
    metadata = message.get("metadata")
    outbound_ref = (
        metadata[len(METADATA_PREFIX) :]
        if echo and isinstance(metadata, str) and metadata.startswith(METADATA_PREFIX)
        else None
    )
    return InboundEvent(
        kind=EventKind.ECHO if echo else EventKind.MESSAGE,
        account_external_id=ctx.account_id,
        external_id=mid,
        thread_key=customer,
        conversation_kind=ConversationKind.DM,
        sent_at=sent_at,
        customer=Participant(external_id=customer),
        text=str(message.get("text") or ""),
        attachments=tuple(_attachment(a) for a in message.get("attachments") or ()),
        outbound_ref=outbound_ref,
        context=_reply_context(message.get("reply_to")),
        extra=extra,
        channel=ctx.channel,
    )


def _postback(ctx: EntryContext, item: Mapping[str, Any]) -> InboundEvent:
    """A button tap. Meta's reference has `postback.mid`; older pages synthesize a key."""
    postback: Mapping[str, Any] = item["postback"]
    sender, _ = _ids(item)
    payload = str(postback.get("payload") or "")
    mid = postback.get("mid") or f"postback:{sender}:{item.get('timestamp')}:{payload}"
    return InboundEvent(
        kind=EventKind.MESSAGE,
        account_external_id=ctx.account_id,
        external_id=str(mid),
        thread_key=sender,
        conversation_kind=ConversationKind.DM,
        sent_at=from_ms(item.get("timestamp") or ctx.entry_time),
        customer=Participant(external_id=sender),
        text=str(postback.get("title") or payload),
        extra={**_base_extra(ctx), "postback": payload},
        channel=ctx.channel,
    )


def _delivery(ctx: EntryContext, item: Mapping[str, Any]) -> InboundEvent:
    """Delivery receipts carry no messaging timestamp, only the watermark (ms)."""
    delivery: Mapping[str, Any] = item["delivery"]
    sender, _ = _ids(item)
    watermark = delivery.get("watermark") or ctx.entry_time
    mids = tuple(str(m) for m in delivery.get("mids") or ())
    return _status(
        ctx,
        EventKind.DELIVERED,
        f"delivered:{sender}:{watermark}",
        sender,
        from_ms(watermark),
        mids,
    )


def _read(ctx: EntryContext, item: Mapping[str, Any]) -> InboundEvent:
    """Messenger reads carry a watermark; Instagram's `messaging_seen` names one mid."""
    read: Mapping[str, Any] = item["read"]
    sender, _ = _ids(item)
    watermark = read.get("watermark")
    mid = read.get("mid")
    at = from_ms(watermark or item.get("timestamp") or ctx.entry_time)
    key = watermark or mid
    targets = (str(mid),) if mid else ()
    return _status(ctx, EventKind.READ, f"read:{sender}:{key}", sender, at, targets)


def _edit(ctx: EntryContext, item: Mapping[str, Any]) -> InboundEvent:
    edit: Mapping[str, Any] = item["message_edit"]
    sender, _ = _ids(item)
    mid = str(edit["mid"])
    event = _status(
        ctx,
        EventKind.EDITED,
        f"edited:{mid}:{edit.get('num_edit', item.get('timestamp'))}",
        sender,
        from_ms(item.get("timestamp") or ctx.entry_time),
        (mid,),
    )
    return _with_text(event, str(edit.get("text") or ""))


def _reaction(ctx: EntryContext, item: Mapping[str, Any]) -> InboundEvent:
    """A reaction is kept as a short customer message pointing at the message reacted to."""
    reaction: Mapping[str, Any] = item["reaction"]
    if reaction.get("action") == "unreact":
        raise UnsupportedEvent("reaction removals are not ingested")
    sender, _ = _ids(item)
    mid = str(reaction.get("mid") or "")
    return InboundEvent(
        kind=EventKind.MESSAGE,
        account_external_id=ctx.account_id,
        external_id=f"reaction:{mid}:{sender}:{item.get('timestamp')}",
        thread_key=sender,
        conversation_kind=ConversationKind.DM,
        sent_at=from_ms(item.get("timestamp") or ctx.entry_time),
        customer=Participant(external_id=sender),
        text=str(reaction.get("emoji") or reaction.get("reaction") or ""),
        context={"reaction_to": mid},
        extra={**_base_extra(ctx), "reaction": reaction.get("reaction")},
        channel=ctx.channel,
    )


_MAPPERS: dict[str, Callable[[EntryContext, Mapping[str, Any]], InboundEvent]] = {
    "message": _message,
    "postback": _postback,
    "delivery": _delivery,
    "read": _read,
    "message_edit": _edit,
    "reaction": _reaction,
}


def graph_message_event(
    *, channel: str, account_id: str, self_ids: Collection[str], message: Mapping[str, Any]
) -> InboundEvent:
    """Map one `GET /{conversation-id}/messages` item (catch-up polling) like its webhook."""
    author: Mapping[str, Any] = message.get("from") or {}
    ours = str(author.get("id")) in self_ids
    others = [
        p for p in (message.get("to") or {}).get("data") or () if str(p.get("id")) not in self_ids
    ]
    person: Mapping[str, Any] = (others[0] if others else {}) if ours else author
    customer = Participant(
        external_id=str(person.get("id") or ""),
        name=person.get("name"),
        handle=person.get("username"),
    )
    return InboundEvent(
        kind=EventKind.ECHO if ours else EventKind.MESSAGE,
        account_external_id=account_id,
        external_id=str(message["id"]),
        thread_key=customer.external_id,
        conversation_kind=ConversationKind.DM,
        sent_at=from_graph_time(str(message["created_time"])),
        customer=customer,
        text=str(message.get("message") or ""),
        attachments=tuple(
            _graph_attachment(a) for a in (message.get("attachments") or {}).get("data") or ()
        ),
        extra={"source": "poll"},
        channel=channel,
    )


def dm_window(
    last_customer_message_at: datetime | None, now: datetime, *, human_agent_enabled: bool
) -> ReplyWindow:
    """Messenger/IG rule: free replies for 24 h, HUMAN_AGENT-tagged ones up to 7 days."""
    if last_customer_message_at is None:
        return ReplyWindow(open=False, reason="the customer has not written yet")
    standard_end = last_customer_message_at + STANDARD_WINDOW
    if now <= standard_end:
        return ReplyWindow(open=True, closes_at=standard_end)
    agent_end = last_customer_message_at + HUMAN_AGENT_WINDOW
    if human_agent_enabled and now <= agent_end:
        return ReplyWindow(
            open=True,
            reason="24-hour window closed; a person may still reply (HUMAN_AGENT tag) for 7 days",
            closes_at=agent_end,
            tag=HUMAN_AGENT,
        )
    if now <= agent_end:
        return ReplyWindow(
            open=False,
            reason="24-hour window closed and HUMAN_AGENT replies are not enabled for this account",
        )
    return ReplyWindow(open=False, reason="the customer's last message is older than 7 days")


def messaging_type(
    reply: OutboundReply, now: datetime, *, human_agent_enabled: bool
) -> dict[str, str]:
    """Return the messaging_type (and tag) fields for a reply, or raise OutsideReplyWindow."""
    window = dm_window(reply.last_customer_message_at, now, human_agent_enabled=human_agent_enabled)
    if not window.open:
        raise OutsideReplyWindow(window.reason or "reply window closed")
    if window.tag is None:
        return {"messaging_type": "RESPONSE"}
    if not reply.human_agent:
        raise OutsideReplyWindow("24-hour window closed; only a person may reply (HUMAN_AGENT)")
    return {"messaging_type": "MESSAGE_TAG", "tag": window.tag}


MAX_QUICK_REPLIES = 13  # Send API limits: 13 buttons, 20-character titles, 1000-byte payloads


def quick_replies(choices: object) -> list[dict[str, str]]:
    """`OutboundReply.options["quick_replies"]` ([{title, payload}]) as Send API quick
    replies; anything malformed is dropped (the text still asks the question)."""
    if not isinstance(choices, list | tuple):
        return []
    buttons = []
    for choice in choices[:MAX_QUICK_REPLIES]:
        if not isinstance(choice, Mapping):
            continue
        title, payload = str(choice.get("title") or ""), str(choice.get("payload") or "")
        if title and payload and len(title) <= 20 and len(payload.encode()) <= 1000:
            buttons.append({"content_type": "text", "title": title, "payload": payload})
    return buttons


def metadata_for(reply: OutboundReply) -> str:
    """The Send API `metadata` our echo carries back, so ingest can match it to the reply."""
    return f"{METADATA_PREFIX}{reply.message_uuid}"


def _status(
    ctx: EntryContext,
    kind: EventKind,
    key: str,
    customer: str,
    at: datetime,
    targets: tuple[str, ...],
) -> InboundEvent:
    return InboundEvent(
        kind=kind,
        account_external_id=ctx.account_id,
        external_id=key,
        thread_key=customer,
        conversation_kind=ConversationKind.DM,
        sent_at=at,
        customer=Participant(external_id=customer),
        targets=targets,
        extra=_base_extra(ctx),
        channel=ctx.channel,
    )


def _with_text(event: InboundEvent, text: str) -> InboundEvent:
    return replace(event, text=text)


def _ids(item: Mapping[str, Any]) -> tuple[str, str]:
    try:
        return str(item["sender"]["id"]), str(item["recipient"]["id"])
    except (KeyError, TypeError) as exc:
        raise UnsupportedEvent("messaging item without sender/recipient ids") from exc


def _base_extra(ctx: EntryContext) -> dict[str, Any]:
    return {"standby": True} if ctx.standby else {}


def _reply_context(reply_to: Any) -> dict[str, Any]:
    if not isinstance(reply_to, Mapping):
        return {}
    if isinstance(reply_to.get("story"), Mapping):
        return {"story": dict(reply_to["story"])}
    return {"reply_to": reply_to.get("mid")}


def _attachment(raw: Mapping[str, Any]) -> Attachment:
    """Stickers arrive as type=image with a sticker_id; unknown types are kept as unsupported."""
    kind = str(raw.get("type") or "")
    payload: Mapping[str, Any] = raw.get("payload") or {}
    url = payload.get("url")
    if payload.get("sticker_id") is not None:
        return Attachment(kind="sticker", url=url, extra={"sticker_id": payload["sticker_id"]})
    if kind in ATTACHMENT_KINDS:
        return Attachment(kind=kind, url=url)
    extra = {"type": kind, **{k: v for k, v in payload.items() if k in ("title", "reel_video_id")}}
    return Attachment(kind="unsupported", url=url, extra=extra)


def _graph_attachment(raw: Mapping[str, Any]) -> Attachment:
    image = raw.get("image_data")
    video = raw.get("video_data")
    if isinstance(image, Mapping):
        kind, url = ("sticker" if image.get("render_as_sticker") else "image"), image.get("url")
    elif isinstance(video, Mapping):
        kind, url = "video", video.get("url")
    else:
        kind, url = "file", raw.get("file_url")
    return Attachment(
        kind=kind,
        url=url,
        filename=raw.get("name"),
        content_type=raw.get("mime_type"),
        size=raw.get("size"),
    )
