"""TwiML for incoming calls: ring the agents (or a forwarding number) when open, otherwise
(or when nobody answers) a Korean and English message and a voicemail with transcription.

Every callback URL we hand the provider names our number and the customer's in its query
(`account`, `customer`): recordings and the agents' legs do not name them otherwise, and the
signature covers the query, so they cannot be forged.
"""

from __future__ import annotations

from urllib.parse import urlencode

from twilio.twiml.voice_response import Dial, VoiceResponse

from connectors.base import CallRoute, IncomingCall

CLOSED = (
    (
        "ko-KR",
        "안녕하세요, 고객센터입니다. 지금은 상담 시간이 아닙니다. "
        "삐 소리가 나면 메시지를 남겨 주시면 연락드리겠습니다.",
    ),
    (
        "en-US",
        "Hello, this is customer support. We are closed right now. "
        "Please leave a message after the tone and we will call you back.",
    ),
)
BUSY = (
    ("ko-KR", "지금은 모든 상담원이 통화 중입니다. 삐 소리가 나면 메시지를 남겨 주세요."),
    ("en-US", "All our agents are busy. Please leave a message after the tone."),
)
THANKS = (("ko-KR", "감사합니다."), ("en-US", "Thank you. Goodbye."))
VOICEMAIL_SECONDS = 120


def with_query(url: str, **params: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{urlencode(params)}"


def answer(call: IncomingCall, route: CallRoute, callback_url: str) -> str:
    """The TwiML document for this step of the call."""
    voice_url = f"{callback_url}/voice"
    names = {"account": call.account_external_id, "customer": call.caller}
    response = VoiceResponse()
    if call.step == "recorded":
        _say(response, THANKS)
        response.hangup()
    elif call.step == "dialed" and call.dial_status in ("completed", "answered"):
        response.hangup()
    elif call.step == "incoming" and route.open and route.dial:
        dial = Dial(
            action=with_query(voice_url, step="dialed", **names),
            timeout=route.ring_seconds,
            answer_on_bridge=True,
        )
        for number in route.dial:
            dial.number(
                number,
                status_callback=with_query(callback_url, **names),
                status_callback_event="answered",
            )
        response.append(dial)
    else:
        _say(response, BUSY if call.step == "dialed" else CLOSED)
        response.record(
            action=with_query(voice_url, step="recorded", **names),
            max_length=VOICEMAIL_SECONDS,
            play_beep=True,
            recording_status_callback=with_query(callback_url, **names),
            recording_status_callback_event="completed",
            transcribe=True,
            transcribe_callback=with_query(callback_url, **names),
        )
    return str(response)


def _say(response: VoiceResponse, lines: tuple[tuple[str, str], ...]) -> None:
    for language, text in lines:
        response.say(text, language=language)


def bridge(customer: str, ours: str, callback_url: str, ref: str) -> str:
    """TwiML run on the agent's phone once they pick up: call the customer from our number."""
    names = {"account": ours, "customer": customer, "direction": "outbound", "ref": ref}
    response = VoiceResponse()
    dial = Dial(caller_id=ours, answer_on_bridge=True)
    dial.number(
        customer,
        status_callback=with_query(callback_url, **names),
        status_callback_event="answered",
    )
    response.append(dial)
    return str(response)
