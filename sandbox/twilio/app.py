"""The provider, played over loopback HTTP: `create_app(config)`.

REST (HTTP basic auth with the Account SID and auth token, as the twilio package sends it;
every request is logged at `/_emu/requests` exactly as received):
`POST /2010-04-01/Accounts/{sid}/Messages.json` (an SMS: 201 with the message, or 400 code
21610 when the customer opted out), `POST …/Calls.json` (an outbound call), and
`GET …/IncomingPhoneNumbers.json` (the account's numbers).

Callbacks are form POSTs signed with X-Twilio-Signature (RequestValidator over the URL and
the fields). Status callbacks wait in an outbox until `/_emu/callbacks/deliver` sends them
(in order, reversed, or each several times), so tests can make them late, duplicated and out
of order; with AUTO_CALLBACKS a thread sends them right away (the demo).

Control (JSON, under /_emu): `config`, `sms` (the customer texts us), `requests`,
`requests/clear`, `callbacks`, `callbacks/deliver`, `deliveries`, `inbox` (texts a customer
received), and the customer simulator page `simulator`.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import requests
from flask import Flask, Response, jsonify, redirect, render_template, request
from twilio.request_validator import RequestValidator
from werkzeug.wrappers import Response as BaseResponse

from connectors.phone import wire
from connectors.phone.numbers import BadNumber, to_e164
from connectors.phone.segments import count
from sandbox.twilio import calls

DEFAULTS: dict[str, Any] = {
    "ACCOUNT_SID": "AC00000000000000000000000000000001",
    "AUTH_TOKEN": "sandbox-auth-token",
    "NUMBER": "+8225550100",
    "SMS_URL": "",  # where the number's incoming texts are posted (/webhooks/phone)
    "VOICE_URL": "",  # where the number's incoming calls ask for TwiML (/webhooks/phone/voice)
    "STATUS_URL": "",  # the number's call status callback (empty: SMS_URL)
    "PUBLIC_URL": "",  # this emulator's own base URL (recording links); empty: as called
    "OUTBOUND_ANSWER": "both",  # click-to-call: both pick up | agent_only | none
    "OUTBOUND_TALK_SECONDS": 60,
    "AUTO_CALLBACKS": False,
}


def sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


class Provider:
    """The emulator's state; one per app, guarded by one lock."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = dict(settings)
        self.lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self.messages: dict[str, dict[str, Any]] = {}
        self.opted_out: set[tuple[str, str]] = set()
        self.outbox: list[tuple[str, dict[str, str]]] = []
        self.deliveries: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []  # texts customers got from us
        self.calls: dict[str, dict[str, Any]] = {}
        self.recordings: dict[str, bytes] = {}
        self.base_url = ""
        self.wake = threading.Event()

    @property
    def validator(self) -> RequestValidator:
        return RequestValidator(str(self.settings["AUTH_TOKEN"]))

    def sign(self, url: str, params: Mapping[str, str]) -> str:
        return str(self.validator.compute_signature(url, dict(params)))

    def post(self, url: str, params: Mapping[str, str]) -> dict[str, Any]:
        """A signed callback, sent now; its answer is logged at /_emu/deliveries."""
        headers = {wire.SIGNATURE_HEADER: self.sign(url, params)}
        try:
            answer = requests.post(url, data=dict(params), headers=headers, timeout=30)
            status, text = answer.status_code, answer.text
        except requests.RequestException as exc:
            status, text = 0, str(exc)
        done = {"url": url, "params": dict(params), "status": status, "body": text}
        with self.lock:
            self.deliveries.append(done)
        return done

    def queue(self, url: str | None, params: Mapping[str, str]) -> None:
        if not url:
            return
        with self.lock:
            self.outbox.append((url, dict(params)))
        self.wake.set()

    def deliver(self, order: str = "fifo", repeat: int = 1) -> list[dict[str, Any]]:
        with self.lock:
            batch, self.outbox = self.outbox, []
        if order == "lifo":
            batch.reverse()
        return [self.post(url, params) for url, params in batch for _ in range(repeat)]

    def public_url(self) -> str:
        return str(self.settings.get("PUBLIC_URL") or self.base_url).rstrip("/")

    def run_auto(self) -> None:
        while True:
            self.wake.wait()
            self.wake.clear()
            time.sleep(0.2)
            self.deliver()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    settings = {**DEFAULTS, **dict(config or {})}
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    provider = Provider(settings)
    app.extensions["twilio_sandbox"] = provider
    if settings["AUTO_CALLBACKS"]:
        threading.Thread(target=provider.run_auto, daemon=True).start()
    _install_rest(app, provider)
    _install_control(app, provider)
    return app


def _now() -> str:
    return format_datetime(datetime.now(UTC))


def _error(status: int, code: int, message: str) -> Response:
    body = {"code": code, "message": message, "more_info": "", "status": status}
    response = jsonify(body)
    response.status_code = status
    return response


