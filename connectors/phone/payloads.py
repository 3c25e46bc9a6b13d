"""Twilio callbacks (form-encoded POSTs) → InboundEvents.

One URL (/webhooks/phone) takes every callback; what a body is follows from its fields:
`MessageSid` + `SmsStatus=received` is a customer's text, `MessageSid` + `MessageStatus` a
status of one of our sends, `CallSid` + `CallStatus` a call's progress, `RecordingSid` a
voicemail recording and `TranscriptionSid` its transcript. Anything else is refused by name
(UnsupportedEvent), so it is recorded as rejected, never dropped.

The provider's id of each thing (SM…, CA…, RE…, TR…) is the event's external id: ingest
stores a (channel account, Sid) once, however often a callback is retried.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl

from connectors.base import (
    Attachment,
    ConversationKind,
    EventKind,
    InboundEvent,
    Participant,
    UnsupportedEvent,
)
from connectors.phone import wire
from connectors.phone.numbers import BadNumber, to_e164

CHANNEL = "phone"
Form = Mapping[str, str]


def form_of(body: bytes) -> dict[str, str]:
    """The callback's fields; a repeated field keeps its last value (Twilio repeats none)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnsupportedEvent("callback body is not UTF-8 form data") from exc
    return dict(parse_qsl(text, keep_blank_values=True))


def received_at(headers: Mapping[str, str]) -> datetime:
    """When the delivery reached us (our webhook view's header), else now."""
    value = _header(headers, wire.RECEIVED_HEADER)
    if value:
        try:
            found = datetime.fromisoformat(value)
        except ValueError:
            found = None
        if found is not None and found.tzinfo is not None:
            return found.astimezone(UTC)
    return datetime.now(UTC)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lower = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lower), None)


def signed_url(headers: Mapping[str, str]) -> str:
    return _header(headers, wire.URL_HEADER) or ""


def number(value: str | None, what: str) -> str:
    if not value:
        raise UnsupportedEvent(f"callback without {what}")
    try:
        return to_e164(value)
    except BadNumber as exc:
        raise UnsupportedEvent(f"{what} {value!r} is not a phone number") from exc


def events(headers: Mapping[str, str], body: bytes) -> list[InboundEvent]:
    form = form_of(body)
    at = received_at(headers)
    if form.get("CallSid") and not form.get("MessageSid"):
        return [call_event(form, signed_url(headers), at)]
    if form.get("MessageSid"):
        if (form.get("SmsStatus") or form.get("MessageStatus")) == "received":
            return [text_event(form, at)]
        return [status_event(form, signed_url(headers), at)]
    raise UnsupportedEvent("callback names no message, call, recording or transcription")


def text_event(form: Form, at: datetime) -> InboundEvent:
    """A customer's SMS: one conversation per (our number, their number), like a DM."""
    sid = form["MessageSid"]
    customer = number(form.get("From"), "From")
    ours = number(form.get("To"), "To")
    body = form.get("Body", "")
    extra: dict[str, Any] = {"segments": _int(form.get("NumSegments"))}
    media = _int(form.get("NumMedia"))
    if media:
        # MMS pictures stay at the provider (they need the account's credentials to fetch).
        extra["media_not_fetched"] = media
    opt = _opt_out_type(form.get("OptOutType")) or wire.opt_keyword(body)
    if opt is not None:
        extra["opt_out"] = opt
    return InboundEvent(
        kind=EventKind.MESSAGE,
        account_external_id=ours,
        external_id=sid,
        thread_key=customer,
        conversation_kind=ConversationKind.DM,
        sent_at=at,
        customer=Participant(external_id=customer, handle=customer, phone=customer),
        text=body,
        extra=extra,
        channel=CHANNEL,
    )


def _opt_out_type(value: str | None) -> str | None:
    kind = (value or "").upper()
    return {"STOP": "stop", "START": "start"}.get(kind)


