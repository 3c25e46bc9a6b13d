"""Calls, played the way the provider plays them: ask the number's voice URL for TwiML, act
on it (<Say>, <Dial> with its <Number>s, <Record>, <Hangup>), ask each `action` URL for the
next TwiML, and send the status, recording and transcription callbacks.

A scenario says what the people do: whether an agent picks up (`answer`: "agent" | "none" |
"hangup" — the caller gives up while it rings), how long they talk, and what the caller says
to the voicemail (None: hangs up at the beep). Requests that expect TwiML are made during the
call; the recording, transcription and final status callbacks wait in the outbox like the
SMS statuses, so tests can deliver them late, twice or out of order.
"""

from __future__ import annotations

import io
import math
import struct
import wave
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from connectors.phone import wire


@dataclass
class Scenario:
    caller: str
    answer: str = "agent"  # agent | none | hangup
    talk_seconds: int = 95
    voicemail: str | None = None  # what the caller says after the beep
    voicemail_seconds: int = 12


@dataclass
class CallLog:
    sid: str
    said: list[str] = field(default_factory=list)
    dialed: list[str] = field(default_factory=list)
    answered_by: str | None = None
    recording_sid: str | None = None
    steps: list[str] = field(default_factory=list)


def tone(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A short 440 Hz WAV: the voicemail's audio (playable in a browser)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
            for i in range(int(seconds * rate))
        )
        out.writeframes(frames)
    return buffer.getvalue()


def timestamp() -> str:
    return format_datetime(datetime.now(UTC))


def play(provider: Any, scenario: Scenario, sid: Any) -> CallLog:
    """Run one incoming call from `scenario.caller` to our number."""
    settings = provider.settings
    ours = str(settings["NUMBER"])
    call = CallLog(sid=sid("CA"))
    base = {
        "AccountSid": str(settings["ACCOUNT_SID"]),
        "ApiVersion": wire.API_VERSION,
        "CallSid": call.sid,
        "From": scenario.caller,
        "Caller": scenario.caller,
        "To": ours,
        "Called": ours,
        "Direction": "inbound",
        "FromCountry": "KR",
        "ToCountry": "KR",
    }
    answer = provider.post(str(settings["VOICE_URL"]), {**base, "CallStatus": "ringing"})
    call.steps.append(f"voice {answer['status']}")
    talked = 0
    twiml = answer["body"] if answer["status"] == 200 else "<Response/>"
    while twiml:
        twiml, seconds = _act(provider, scenario, call, base, twiml, sid)
        talked += seconds
    # An incoming call answered by TwiML ends `completed`, whoever spoke (or nobody).
    status = "completed" if answer["status"] == 200 else "failed"
    provider.queue(
        settings.get("STATUS_URL") or settings["SMS_URL"],
        {
            **base,
            "CallStatus": status,
            "CallDuration": str(talked),
            "Duration": str(math.ceil(talked / 60)),
            "Timestamp": timestamp(),
            "CallbackSource": "call-progress-events",
            "SequenceNumber": "0",
        },
    )
    with provider.lock:
        provider.calls[call.sid] = call.__dict__
    return call


def _act(
    provider: Any, scenario: Scenario, call: CallLog, base: dict[str, str], twiml: str, sid: Any
) -> tuple[str, int]:
    """Carry out one TwiML document; the next document (from an action URL) and seconds."""
    root = ET.fromstring(twiml)
    for verb in root:
        if verb.tag == "Say":
            call.said.append(verb.text or "")
        elif verb.tag == "Hangup":
            return "", 0
        elif verb.tag == "Dial":
            return _dial(provider, scenario, call, base, verb, sid)
        elif verb.tag == "Record":
            return _record(provider, scenario, call, base, verb, sid)
    return "", 0


def _dial(
    provider: Any, scenario: Scenario, call: CallLog, base: dict[str, str], dial: Any, sid: Any
) -> tuple[str, int]:
    numbers = [(n.text or "", n.get("statusCallback")) for n in dial.findall("Number")]
    call.dialed = [n for n, _ in numbers]
    outcome = {"agent": "completed", "none": "no-answer", "hangup": "canceled"}[scenario.answer]
    fields = {**base, "CallStatus": "in-progress", "DialCallStatus": outcome}
    talked = 0
    if outcome == "completed" and numbers:
        agent, callback = numbers[0]
        child = sid("CA")
        call.answered_by = agent
        if callback:
            provider.post(
                callback,
                {
                    "AccountSid": base["AccountSid"],
                    "ApiVersion": wire.API_VERSION,
                    "CallSid": child,
                    "ParentCallSid": call.sid,
                    "CallStatus": "in-progress",
                    "Direction": "outbound-dial",
                    "From": base["From"],
                    "To": agent,
                    "Called": agent,
                    "Timestamp": timestamp(),
                    "CallbackSource": "call-progress-events",
                    "SequenceNumber": "1",
                },
            )
        talked = scenario.talk_seconds
        fields |= {"DialCallSid": child, "DialCallDuration": str(talked)}
    action = dial.get("action")
    if not action:
        return "", talked
    answer = provider.post(action, fields)
    call.steps.append(f"dial {outcome} {answer['status']}")
    if scenario.answer == "hangup":
        return "", 0
    return (answer["body"] if answer["status"] == 200 else ""), talked


