"""WhatsApp Business (Cloud API): a translator like the Messenger one, on the same Graph client.

One channel account is one business phone number: its external id is the phone number id
(`metadata.phone_number_id` of every webhook, the node replies are POSTed to), its credential a
system-user access token with whatsapp_business_messaging, its option the WABA id that owns
the templates. The app secret and verify token are the Meta app's (META_* settings), so
signatures and the hub.challenge handshake are the shared Meta code.

Rules decided here before any call (docs/platform-apis.md §5.5): free-form replies
only within 24 hours of the customer's last message; outside it only an approved template,
chosen by the agent in `OutboundReply.options["template"]`. The platform's own refusal
(131047) is mapped to OutsideReplyWindow as well, in case our clock and theirs disagree.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from connectors._meta.graph import DEFAULT_GRAPH_URL, DEFAULT_GRAPH_VERSION, GraphClient
from connectors._meta.webhook import handshake, load_envelope, verify_signature
from connectors.base import (
    AccountConfig,
    Attachment,
    Capability,
    ConnectionCheck,
    ConnectorError,
    ConversationKind,
    Headers,
    InboundEvent,
    MessageTemplate,
    OutboundReply,
    OutsideReplyWindow,
    PermanentSendError,
    ReauthRequired,
    ReplyWindow,
    SendResult,
    UnsupportedEvent,
)
from connectors.fetch import META_CDN_HOSTS, GuardedFetcher
from connectors.whatsapp import choices, payloads
from connectors.whatsapp.channel import TEXT_LIMIT
from connectors.whatsapp.templates import (
    TEMPLATE_FIELDS,
    Template,
    TemplateChoice,
    check_choice,
    parse_template,
    template_payload,
)

WINDOW = timedelta(hours=24)
CAPTION_LIMIT = 1024
TEMPLATE_TTL = 300.0  # seconds a fetched template list is reused before asking again
# Our Attachment.kind → the WhatsApp message type that carries it.
SEND_TYPES = {"image": "image", "video": "video", "audio": "audio", "sticker": "sticker"}
# Cloud API throttling: the number's throughput (130429), spam (131048), one customer (131056).
THROTTLES = frozenset({130429, 131048, 131056})
MALFORMED = (KeyError, TypeError, ValueError, AttributeError, OverflowError)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class WhatsAppConnector:
    slug: ClassVar[str] = "whatsapp"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.WEBHOOK,
            Capability.HANDSHAKE,
            Capability.ATTACHMENTS,
            Capability.FETCH_ATTACHMENT,
            Capability.REPLY_WINDOW,
            Capability.LENGTH_LIMIT,
            Capability.TEMPLATES,
            Capability.PAUSE_SCOPES,
            Capability.CHECK_CONNECTION,
        }
    )

    def __init__(self, settings: Mapping[str, str]) -> None:
        self.app_secret = settings.get("META_APP_SECRET", "")
        self.verify_token = settings.get("META_VERIFY_TOKEN", "")
        self.graph = GraphClient(
            base_url=settings.get("META_GRAPH_URL") or DEFAULT_GRAPH_URL,
            version=settings.get("META_GRAPH_VERSION") or DEFAULT_GRAPH_VERSION,
            app_secret=self.app_secret,
            app_id=settings.get("META_APP_ID", ""),
            timeout=float(settings.get("META_HTTP_TIMEOUT") or 20),
            throttles=THROTTLES,
        )
        self.fetcher = GuardedFetcher.for_platform(META_CDN_HOSTS, settings)
        self.now: Callable[[], datetime] = _utcnow
        self._templates: dict[str, tuple[float, list[Template]]] = {}
        self._templates_lock = threading.Lock()

    # -- webhook ---------------------------------------------------------------------------

    def verify(self, headers: Headers, body: bytes) -> None:
        verify_signature(self.app_secret, headers, body)

    def handshake(self, query: Mapping[str, str]) -> str | None:
        return handshake(self.verify_token, query)

    def parse(self, headers: Headers, body: bytes) -> Sequence[InboundEvent]:
        """Every message and status of every change; refused items are named in the reason.

        Like the Messenger parser, an item we refuse does not cost the delivery its other
        items; a delivery with nothing ingestible raises UnsupportedEvent with all reasons.
        """
        kind, entries = load_envelope(body)
        if kind != payloads.OBJECT:
            raise UnsupportedEvent(f"Meta object {kind!r} is not a WhatsApp delivery")
        events: list[InboundEvent] = []
        refused: list[str] = []
        for entry in entries:
            for change in entry.get("changes") or ():
                field = change.get("field") if isinstance(change, Mapping) else None
                if field != "messages":
                    refused.append(f"WhatsApp webhook field {field!r} is not ingested")
                    continue
                try:
                    found, why = payloads.value_events(change["value"])
                except (UnsupportedEvent, *MALFORMED) as exc:
                    found, why = [], [_reason(exc)]
                events.extend(found)
                refused.extend(why)
        if not events:
            raise UnsupportedEvent("; ".join(dict.fromkeys(refused)) or "empty WhatsApp delivery")
        return events

    # -- the window ------------------------------------------------------------------------

    def reply_window(
        self,
        account: AccountConfig,
        kind: ConversationKind,
        last_customer_message_at: datetime | None,
        now: datetime,
    ) -> ReplyWindow:
        """Open for 24 hours after the customer's last message; templates any time."""
        if last_customer_message_at is None:
            return ReplyWindow(
                open=False, reason="the customer has not written yet: send a template"
            )
        closes = last_customer_message_at + WINDOW
        if now <= closes:
            return ReplyWindow(open=True, closes_at=closes)
        return ReplyWindow(
            open=False,
            reason="the 24-hour customer service window has closed: only an approved "
            "template can be sent until the customer writes again",
        )

    def validate_text(self, kind: ConversationKind, text: str) -> str | None:
        if len(text) > TEXT_LIMIT:
            return f"WhatsApp messages are limited to {TEXT_LIMIT} characters"
        return None

    # -- sending ---------------------------------------------------------------------------

    def send(self, account: AccountConfig, reply: OutboundReply) -> SendResult:
        """A template (any time), or attachments then text (inside the window only).

        Every message carries `biz_opaque_callback_data` naming our reply, which its `sent`
        status brings back: the echo that settles a send whose answer was lost (the Cloud
        API cannot list sent messages, so there is no find_sent).
        """
        if reply.conversation_kind != ConversationKind.DM:
            raise PermanentSendError(f"WhatsApp cannot send a {reply.conversation_kind} reply")
        choice = TemplateChoice.from_options(reply.options)
        if choice is not None:
            template = self.template(account, choice.name, choice.language)
            problem = check_choice(template, choice)
            if problem is not None:
                raise PermanentSendError(problem)
            content = {"type": "template", "template": template_payload(template, choice)}
            wamid = self._post_message(account, reply, content)
            return SendResult(wamid, {"message_ids": [wamid], "template": template.key})
        window = self.reply_window(
            account, reply.conversation_kind, reply.last_customer_message_at, self.now()
        )
        if not window.open:
            raise OutsideReplyWindow(window.reason or "the 24-hour window has closed")
        problem = self.validate_text(ConversationKind.DM, reply.text)
        if problem is not None:
            raise PermanentSendError(problem)
        ids = [
            self._post_message(account, reply, self._media_content(account, attachment))
            for attachment in reply.attachments
        ]
        if reply.text or not ids:
            text = choices.interactive(reply.text, reply.options.get("quick_replies")) or {
                "type": "text",
                "text": {"preview_url": False, "body": reply.text},
            }
            ids.append(self._post_message(account, reply, text))
        return SendResult(ids[-1], {"message_ids": ids})

    def _post_message(
        self, account: AccountConfig, reply: OutboundReply, content: Mapping[str, Any]
    ) -> str:
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": reply.recipient.external_id,
            **content,
            "biz_opaque_callback_data": f"{payloads.CALLBACK_PREFIX}{reply.message_uuid}",
        }
        result = self.graph.call(
            "POST",
            f"{account.external_id}/messages",
            token=access_token(account),
            json=body,
            usage_key=account.external_id,
        )
        messages = result.data.get("messages") or [{}]
        wamid = str(messages[0].get("id") or "")
        if not wamid:
            raise PermanentSendError("WhatsApp accepted the message without returning its id")
        return wamid

    def _media_content(self, account: AccountConfig, attachment: Attachment) -> dict[str, Any]:
        """A public link is passed as `link`; bytes are uploaded first and sent by media id."""
        kind = SEND_TYPES.get(attachment.kind, "document")
        if attachment.url:
            media: dict[str, Any] = {"link": attachment.url}
        elif attachment.data is not None:
            media = {"id": self.upload(account, attachment)}
        else:
            raise PermanentSendError("outbound attachment has neither a public URL nor bytes")
        if kind == "document" and attachment.filename:
            media["filename"] = attachment.filename
        return {"type": kind, kind: media}

    def upload(self, account: AccountConfig, attachment: Attachment) -> str:
        """POST /{phone-number-id}/media (multipart `file`); answers the media id."""
        assert attachment.data is not None
        content_type = attachment.content_type or "application/octet-stream"
        result = self.graph.call(
            "POST",
            f"{account.external_id}/media",
            token=access_token(account),
            form={"messaging_product": "whatsapp", "type": content_type},
            files={"file": (attachment.filename or "attachment", attachment.data, content_type)},
            usage_key=account.external_id,
        )
        media_id = str(result.data.get("id") or "")
        if not media_id:
            raise PermanentSendError("WhatsApp accepted the upload without returning a media id")
        return media_id

    # -- reading ---------------------------------------------------------------------------

    def fetch_attachment(self, account: AccountConfig, attachment: Attachment) -> bytes:
        """Media id → `GET /{media-id}` (a URL valid for 5 minutes) → the bytes, with our token.

        The URL is a Graph answer, yet it receives our token: it goes only through the
        guarded fetcher, which allows Meta's hosts (and sandboxes by configuration) only.
        """
        if attachment.data is not None:
            return attachment.data
        media_id = payloads.media_id_of(attachment.url)
        if media_id is None:
            raise PermanentSendError("not a WhatsApp media reference")
        token = access_token(account)
        found = self.graph.get(
            media_id,
            token=token,
            params={"phone_number_id": account.external_id},
            usage_key=account.external_id,
        )
        url = found.get("url")
        if not isinstance(url, str) or not url:
            raise PermanentSendError(f"WhatsApp media {media_id} has no download URL")
        return self.fetcher.get(url, headers={"Authorization": f"Bearer {token}"})

    def templates(self, account: AccountConfig, *, refresh: bool = False) -> list[Template]:
        """The WABA's templates, all languages, from `message_templates` (cached briefly)."""
        waba = str(account.options.get("waba_id") or "")
        if not waba:
            raise PermanentSendError("no WhatsApp Business Account id (waba_id) configured")
        with self._templates_lock:
            cached = self._templates.get(waba)
            if cached is not None and not refresh and time.monotonic() - cached[0] < TEMPLATE_TTL:
                return list(cached[1])
        found: list[Template] = []
        params: dict[str, Any] = {"fields": TEMPLATE_FIELDS, "limit": 100}
        while True:
            page = self.graph.get(
                f"{waba}/message_templates",
                token=access_token(account),
                params=params,
                usage_key=account.external_id,
            )
            found.extend(parse_template(item) for item in page.get("data") or ())
            after = ((page.get("paging") or {}).get("cursors") or {}).get("after")
            if not (page.get("paging") or {}).get("next") or not after:
                break
            params["after"] = after
        found.sort(key=lambda t: (t.name, t.language))
        with self._templates_lock:
            self._templates[waba] = (time.monotonic(), found)
        return list(found)

    def message_templates(self, account: AccountConfig) -> list[MessageTemplate]:
        """Templates.message_templates: every template, with why it cannot be sent if so."""
        return [template.offered() for template in self.templates(account)]

    def render_template(self, account: AccountConfig, choice: Mapping[str, Any]) -> str:
        """Templates.render_template: the text the customer will read, checked like send."""
        picked = TemplateChoice.parse(choice)
        template = self.template(account, picked.name, picked.language)
        problem = check_choice(template, picked)
        if problem is not None:
            raise PermanentSendError(problem)
        return template.render(picked.values)

    def template(self, account: AccountConfig, name: str, language: str) -> Template:
        """One template by name and language; the list is fetched again once if it is missing
        (approved a minute ago)."""
        for refresh in (False, True):
            for template in self.templates(account, refresh=refresh):
                if (template.name, template.language) == (name, language):
                    return template
        raise PermanentSendError(f"no template {name} in language {language}")

    def check_connection(self, account: AccountConfig) -> ConnectionCheck:
        """The phone number the token reaches, by its verified name and display number; the
        WABA's template list must be readable too (templates are the only way to write first)."""
        found = self.graph.get(
            account.external_id,
            token=access_token(account),
            params={"fields": "id,display_phone_number,verified_name,quality_rating"},
            usage_key=account.external_id,
        )
        name = found.get("verified_name") or ""
        number = found.get("display_phone_number") or ""
        problems: list[str] = []
        try:
            self.templates(account, refresh=True)
        except ConnectorError as exc:
            problems.append(f"message templates cannot be read: {exc.reason}")
        return ConnectionCheck(
            identity=f"{name} ({number})".strip(),
            account_id=str(found.get("id") or ""),
            problems=tuple(problems),
        )

    def pause_scopes(self, account: AccountConfig, operation: str = "send") -> tuple[str, ...]:
        """The Meta app's pause and this number's: the scopes the Graph client's throttling
        errors name (connectors/_meta/graph.py)."""
        return (
            f"meta:app:{self.graph.app_id or self.graph.base_url}",
            f"meta:account:{account.external_id}",
        )


def access_token(account: AccountConfig) -> str:
    token = account.credentials.get("access_token")
    if not token:
        raise ReauthRequired("no WhatsApp access token stored for this account")
    return token


def _reason(exc: Exception) -> str:
    if isinstance(exc, UnsupportedEvent):
        return exc.reason
    return f"malformed WhatsApp change ({exc.__class__.__name__}: {exc})"