def _authorized(provider: Provider, account_sid: str) -> bool:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return False
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return False
    want = (provider.settings["ACCOUNT_SID"], provider.settings["AUTH_TOKEN"])
    return (user, password) == want and account_sid == want[0]


def _log(provider: Provider) -> None:
    with provider.lock:
        provider.requests.append(
            {
                "method": request.method,
                "path": request.path,
                "query": request.args.to_dict(),
                # A repeated field (StatusCallbackEvent) as the list of its values.
                "form": {
                    k: v[0] if len(v) == 1 else v
                    for k, v in request.form.to_dict(flat=False).items()
                },
                "user": request.authorization.username if request.authorization else None,
            }
        )


def _install_rest(app: Flask, provider: Provider) -> None:
    base = f"/{wire.API_VERSION}/Accounts/<account_sid>"

    @app.post(f"{base}/Messages.json")
    def create_message(account_sid: str) -> Response:
        _log(provider)
        if not _authorized(provider, account_sid):
            return _error(401, 20003, "Authenticate")
        form = request.form
        try:
            to = to_e164(form.get("To", ""))
        except BadNumber:
            return _error(
                400, 21211, f"The 'To' number {form.get('To')} is not a valid phone number."
            )
        sender = form.get("From", "")
        body = form.get("Body", "")
        if not body:
            return _error(400, 21602, "Message body is required.")
        if (sender, to) in provider.opted_out:
            return _error(400, wire.ERROR_UNSUBSCRIBED, "Attempt to send to unsubscribed recipient")
        message_sid = sid("SM")
        parts = count(body).count
        message = {
            "sid": message_sid,
            "account_sid": account_sid,
            "to": to,
            "from": sender,
            "body": body,
            "status": "queued",
            "num_segments": str(parts),
            "num_media": "0",
            "direction": "outbound-api",
            "api_version": wire.API_VERSION,
            "date_created": _now(),
            "date_updated": _now(),
            "date_sent": None,
            "error_code": None,
            "error_message": None,
            "price": None,
            "uri": f"/{wire.API_VERSION}/Accounts/{account_sid}/Messages/{message_sid}.json",
        }
        with provider.lock:
            provider.messages[message_sid] = message
            provider.received.append({"to": to, "from": sender, "body": body, "sid": message_sid})
        callback = form.get("StatusCallback")
        for state in ("sent", "delivered"):
            provider.queue(
                callback,
                {
                    "AccountSid": account_sid,
                    "ApiVersion": wire.API_VERSION,
                    "From": sender,
                    "To": to,
                    "MessageSid": message_sid,
                    "SmsSid": message_sid,
                    "MessageStatus": state,
                    "SmsStatus": state,
                },
            )
        response = jsonify(message)
        response.status_code = 201
        return response

    @app.post(f"{base}/Calls.json")
    def create_call(account_sid: str) -> Response:
        """An outbound call (click-to-call): the agent's phone first, then the TwiML's
        <Dial>; its statuses wait in the outbox (sandbox/twilio/calls.py `outbound`)."""
        _log(provider)
        if not _authorized(provider, account_sid):
            return _error(401, 20003, "Authenticate")
        form = request.form
        try:
            to = to_e164(form.get("To", ""))
        except BadNumber:
            return _error(400, 21211, f"The 'To' number {form.get('To')} is not valid.")
        if not (form.get("Twiml") or form.get("Url")):
            return _error(400, 21205, "Url or Twiml is required.")
        call = calls.outbound(provider, form, to, sid)
        response = jsonify(call)
        response.status_code = 201
        return response

    @app.get(f"{base}/Recordings/<recording_sid>.<extension>")
    def recording(account_sid: str, recording_sid: str, extension: str) -> Response:
        _log(provider)
        if not _authorized(provider, account_sid):
            return _error(401, 20003, "Authenticate")
        with provider.lock:
            audio = provider.recordings.get(recording_sid)
        if audio is None or extension != "wav":
            return _error(404, 20404, "The requested resource was not found")
        return Response(audio, mimetype="audio/wav")

    @app.get(f"{base}/IncomingPhoneNumbers.json")
    def numbers(account_sid: str) -> Response:
        _log(provider)
        if not _authorized(provider, account_sid):
            return _error(401, 20003, "Authenticate")
        number = provider.settings["NUMBER"]
        wanted = request.args.get("PhoneNumber")
        rows = (
            []
            if wanted and wanted != number
            else [{"sid": "PN" + "0" * 32, "phone_number": number, "friendly_name": number}]
        )
        return jsonify(
            {
                "incoming_phone_numbers": rows,
                "page": 0,
                "page_size": 50,
                "start": 0,
                "end": len(rows),
                "uri": request.full_path,
                "first_page_uri": request.full_path,
                "next_page_uri": None,
                "previous_page_uri": None,
            }
        )