def _record(
    provider: Any, scenario: Scenario, call: CallLog, base: dict[str, str], record: Any, sid: Any
) -> tuple[str, int]:
    if scenario.voicemail is None:
        return "", 0  # the caller hung up at the beep
    recording = sid("RE")
    call.recording_sid = recording
    account = base["AccountSid"]
    url = f"{provider.public_url()}/{wire.API_VERSION}/Accounts/{account}/Recordings/{recording}"
    with provider.lock:
        provider.recordings[recording] = tone()
    seconds = str(scenario.voicemail_seconds)
    recorded = {
        **base,
        "CallStatus": "in-progress",
        "RecordingSid": recording,
        "RecordingUrl": url,
        "RecordingDuration": seconds,
    }
    if record.get("recordingStatusCallback"):
        provider.queue(
            record.get("recordingStatusCallback"),
            {
                "AccountSid": account,
                "CallSid": call.sid,
                "RecordingSid": recording,
                "RecordingUrl": url,
                "RecordingStatus": "completed",
                "RecordingDuration": seconds,
                "RecordingChannels": "1",
                "RecordingSource": "RecordVerb",
                "RecordingStartTime": timestamp(),
            },
        )
    if record.get("transcribe") == "true" and record.get("transcribeCallback"):
        provider.queue(
            record.get("transcribeCallback"),
            {
                **base,
                "CallStatus": "completed",
                "TranscriptionSid": sid("TR"),
                "TranscriptionText": scenario.voicemail,
                "TranscriptionStatus": "completed",
                "TranscriptionUrl": f"{url}/Transcriptions",
                "TranscriptionType": "fast",
                "RecordingSid": recording,
                "RecordingUrl": url,
            },
        )
    action = record.get("action")
    if not action:
        return "", scenario.voicemail_seconds
    answer = provider.post(action, recorded)
    call.steps.append(f"recorded {answer['status']}")
    return (answer["body"] if answer["status"] == 200 else ""), scenario.voicemail_seconds


def outbound(provider: Any, form: Any, to: str, sid: Any) -> dict[str, Any]:
    """Click-to-call as the provider runs it: ring `to` (the agent), run the TwiML when they
    answer (<Dial> the customer), report each step to StatusCallback (queued)."""
    settings = provider.settings
    call_sid = sid("CA")
    ours = str(form.get("From", ""))
    account = str(settings["ACCOUNT_SID"])
    answer = str(settings.get("OUTBOUND_ANSWER") or "both")
    talk = int(settings.get("OUTBOUND_TALK_SECONDS") or 60)
    root = ET.fromstring(form.get("Twiml") or "<Response/>")
    numbers = [(n.text or "", n.get("statusCallback")) for n in root.iter("Number")]
    customer, child_callback = numbers[0] if numbers else ("", None)
    callback = form.get("StatusCallback")
    wanted = set(form.getlist("StatusCallbackEvent")) or {"completed"}
    base = {
        "AccountSid": account,
        "ApiVersion": wire.API_VERSION,
        "CallSid": call_sid,
        "From": ours,
        "To": to,
        "Direction": "outbound-api",
        "CallbackSource": "call-progress-events",
    }
    steps = ["initiated", "ringing"] + (["answered"] if answer != "none" else [])
    for number, step in enumerate(steps):
        if step in wanted:
            status = "in-progress" if step == "answered" else step
            provider.queue(
                callback,
                {
                    **base,
                    "CallStatus": status,
                    "Timestamp": timestamp(),
                    "SequenceNumber": str(number),
                },
            )
    if answer == "both" and child_callback:
        provider.queue(
            child_callback,
            {
                "AccountSid": account,
                "ApiVersion": wire.API_VERSION,
                "CallSid": sid("CA"),
                "ParentCallSid": call_sid,
                "CallStatus": "in-progress",
                "Direction": "outbound-dial",
                "From": ours,
                "To": customer,
                "Timestamp": timestamp(),
            },
        )
    seconds = talk if answer == "both" else (5 if answer == "agent_only" else 0)
    provider.queue(
        callback,
        {
            **base,
            "CallStatus": "completed" if answer != "none" else "no-answer",
            "CallDuration": str(seconds),
            "Timestamp": timestamp(),
            "SequenceNumber": str(len(steps)),
        },
    )
    made = {
        "sid": call_sid,
        "account_sid": account,
        "to": to,
        "from": ours,
        "status": "queued",
        "direction": "outbound-api",
        "api_version": wire.API_VERSION,
        "date_created": timestamp(),
        "customer": customer,
    }
    with provider.lock:
        provider.calls[call_sid] = {**made, "answer": answer}
    return made
