"""WhatsApp Cloud API webhook bodies → InboundEvents (docs/platform-apis.md §5.2-§5.4).

A delivery is `{"object": "whatsapp_business_account", "entry": [{"id": WABA id, "changes":
[{"field": "messages", "value": {...}}]}]}`; one `value` carries `metadata.phone_number_id`
(our account), `contacts[]` (the customer's profile name), and `messages[]` or `statuses[]`.
Every message type is mapped or refused by name with UnsupportedEvent, so a delivery holding
only refused items is recorded as rejected with the reasons, never dropped silently.

Inbound media carries only a media id: the attachment URL is `whatsapp-media:<id>`, which only
this connector's fetch_attachment understands (media id → short-lived URL → bytes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from connectors.base import (
    Attachment,
    ConversationKind,
    EventKind,
    InboundEvent,
    Participant,
    UnsupportedEvent,
)

CHANNEL = "whatsapp"
OBJECT = "whatsapp_business_account"
MEDIA_SCHEME = "whatsapp-media:"
# biz_opaque_callback_data on our sends: statuses carry it back (like Messenger's metadata).
CALLBACK_PREFIX = "inbox:outbound:"
# WhatsApp media type → our Attachment.kind (documents are plain files to us).
MEDIA_KINDS = {
    "image": "image",
    "video": "video",
    "audio": "audio",
    "document": "file",
    "sticker": "sticker",
}
# Types we refuse on purpose, with the reason the rejected delivery shows.
REFUSED_TYPES = {
    "order": "WhatsApp catalog orders are not ingested",
    "system": "WhatsApp system notices (number changes) are not ingested",
    "request_welcome": "WhatsApp welcome requests carry no customer message",
}


def media_url(media_id: str) -> str:
    return f"{MEDIA_SCHEME}{media_id}"


def media_id_of(url: str | None) -> str | None:
    if url and url.startswith(MEDIA_SCHEME):
        return url[len(MEDIA_SCHEME) :] or None
    return None


def from_seconds(value: Any) -> datetime:
    """WhatsApp timestamps are epoch seconds, as strings."""
    return datetime.fromtimestamp(int(value), tz=UTC)


def value_events(value: Mapping[str, Any]) -> tuple[list[InboundEvent], list[str]]:
    """Map one `changes[].value` of field `messages`: (events, reasons for refused items)."""
    metadata: Mapping[str, Any] = value.get("metadata") or {}
    account_id = str(metadata.get("phone_number_id") or "")
    if not account_id:
        raise UnsupportedEvent("WhatsApp change without metadata.phone_number_id")
    names = {
        str(c.get("wa_id")): (c.get("profile") or {}).get("name")
        for c in value.get("contacts") or ()
        if isinstance(c, Mapping)
    }
    events: list[InboundEvent] = []
    refused: list[str] = []
    for message in value.get("messages") or ():
        try:
            events.append(message_event(account_id, names, message))
        except UnsupportedEvent as exc:
            refused.append(exc.reason)
    for status in value.get("statuses") or ():
        try:
            events.append(status_event(account_id, status))
        except UnsupportedEvent as exc:
            refused.append(exc.reason)
    for error in value.get("errors") or ():
        refused.append(f"WhatsApp reported an error: {_error_text(error)}")
    if not (value.get("messages") or value.get("statuses") or value.get("errors")):
        refused.append("WhatsApp `messages` change with neither messages nor statuses")
    return events, refused


def message_event(
    account_id: str, names: Mapping[str, Any], message: Mapping[str, Any]
) -> InboundEvent:
    """One `messages[]` item; the wamid is the idempotency key."""
    kind = str(message.get("type") or "")
    if kind in REFUSED_TYPES:
        raise UnsupportedEvent(f"{REFUSED_TYPES[kind]} ({message.get('id')})")
    mapper = _MAPPERS.get(kind)
    if mapper is None:
        raise UnsupportedEvent(f"WhatsApp message type {kind!r} is not ingested")
    sender = str(message["from"])
    fields = mapper(message)
    context: dict[str, Any] = dict(fields.pop("context", {}))
    reply_to = message.get("context")
    if isinstance(reply_to, Mapping) and reply_to.get("id"):
        context.setdefault("reply_to", str(reply_to["id"]))
    extra: dict[str, Any] = {"wa_type": kind, **fields.pop("extra", {})}
    if isinstance(reply_to, Mapping) and (
        reply_to.get("forwarded") or reply_to.get("frequently_forwarded")
    ):
        extra["forwarded"] = True
    if isinstance(message.get("referral"), Mapping):
        extra["referral"] = dict(message["referral"])
    return InboundEvent(
        kind=EventKind.MESSAGE,
        account_external_id=account_id,
        external_id=str(message["id"]),
        thread_key=sender,
        conversation_kind=ConversationKind.DM,
        sent_at=from_seconds(message["timestamp"]),
        customer=Participant(external_id=sender, handle=f"+{sender}", name=names.get(sender)),
        context=context,
        extra=extra,
        channel=CHANNEL,
        **fields,
    )


def _text(message: Mapping[str, Any]) -> dict[str, Any]:
    return {"text": str(message["text"]["body"])}


def _media(message: Mapping[str, Any]) -> dict[str, Any]:
    kind = str(message["type"])
    media: Mapping[str, Any] = message[kind]
    extra = {k: media[k] for k in ("sha256", "voice", "animated") if k in media}
    attachment = Attachment(
        kind=MEDIA_KINDS[kind],
        url=media_url(str(media["id"])),
        filename=media.get("filename"),
        content_type=media.get("mime_type"),
        extra={"media_id": str(media["id"]), **extra},
    )
    return {"text": str(media.get("caption") or ""), "attachments": (attachment,)}


def _location(message: Mapping[str, Any]) -> dict[str, Any]:
    place: Mapping[str, Any] = message["location"]
    lat, lon = float(place["latitude"]), float(place["longitude"])
    lines = [str(place[k]) for k in ("name", "address") if place.get(k)]
    lines.append(f"{lat:.6f}, {lon:.6f}")
    if place.get("url"):
        lines.append(str(place["url"]))
    location = {"latitude": lat, "longitude": lon}
    location.update({k: place[k] for k in ("name", "address", "url") if place.get(k)})
    return {"text": "\n".join(lines), "extra": {"location": location}}


def _contacts(message: Mapping[str, Any]) -> dict[str, Any]:
    cards = [c for c in message["contacts"] if isinstance(c, Mapping)]
    lines = []
    for card in cards:
        name = str((card.get("name") or {}).get("formatted_name") or "")
        phones = ", ".join(str(p.get("phone") or p.get("wa_id")) for p in card.get("phones") or ())
        lines.append(" ".join(part for part in (name, phones) if part))
    return {"text": "\n".join(lines), "extra": {"contacts": [dict(c) for c in cards]}}


def _interactive(message: Mapping[str, Any]) -> dict[str, Any]:
    """A tap on a reply button or a list row we sent: the title is what the customer saw."""
    interactive: Mapping[str, Any] = message["interactive"]
    kind = str(interactive.get("type") or "")
    if kind not in ("button_reply", "list_reply"):
        raise UnsupportedEvent(f"WhatsApp interactive reply {kind!r} is not ingested")
    reply: Mapping[str, Any] = interactive[kind]
    chosen = {"type": kind, "id": reply.get("id"), "title": reply.get("title")}
    if reply.get("description"):
        chosen["description"] = reply["description"]
    extra: dict[str, Any] = {"reply": chosen}
    if isinstance(reply.get("id"), str):
        extra["quick_reply"] = reply["id"]  # read like a Messenger quick reply's payload
    return {"text": str(reply.get("title") or reply.get("id") or ""), "extra": extra}


def _button(message: Mapping[str, Any]) -> dict[str, Any]:
    """A tap on a template's quick-reply button."""
    button: Mapping[str, Any] = message["button"]
    payload = button.get("payload")
    return {"text": str(button.get("text") or payload or ""), "extra": {"button": payload}}


