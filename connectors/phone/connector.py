"""Phone (calls and SMS) on a provider with Twilio's wire format, through the `twilio` package.

One channel account is one of our phone numbers, in E.164 (its external id). The provider
account (Account SID and auth token) is a setting, like Meta's app secret: callbacks are
signed with that token before we can tell which number they concern. The REST client talks
to PHONE_API_URL (the sandbox emulator in tests and the demo; https://api.twilio.com by
default).

Signatures: X-Twilio-Signature is HMAC-SHA1 (or the HMAC-SHA256 the settings header names)
over the URL the provider called plus the sorted form fields; our webhook view hands the URL
in as a header of its own (wire.URL_HEADER), and the comparison is constant-time.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import ClassVar, TypeVar
from urllib.parse import ParseResult, parse_qs, urlencode, urlparse

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import (
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    add_port,
    get_signature_algorithm,
    remove_port,
)
from twilio.rest import Client

from connectors.base import (
    AccountConfig,
    Attachment,
    CallRoute,
    Capability,
    ConnectionCheck,
    ConnectorError,
    ConversationKind,
    Headers,
    InboundEvent,
    IncomingCall,
    InvalidSignature,
    OutboundReply,
    OutcomeUnknown,
    PermanentSendError,
    ReauthRequired,
    ReplyWindow,
    RetryableSendError,
    SendResult,
    UnsupportedEvent,
)
from connectors.fetch import GuardedFetcher
from connectors.phone import payloads, segments, voice, wire
from connectors.phone.numbers import BadNumber, to_e164

T = TypeVar("T")
# Where the provider serves recordings (sandboxes are allowed by FETCH_ALLOW_HOSTS).
RECORDING_HOSTS = ("api.twilio.com",)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class PhoneConnector:
    slug: ClassVar[str] = "phone"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.WEBHOOK,
            Capability.LENGTH_LIMIT,
            Capability.CHECK_CONNECTION,
            Capability.VOICE,
            Capability.FETCH_ATTACHMENT,
            Capability.PLACE_CALL,
        }
    )

    def __init__(self, settings: Mapping[str, str]) -> None:
        self.account_sid = settings.get("PHONE_ACCOUNT_SID", "")
        self.auth_token = settings.get("PHONE_AUTH_TOKEN", "")
        self.api_url = (settings.get("PHONE_API_URL") or wire.DEFAULT_API_URL).rstrip("/")
        self.timeout = float(settings.get("PHONE_HTTP_TIMEOUT") or 20)
        base = settings.get("PUBLIC_BASE_URL", "").rstrip("/")
        self.callback_url = settings.get("PHONE_CALLBACK_URL") or (
            f"{base}/webhooks/phone" if base else ""
        )
        self.now: Callable[[], datetime] = _utcnow
        self.fetcher = GuardedFetcher.for_platform(RECORDING_HOSTS, settings)

    # -- webhook ---------------------------------------------------------------------------

    def verify(self, headers: Headers, body: bytes) -> None:
        """Refuse unless X-Twilio-Signature matches the URL and fields with our auth token.

        The provider signs the URL with and without an explicit port depending on the
        product; both are tried, as the twilio package does.
        """
        signature = _header(headers, wire.SIGNATURE_HEADER)
        url = payloads.signed_url(headers)
        if not signature or not url or not self.auth_token:
            raise InvalidSignature("missing X-Twilio-Signature, URL or auth token")
        algorithm = get_signature_algorithm(_header(headers, SIGNATURE_SETTINGS_HEADER))
        try:
            params = _signed_params(body)
            validator = RequestValidator(self.auth_token)
            candidates = {
                validator.compute_signature(u, params, algorithm)
                for u in (add_port(_parsed(url)), remove_port(_parsed(url)))
            }
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidSignature(f"cannot check the signature: {exc}") from exc
        matched = False
        for candidate in candidates:  # no early exit: both are compared every time
            matched |= hmac.compare_digest(candidate.encode(), signature.encode())
        if not matched:
            raise InvalidSignature("X-Twilio-Signature does not match")

    def parse(self, headers: Headers, body: bytes) -> Sequence[InboundEvent]:
        return payloads.events(headers, body)

    # -- calls -----------------------------------------------------------------------------

    def incoming_call(self, headers: Headers, body: bytes) -> IncomingCall:
        form = payloads.form_of(body)
        url = payloads.signed_url(headers)
        if not form.get("CallSid"):
            raise UnsupportedEvent("voice webhook without CallSid")
        return IncomingCall(
            account_external_id=payloads.number(
                wire.query_value(url, "account") or form.get("To"), "To"
            ),
            caller=payloads.number(wire.query_value(url, "customer") or form.get("From"), "From"),
            call_id=form["CallSid"],
            step=wire.query_value(url, "step") or "incoming",
            dial_status=form.get("DialCallStatus"),
        )

    def call_answer(self, call: IncomingCall, route: CallRoute) -> tuple[str, str]:
        return voice.answer(call, route, self.callback_url), "text/xml"

    def place_call(self, account: AccountConfig, agent: str, customer: str, ref: str) -> str:
        """Click-to-call: ring the agent's phone from our number; when they answer, the
        TwiML dials the customer with our number as caller id. Every status names `ref`."""
        try:
            agent_number, customer_number = to_e164(agent), to_e164(customer)
        except BadNumber as exc:
            raise PermanentSendError(str(exc)) from exc
        if not self.callback_url:
            raise PermanentSendError("no callback URL: set PUBLIC_BASE_URL or PHONE_CALLBACK_URL")
        names = {
            "account": account.external_id,
            "customer": customer_number,
            "direction": "outbound",
            wire.REF_PARAM: ref,
        }
        twiml = voice.bridge(customer_number, account.external_id, self.callback_url, ref)
        client = self.client()
        created = self._call(
            lambda: client.calls.create(
                to=agent_number,
                from_=account.external_id,
                twiml=twiml,
                status_callback=voice.with_query(self.callback_url, **names),
                status_callback_event=["initiated", "ringing", "answered", "completed"],
            )
        )
        return str(created.sid)

    def fetch_attachment(self, account: AccountConfig, attachment: Attachment) -> bytes:
        """A voicemail recording, downloaded with the account's credentials."""
        if not attachment.url:
            raise PermanentSendError("recording without a URL")
        login = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return self.fetcher.get(attachment.url, headers={"Authorization": f"Basic {login}"})

    # -- replying --------------------------------------------------------------------------

    def reply_window(
        self,
        account: AccountConfig,
        kind: ConversationKind,
        last_customer_message_at: datetime | None,
        now: datetime,
    ) -> ReplyWindow:
        """Texts have no reply window; opted-out numbers are refused by the inbox
        (web/replying.py) and, should one slip through, by the provider (21610)."""
        if kind != ConversationKind.DM:
            return ReplyWindow(open=False, reason="only text conversations can be answered")
        return ReplyWindow(open=True)

    def validate_text(self, kind: ConversationKind, text: str) -> str | None:
        found = segments.count(text)
        if found.count > segments.MAX_SEGMENTS:
            return (
                f"the text needs {found.count} SMS parts ({found.encoding}); "
                f"the limit is {segments.MAX_SEGMENTS}"
            )
        return None

    def send(self, account: AccountConfig, reply: OutboundReply) -> SendResult:
        """One SMS (the provider splits and joins the parts) with a StatusCallback naming
        our reply, so every status finds it even before the send is recorded."""
        if reply.conversation_kind != ConversationKind.DM:
            raise PermanentSendError(f"SMS cannot answer a {reply.conversation_kind}")
        if reply.attachments:
            raise PermanentSendError("pictures cannot be sent by SMS from Switchboard")
        problem = self.validate_text(ConversationKind.DM, reply.text)
        if problem is not None:
            raise PermanentSendError(problem)
        try:
            to = to_e164(reply.recipient.external_id)
        except BadNumber as exc:
            raise PermanentSendError(str(exc)) from exc
        fields: dict[str, str] = {"to": to, "from_": account.external_id, "body": reply.text}
        if self.callback_url:
            fields["status_callback"] = self.status_callback(reply.message_uuid)
        client = self.client()
        created = self._call(lambda: client.messages.create(**fields))
        found = segments.count(reply.text)
        return SendResult(
            str(created.sid),
            {
                "sms_status": str(created.status),
                "segments": int(created.num_segments or found.count),
                "encoding": found.encoding,
            },
        )

    def status_callback(self, message_uuid: str) -> str:
        separator = "&" if "?" in self.callback_url else "?"
        return f"{self.callback_url}{separator}{urlencode({wire.REF_PARAM: message_uuid})}"

    # -- the provider account --------------------------------------------------------------

    def check_connection(self, account: AccountConfig) -> ConnectionCheck:
        """Fetch the provider account and look for this number among its numbers."""
        client = self.client()
        found = self._call(
            lambda: client.incoming_phone_numbers.list(phone_number=account.external_id, limit=1)
        )
        problems = () if found else (f"{account.external_id} is not a number of this account",)
        return ConnectionCheck(account.external_id, account.external_id, problems)

    def client(self) -> Client:
        if not (self.account_sid and self.auth_token):
            raise ReauthRequired("PHONE_ACCOUNT_SID and PHONE_AUTH_TOKEN are not set")
        client = Client(
            self.account_sid,
            self.auth_token,
            http_client=TwilioHttpClient(timeout=self.timeout, max_retries=0),
        )
        client.api.base_url = self.api_url
        return client

    def _call(self, call: Callable[[], T]) -> T:
        """Provider errors → our exceptions; a write whose answer never came is unknown."""
        try:
            return call()
        except TwilioRestException as exc:
            raise map_error(exc) from exc
        except requests.ConnectionError as exc:
            if isinstance(exc, requests.ConnectTimeout) or "Connection refused" in str(exc):
                raise RetryableSendError(f"provider unreachable: {exc}") from exc
            raise OutcomeUnknown(f"no answer from the provider: {exc}") from exc
        except requests.Timeout as exc:
            raise OutcomeUnknown(f"no answer from the provider: {exc}") from exc


def map_error(exc: TwilioRestException) -> ConnectorError:
    code = exc.code or 0
    reason = f"{exc.status} {code}: {exc.msg}"
    if code == wire.ERROR_UNSUBSCRIBED:
        return PermanentSendError(
            "the customer has opted out of texts from this number (they replied STOP or "
            "수신거부); they must text START to receive texts again"
        )
    if exc.status in (401, 403):
        return ReauthRequired(f"the provider refused our credentials ({reason})")
    if exc.status == 429:
        return RetryableSendError(f"the provider asks us to slow down ({reason})", 60)
    if exc.status >= 500:
        return OutcomeUnknown(f"the provider failed ({reason})")
    return PermanentSendError(f"the provider refused the text ({reason})")


def _header(headers: Headers, name: str) -> str | None:
    lower = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lower), None)


class _Fields(dict[str, list[str]]):
    """Form fields with all their values; RequestValidator reads them through getlist."""

    def getlist(self, name: str) -> list[str]:
        return self[name]


def _signed_params(body: bytes) -> _Fields:
    """Every field with all its values, as the provider signs them."""
    return _Fields(parse_qs(body.decode("utf-8"), keep_blank_values=True))


def _parsed(url: str) -> ParseResult:
    return urlparse(url)