def _install_control(app: Flask, provider: Provider) -> None:
    @app.post("/_emu/config")
    def config() -> Response:
        for key, value in (request.get_json(silent=True) or {}).items():
            provider.settings[key.upper()] = value
        return jsonify({k: v for k, v in provider.settings.items() if k != "AUTH_TOKEN"})

    @app.post("/_emu/sms")
    def customer_texts() -> Response:
        """A customer texts our number: the signed incoming-message webhook, posted now."""
        return jsonify(text_us(provider, request.get_json(silent=True) or {}))

    @app.post("/_emu/call")
    def customer_calls() -> Response:
        """A customer calls our number; the call is played through (sandbox/twilio/calls.py)."""
        data = request.get_json(silent=True) or {}
        provider.base_url = provider.base_url or request.host_url
        scenario = calls.Scenario(
            caller=to_e164(str(data.get("from") or "+821012345678")),
            answer=str(data.get("answer") or "agent"),
            talk_seconds=int(data.get("talk_seconds") or 95),
            voicemail=data.get("voicemail"),
        )
        played = calls.play(provider, scenario, sid)
        return jsonify(played.__dict__)

    @app.get("/_emu/calls")
    def calls_made() -> Response:
        with provider.lock:
            return jsonify(list(provider.calls.values()))

    @app.post("/_emu/post")
    def post_now() -> Response:
        """A signed callback of the test's own making (a status the provider would send)."""
        data = request.get_json(silent=True) or {}
        return jsonify(provider.post(str(data["url"]), dict(data.get("params") or {})))

    @app.get("/_emu/requests")
    def logged() -> Response:
        with provider.lock:
            return jsonify(list(provider.requests))

    @app.post("/_emu/requests/clear")
    def clear() -> Response:
        with provider.lock:
            provider.requests.clear()
            provider.deliveries.clear()
        return jsonify({"ok": True})

    @app.get("/_emu/callbacks")
    def pending() -> Response:
        with provider.lock:
            return jsonify([{"url": u, "params": p} for u, p in provider.outbox])

    @app.post("/_emu/callbacks/deliver")
    def deliver() -> Response:
        data = request.get_json(silent=True) or {}
        done = provider.deliver(str(data.get("order") or "fifo"), int(data.get("repeat") or 1))
        return jsonify(done)

    @app.get("/_emu/deliveries")
    def deliveries() -> Response:
        with provider.lock:
            return jsonify(list(provider.deliveries))

    @app.get("/_emu/inbox")
    def inbox() -> Response:
        number = request.args.get("number")
        with provider.lock:
            rows = [r for r in provider.received if number in (None, r["to"])]
        return jsonify(rows)

    @app.get("/_emu/simulator")
    def simulator() -> str:
        with provider.lock:
            received = list(reversed(provider.received))
            made = list(reversed(provider.calls.values()))
            logged = list(reversed(provider.requests))[:20]
        return render_template(
            "phone_simulator.html",
            number=provider.settings["NUMBER"],
            customer=request.args.get("customer") or "010-1234-5678",
            received=received,
            calls=made,
            requests=logged,
        )

    @app.post("/_emu/simulator/sms")
    def simulator_sms() -> BaseResponse:
        """The page's form: text our number (posted through the same code as /_emu/sms)."""
        with app.test_request_context(
            json={"from": request.form.get("from"), "body": request.form.get("body", "")}
        ):
            customer_texts()
        return redirect("../simulator")

    @app.post("/_emu/simulator/call")
    def simulator_call() -> BaseResponse:
        provider.base_url = provider.base_url or request.host_url
        scenario = calls.Scenario(
            caller=to_e164(request.form.get("from") or "+821012345678"),
            answer=request.form.get("answer") or "agent",
            voicemail=request.form.get("voicemail") or None,
        )
        threading.Thread(target=calls.play, args=(provider, scenario, sid), daemon=True).start()
        return redirect("../simulator")


def text_us(provider: Provider, data: Mapping[str, Any]) -> dict[str, Any]:
    """A customer texts our number: the signed incoming-message webhook, posted now."""
    customer = to_e164(str(data.get("from") or "+821012345678"))
    ours = str(data.get("to") or provider.settings["NUMBER"])
    body = str(data.get("body") or "")
    message_sid = str(data.get("sid") or sid("SM"))
    word = wire.opt_keyword(body)
    with provider.lock:
        if word == "stop":
            provider.opted_out.add((ours, customer))
        elif word == "start":
            provider.opted_out.discard((ours, customer))
    params = {
        "ToCountry": "KR",
        "SmsMessageSid": message_sid,
        "NumMedia": "0",
        "SmsSid": message_sid,
        "SmsStatus": "received",
        "Body": body,
        "FromCountry": "KR" if customer.startswith("+82") else "",
        "To": ours,
        "NumSegments": str(max(count(body).count, 1)),
        "MessageSid": message_sid,
        "AccountSid": str(provider.settings["ACCOUNT_SID"]),
        "From": customer,
        "ApiVersion": wire.API_VERSION,
    }
    if word is not None:
        params["OptOutType"] = word.upper()
    url = str(data.get("url") or provider.settings["SMS_URL"])
    done = provider.post(url, params) if url else {"status": None, "params": params}
    return {"sid": message_sid, **done}