def _reaction(message: Mapping[str, Any]) -> dict[str, Any]:
    """Kept like Messenger's: a short message pointing at the message reacted to."""
    reaction: Mapping[str, Any] = message["reaction"]
    emoji = str(reaction.get("emoji") or "")
    if not emoji:
        raise UnsupportedEvent("WhatsApp reaction removals are not ingested")
    return {"text": emoji, "context": {"reaction_to": str(reaction.get("message_id") or "")}}


def _unsupported(message: Mapping[str, Any]) -> dict[str, Any]:
    errors = "; ".join(_error_text(e) for e in message.get("errors") or ()) or "no detail"
    raise UnsupportedEvent(f"WhatsApp could not show us this message ({errors})")


_MAPPERS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "text": _text,
    **dict.fromkeys(MEDIA_KINDS, _media),
    "location": _location,
    "contacts": _contacts,
    "interactive": _interactive,
    "button": _button,
    "reaction": _reaction,
    "unsupported": _unsupported,
}


def status_event(account_id: str, status: Mapping[str, Any]) -> InboundEvent:
    """delivered/read move our message forward (never back); failed marks it failed with
    WhatsApp's reason; sent confirms our reply (see _sent)."""
    state = str(status.get("status") or "")
    wamid = str(status["id"])
    customer = str(status.get("recipient_id") or "")
    at = from_seconds(status["timestamp"])
    if state == "sent":
        return _sent(account_id, wamid, customer, at, status.get("biz_opaque_callback_data"))
    if state == "failed":
        reason = "; ".join(_error_text(e) for e in status.get("errors") or ()) or "failed"
        text: str | None = f"WhatsApp could not deliver it: {reason}"
        kind = EventKind.BOUNCED
    elif state in ("delivered", "read"):
        text, kind = None, EventKind.DELIVERED if state == "delivered" else EventKind.READ
    else:
        raise UnsupportedEvent(f"WhatsApp status {state!r} is not ingested ({wamid})")
    return InboundEvent(
        kind=kind,
        account_external_id=account_id,
        external_id=f"{state}:{wamid}",
        thread_key=customer,
        conversation_kind=ConversationKind.DM,
        sent_at=at,
        customer=Participant(external_id=customer),
        text=text,
        targets=(wamid,),
        channel=CHANNEL,
    )


def _sent(account_id: str, wamid: str, customer: str, at: datetime, callback: Any) -> InboundEvent:
    """`sent` names our reply by the callback data we attached to it: an echo, which settles
    a send whose answer was lost (outcome unknown). Sends from elsewhere carry no text to
    store, so they are refused by name."""
    if not (isinstance(callback, str) and callback.startswith(CALLBACK_PREFIX)):
        raise UnsupportedEvent(f"WhatsApp `sent` status for a message we did not send ({wamid})")
    return InboundEvent(
        kind=EventKind.ECHO,
        account_external_id=account_id,
        external_id=wamid,
        thread_key=customer,
        conversation_kind=ConversationKind.DM,
        sent_at=at,
        customer=Participant(external_id=customer),
        outbound_ref=callback[len(CALLBACK_PREFIX) :],
        extra={"wa_status": "sent"},
        channel=CHANNEL,
    )


def _error_text(error: Any) -> str:
    if not isinstance(error, Mapping):
        return str(error)
    detail = (error.get("error_data") or {}).get("details") or error.get("message") or ""
    title = error.get("title") or "error"
    return f"{error.get('code')} {title}" + (f": {detail}" if detail and detail != title else "")