def status_event(form: Form, url: str, at: datetime) -> InboundEvent:
    """A status of one of our texts. Accepted/sent name our reply by the `ref` we put in the
    StatusCallback URL: an echo, which settles a send whose answer was lost; delivered and
    read move it forward (never back, ingest's rule); undelivered/failed mark it failed."""
    sid = form["MessageSid"]
    state = (form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
    ours = number(form.get("From"), "From")
    customer = number(form.get("To"), "To")
    common: dict[str, Any] = {
        "account_external_id": ours,
        "thread_key": customer,
        "conversation_kind": ConversationKind.DM,
        "sent_at": at,
        "customer": Participant(external_id=customer, handle=customer, phone=customer),
        "channel": CHANNEL,
    }
    if state in wire.ACCEPTED:
        ref = wire.query_value(url, wire.REF_PARAM)
        if not ref:
            raise UnsupportedEvent(f"status {state!r} of a text we did not send ({sid})")
        return InboundEvent(
            kind=EventKind.ECHO,
            external_id=sid,
            outbound_ref=ref,
            extra={"sms_status": state},
            **common,
        )
    if state in (wire.DELIVERED, wire.READ):
        kind = EventKind.DELIVERED if state == wire.DELIVERED else EventKind.READ
        return InboundEvent(kind=kind, external_id=f"{state}:{sid}", targets=(sid,), **common)
    if state in wire.FAILED:
        code = form.get("ErrorCode") or "no error code"
        return InboundEvent(
            kind=EventKind.BOUNCED,
            external_id=f"{state}:{sid}",
            targets=(sid,),
            text=f"the text was {state} (error {code})",
            **common,
        )
    raise UnsupportedEvent(f"text status {state!r} is not ingested ({sid})")


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def call_time(form: Form, fallback: datetime) -> datetime:
    """A call callback's `Timestamp` (RFC 2822), else when it reached us."""
    value = form.get("Timestamp")
    if value:
        try:
            return parsedate_to_datetime(value).astimezone(UTC)
        except (TypeError, ValueError):
            pass
    return fallback


# -- calls ---------------------------------------------------------------------------------

# DialCallStatus (the agents' phones, rung by <Dial>) → what happened to the customer's call.
DIAL_OUTCOMES = {
    "completed": "answered",
    "answered": "answered",
    "no-answer": "missed",
    "busy": "missed",
    "failed": "missed",
    "canceled": "abandoned",  # the caller hung up while the agents' phones rang
}
AUDIO = "audio/wav"  # RecordingUrl serves WAV unless an extension asks for MP3


def call_event(form: Form, url: str, at: datetime) -> InboundEvent:
    """One step of a call, keyed by the customer's call's CallSid (`extra["call"]`).

    Callbacks that name neither number (recordings, the agents' legs) get them from the
    query of the URL we gave the provider for them (signed like the rest): `account`, our
    number, and `customer`.
    """
    call: dict[str, Any] = {"sid": form["CallSid"]}
    attachments: tuple[Attachment, ...] = ()
    direction = form.get("Direction") or "inbound"
    when = call_time(form, at)
    if form.get("TranscriptionSid"):
        done = form.get("TranscriptionStatus") == "completed"
        call |= {
            "event": "transcript",
            "recording_sid": form.get("RecordingSid"),
            "transcript": form.get("TranscriptionText") if done else None,
            "transcript_problem": None if done else "the provider could not transcribe it",
        }
    elif form.get("RecordingSid"):
        recording = form["RecordingSid"]
        call |= {
            "event": "recording",
            "recording_sid": recording,
            "recording_duration": _int(form.get("RecordingDuration")),
        }
        if form.get("RecordingUrl"):
            attachments = (
                Attachment(
                    kind="audio",
                    url=form["RecordingUrl"] + ".wav",
                    filename=f"voicemail-{recording}.wav",
                    content_type=AUDIO,
                    extra={"recording_sid": recording},
                ),
            )
    elif form.get("DialCallStatus"):
        dial = form["DialCallStatus"]
        call |= {"event": DIAL_OUTCOMES.get(dial, "missed"), "dial_status": dial}
        if call["event"] == "answered":
            call["talk_seconds"] = _int(form.get("DialCallDuration"))
    elif form.get("ParentCallSid"):
        # An agent's phone (a <Number> of our <Dial>): who picked up.
        if form.get("CallStatus") not in ("in-progress", "answered"):
            raise UnsupportedEvent(f"agent leg status {form.get('CallStatus')!r} is not ingested")
        direction = wire.query_value(url, "direction") or "inbound"
        if direction == "outbound":  # click-to-call: the customer picked up
            call |= {"sid": form["ParentCallSid"], "event": "answered"}
        else:
            call |= {
                "sid": form["ParentCallSid"],
                "event": "agent_answered",
                "answered_by": number(form.get("To") or form.get("Called"), "To"),
            }
    else:
        status = form.get("CallStatus") or ""
        if status not in wire.CALL_RANK:
            raise UnsupportedEvent(f"call status {status!r} is not ingested ({form['CallSid']})")
        call |= {
            "event": "ended" if status in wire.CALL_TERMINAL else status.replace("-", "_"),
            "status": status,
        }
        if status in wire.CALL_TERMINAL:
            call["duration"] = _int(form.get("CallDuration"))
    if wire.query_value(url, wire.REF_PARAM):
        call["ref"] = wire.query_value(url, wire.REF_PARAM)
    outbound = direction.startswith("outbound") or wire.query_value(url, "direction") == "outbound"
    ours = wire.query_value(url, "account") or form.get("From" if outbound else "To")
    customer = wire.query_value(url, "customer") or form.get("To" if outbound else "From")
    call["direction"] = "outbound" if outbound else "inbound"
    caller = number(customer, "the customer's number")
    return InboundEvent(
        kind=EventKind.CALL,
        account_external_id=number(ours, "our number"),
        external_id=f"{call['sid']}:{call['event']}",
        thread_key=caller,
        conversation_kind=ConversationKind.DM,
        sent_at=when,
        customer=Participant(external_id=caller, handle=caller, phone=caller),
        targets=(call["sid"],),
        attachments=attachments,
        extra={"call": call},
        channel=CHANNEL,
    )
