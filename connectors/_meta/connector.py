"""What the facebook and instagram connectors share: webhook, Send API, window, DM polling.

Both channels arrive on the one Meta webhook (object `page` or `instagram`, each claimed in its
channel's declaration: connectors/<slug>/channel.py `shared_webhook`), both answer DMs
through the same Send API, and both read conversations with the same cursor paging, so that
code lives here once. The subclasses add comments, moderation, publishing and mentions, which
differ in path and field names between Facebook and Instagram.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import connectors
from connectors import _meta  # its MetaLogin is imported at the first renewal
from connectors._meta import finding, mentions, messaging, polling
from connectors._meta.graph import DEFAULT_GRAPH_URL, DEFAULT_GRAPH_VERSION, GraphClient
from connectors._meta.messaging import EntryContext, messaging_event
from connectors._meta.webhook import from_graph_time, handshake, load_envelope, verify_signature
from connectors.base import (
    AccountConfig,
    Attachment,
    CannotRenew,
    CannotTell,
    Capability,
    ConnectionCheck,
    ConversationKind,
    Headers,
    InboundEvent,
    OutboundReply,
    OutsideReplyWindow,
    PermanentSendError,
    PollResult,
    RateLimited,
    ReauthRequired,
    RenewedToken,
    ReplyWindow,
    RetryableSendError,
    SendResult,
    SentLookup,
    UnsupportedEvent,
    UserProfile,
)
from connectors.fetch import META_CDN_HOSTS, GuardedFetcher

ChangeMapper = Callable[[str, Any, Mapping[str, Any]], InboundEvent]
PRIVATE_REPLY_WINDOW = timedelta(days=7)
MESSAGE_FIELDS = "id,created_time,from,to,message,attachments"
MALFORMED = (KeyError, TypeError, ValueError, AttributeError, OverflowError)


# Facebook and Instagram can do the same things, through different paths and field names.
META_CAPABILITIES = frozenset(
    {
        Capability.WEBHOOK,
        Capability.POLLING,
        Capability.ATTACHMENTS,
        Capability.REPLY_WINDOW,
        Capability.PRIVATE_REPLY,
        Capability.COMMENT_MODERATION,
        Capability.PUBLISH,
        Capability.LENGTH_LIMIT,
        Capability.HANDSHAKE,
        Capability.ENRICH,
        Capability.FETCH_ATTACHMENT,
        Capability.FIND_PUBLISHED,
        Capability.PERMALINK,
        Capability.FIND_SENT,
        Capability.PAUSE_SCOPES,
        Capability.CHECK_CONNECTION,
        Capability.PROFILE_LOOKUP,
        Capability.POST_CONTEXT,
        Capability.RENEW_TOKEN,
    }
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class MetaConnector:
    """Base of FacebookConnector and InstagramConnector; not registered itself."""

    slug: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]]
    streams: ClassVar[tuple[str, ...]]
    change_mappers: ClassVar[Mapping[str, ChangeMapper]]  # webhook object -> change mapper
    platform: ClassVar[str]  # `platform=` of GET /{page-id}/conversations
    moderation_actions: ClassVar[frozenset[str]] = frozenset({"hide", "unhide", "delete"})
    profile_fields: ClassVar[str]  # `fields=` of the User Profile API for this channel
    text_limit: ClassVar[int]
    _limit_unit: ClassVar[str] = "characters"

    def __init__(self, settings: Mapping[str, str]) -> None:
        self.app_secret = settings.get("META_APP_SECRET", "")
        self.verify_token = settings.get("META_VERIFY_TOKEN", "")
        self.app_id = settings.get("META_APP_ID", "")
        self.graph = GraphClient(
            base_url=settings.get("META_GRAPH_URL") or DEFAULT_GRAPH_URL,
            version=settings.get("META_GRAPH_VERSION") or DEFAULT_GRAPH_VERSION,
            app_secret=self.app_secret,
            app_id=self.app_id,
            timeout=float(settings.get("META_HTTP_TIMEOUT") or 20),
        )
        self.fetcher = GuardedFetcher.for_platform(META_CDN_HOSTS, settings)
        self.now: Callable[[], datetime] = _utcnow
        self._settings = settings  # the login client (MetaLogin) is built at the first renewal

    def streams_for(self, account: AccountConfig) -> tuple[str, ...]:
        return self.streams

    def whoami(self, account: AccountConfig) -> dict[str, Any]:
        """The Graph object the token stands for ({id, name} or {id, username})."""
        raise NotImplementedError

    def renews_itself(self, credentials: Mapping[str, str]) -> bool:
        """A page token made from a long-lived user token does not end, but that user token
        does (60 days) and only the person signing in again extends it: the admin is warned."""
        return False

    def renew_token(self, account: AccountConfig) -> RenewedToken:
        """Fetch the page token again with the stored long-lived user token (`/me/accounts`),
        which is what re-consenting would hand out."""
        user_token = account.credentials.get("user_token")
        if not user_token:
            raise CannotRenew("this account has no stored user token (its token was typed in)")
        page_id = self._granting_page(account)
        for page in _meta.MetaLogin(self._settings).pages(user_token):  # facebook-sdk, now
            if page.id == page_id:
                raw = account.credentials.get("user_token_expires_at")
                expires = datetime.fromisoformat(raw) if raw else None
                return RenewedToken({"page_token": page.token}, expires, "meta /me/accounts")
        raise CannotRenew(f"the stored user token no longer grants page {page_id}")

    def _granting_page(self, account: AccountConfig) -> str:
        """The Facebook Page whose token this account uses."""
        return account.external_id

    def check_connection(self, account: AccountConfig) -> ConnectionCheck:
        """Call "who am I" with the account's token: it must be the account's own id."""
        found = self.whoami(account)
        name = found.get("name") or found.get("username") or ""
        return ConnectionCheck(identity=str(name), account_id=str(found.get("id")))

    # -- webhook ---------------------------------------------------------------------------

    def verify(self, headers: Headers, body: bytes) -> None:
        verify_signature(self.app_secret, headers, body)

    def handshake(self, query: Mapping[str, str]) -> str | None:
        return handshake(self.verify_token, query)

    def parse(self, headers: Headers, body: bytes) -> Sequence[InboundEvent]:
        """Map every entry × messaging/standby/changes item, across both objects.

        Items we do not ingest inside an otherwise readable delivery are skipped so that one
        reaction cannot cost a batch its messages; a delivery with nothing ingestible raises
        UnsupportedEvent naming what it held, and is recorded as rejected.
        """
        kind, entries = load_envelope(body)
        channel = connectors.object_channel(kind)  # whose declaration claims the object
        mapper = self.change_mappers.get(kind)
        if channel is None or mapper is None:
            raise UnsupportedEvent(f"Meta object {kind!r} is not ingested by Switchboard")
        events: list[InboundEvent] = []
        skipped: list[str] = []
        for entry in entries:
            account_id = str(entry.get("id") or "")
            entry_time = entry.get("time")
            for key in ("messaging", "standby"):
                ctx = EntryContext(channel, account_id, entry_time, self.app_id, key == "standby")
                for item in entry.get(key) or ():
                    try:
                        events.append(messaging_event(ctx, item))
                    except (UnsupportedEvent, *MALFORMED) as exc:
                        skipped.append(_reason(exc))
            for change in entry.get("changes") or ():
                try:
                    events.append(mapper(account_id, entry_time, change))
                except (UnsupportedEvent, *MALFORMED) as exc:
                    skipped.append(_reason(exc))
        if skipped and not events:
            raise UnsupportedEvent("; ".join(dict.fromkeys(skipped)))
        return events

    # -- sending ---------------------------------------------------------------------------

    def reply_window(
        self,
        account: AccountConfig,
        kind: ConversationKind,
        last_customer_message_at: datetime | None,
        now: datetime,
    ) -> ReplyWindow:
        if kind != ConversationKind.DM:
            return ReplyWindow(open=True)
        return messaging.dm_window(
            last_customer_message_at, now, human_agent_enabled=_human_agent(account)
        )

    def send(self, account: AccountConfig, reply: OutboundReply) -> SendResult:
        """Deliver one reply; the window is checked before any call is made."""
        self._raise_if_paused(account)
        if reply.conversation_kind == ConversationKind.DM:
            result = self._send_dm(account, reply)
        elif reply.conversation_kind in (ConversationKind.COMMENT, ConversationKind.MENTION):
            result = (
                self._private_reply(account, reply)
                if reply.private
                else self._comment_reply(account, reply)
            )
        else:
            raise PermanentSendError(f"{self.slug} cannot send a {reply.conversation_kind} reply")
        slow_down = self.throttle(account)
        return SendResult(result.external_id, {**result.extra, "slow_down_s": slow_down})

    def pause_scopes(self, account: AccountConfig, operation: str = "send") -> tuple[str, ...]:
        """The pauses every call for this account honours: the app's and the account's."""
        return (
            f"meta:app:{self.app_id or self.graph.base_url}",
            f"meta:account:{account.external_id}",
        )

    def find_sent(self, account: AccountConfig, lookup: SentLookup) -> SendResult | None:
        """Look on the platform for a reply whose send timed out; None: it is not there.

        DMs: the conversation with the customer, messages from us since the attempt with the
        same text (Graph's message reads do not return our `metadata`; an echo that carried
        it has already been matched by ingest before this is asked). Comment replies: the
        comment's replies. Anything else raises CannotTell.
        """
        reply = lookup.reply
        if reply.conversation_kind == ConversationKind.DM:
            return finding.find_dm(self, account, lookup)
        if reply.conversation_kind == ConversationKind.COMMENT and not reply.private:
            return finding.find_comment_reply(self, account, lookup, self._replies_edge)
        raise CannotTell(f"{self.slug} cannot look up this kind of reply")

    _replies_edge: ClassVar[str] = "comments"

    def _raise_if_paused(self, account: AccountConfig) -> None:
        """This process saw the usage headers reach 100 %: tell every process to pause."""
        paused = self.graph.paused(account.external_id)
        if paused > 0:
            raise RateLimited(
                "Graph API usage limit reached; pausing", paused, self.pause_scopes(account)
            )

    def validate_text(self, kind: ConversationKind, text: str) -> str | None:
        """Return why `text` cannot be sent as a DM here, or None."""
        if kind == ConversationKind.DM and self._too_long(text):
            return f"{self.slug} messages are limited to {self.text_limit} {self._limit_unit}"
        return None

    def throttle(self, account: AccountConfig) -> float:
        """Seconds to wait before the next Graph call for this account (usage > 80 %: > 0)."""
        return self.graph.throttle(account.external_id)

    def _send_dm(self, account: AccountConfig, reply: OutboundReply) -> SendResult:
        fields = messaging.messaging_type(
            reply, self.now(), human_agent_enabled=_human_agent(account)
        )
        problem = self.validate_text(ConversationKind.DM, reply.text)
        if problem is not None:
            raise PermanentSendError(problem)
        recipient = {"id": reply.recipient.external_id}
        return self._send_messages(account, reply, recipient, fields)

    def _private_reply(self, account: AccountConfig, reply: OutboundReply) -> SendResult:
        """Answer a public comment by DM: recipient.comment_id, once per comment, for 7 days."""
        if not reply.in_reply_to:
            raise PermanentSendError("a private reply needs the comment it answers")
        last = reply.last_customer_message_at
        if last is not None and self.now() - last > PRIVATE_REPLY_WINDOW:
            raise OutsideReplyWindow("private replies are possible for 7 days after the comment")
        recipient = {"comment_id": reply.in_reply_to}
        return self._send_messages(account, reply, recipient, {"messaging_type": "RESPONSE"})

    def _send_messages(
        self,
        account: AccountConfig,
        reply: OutboundReply,
        recipient: Mapping[str, str],
        fields: Mapping[str, str],
    ) -> SendResult:
        """One Send API call per attachment, then one for the text; all carry our metadata."""
        metadata = messaging.metadata_for(reply)
        ids = [
            self._send_one(account, recipient, fields, {"metadata": metadata}, attachment)
            for attachment in reply.attachments
        ]
        if reply.text or not ids:
            content: dict[str, Any] = {"text": reply.text, "metadata": metadata}
            buttons = messaging.quick_replies(reply.options.get("quick_replies"))
            if buttons and fields.get("messaging_type") == "RESPONSE":
                content["quick_replies"] = buttons  # inside the 24-hour window only
            ids.append(self._send_one(account, recipient, fields, content, None))
        return SendResult(external_id=ids[-1], extra={"message_ids": ids, **fields})

    def _send_one(
        self,
        account: AccountConfig,
        recipient: Mapping[str, str],
        fields: Mapping[str, str],
        content: dict[str, Any],
        attachment: Attachment | None,
    ) -> str:
        """JSON for text and URL attachments; multipart `filedata` when we hold the bytes."""
        path = f"{self._messages_owner(account)}/messages"
        token = page_token(account)
        if attachment is not None:
            content = {"attachment": _attachment_payload(attachment), **content}
        if attachment is None or attachment.url:
            body = {"recipient": dict(recipient), **fields, "message": content}
            result = self.graph.call(
                "POST", path, token=token, json=body, usage_key=account.external_id
            )
        else:
            assert attachment.data is not None
            form = {
                "recipient": json.dumps(dict(recipient)),
                **fields,
                "message": json.dumps(content, ensure_ascii=False),
            }
            upload = (
                attachment.filename or "attachment",
                attachment.data,
                attachment.content_type or "application/octet-stream",
            )
            result = self.graph.call(
                "POST",
                path,
                token=token,
                form=form,
                files={"filedata": upload},
                usage_key=account.external_id,
            )
        return str(result.data.get("message_id") or "")

    def _comment_reply(self, account: AccountConfig, reply: OutboundReply) -> SendResult:
        raise NotImplementedError

    def _messages_owner(self, account: AccountConfig) -> str:
        raise NotImplementedError

    def _too_long(self, text: str) -> bool:
        return len(text) > self.text_limit

    # -- reading ---------------------------------------------------------------------------

    def enrich(self, account: AccountConfig, event: InboundEvent) -> InboundEvent:
        """Fetch a mention's text and author (its webhook carries only ids)."""
        return mentions.enrich(
            lambda path, params: self._get(account, path, params), account, event
        )

    def user_profile(self, account: AccountConfig, user_id: str) -> UserProfile:
        """Look a customer up by their page-scoped id (PSID / IGSID): `GET /{id}?fields=`.

        Only people who wrote to the account first may be looked up (Meta's user consent);
        anyone else answers with a Graph error, raised as PermanentSendError.
        """
        data = self._lookup(account, user_id, {"fields": self.profile_fields})
        return self._profile(user_id, data)

    def _lookup(
        self, account: AccountConfig, path: str, params: Mapping[str, Any]
    ) -> dict[str, Any]:
        """A read nobody waits for (profiles, post captions): it yields to replies and polls
        when this process saw the usage headers above the slow-down mark, by raising
        RetryableSendError with the wait instead of calling."""
        self._raise_if_paused(account)
        slow_down = self.throttle(account)
        if slow_down > 0:
            raise RetryableSendError("Graph API usage is high; optional lookups wait", slow_down)
        return self._get(account, path, params)

    def _profile(self, user_id: str, data: Mapping[str, Any]) -> UserProfile:
        raise NotImplementedError

    def fetch_attachment(self, account: AccountConfig, attachment: Attachment) -> bytes:
        """Download an inbound attachment now: Meta's CDN URLs expire. The URL comes from a
        payload, so only through the guarded fetcher (Meta's CDN hosts, public addresses)."""
        if attachment.data is not None:
            return attachment.data
        if not attachment.url:
            raise PermanentSendError("attachment has neither bytes nor URL")
        return self.fetcher.get(attachment.url)

    def _poll_conversations(self, account: AccountConfig, cursor: str | None) -> PollResult:
        """One page of conversations updated since the cursor, with their new messages."""
        state = self._cursor(account, cursor)
        params: dict[str, Any] = {
            "platform": self.platform,
            "fields": "id,updated_time,participants",
            "limit": polling.PAGE_SIZE,
        }
        if state.after:
            params["after"] = state.after
        page = self._get(account, f"{self._messages_owner(account)}/conversations", params)
        events: list[InboundEvent] = []
        done = False
        for conversation in polling.items(page):
            updated = from_graph_time(str(conversation["updated_time"]))
            if updated < state.since:
                done = True
                break
            state = state.seen(updated)
            events.extend(
                self._conversation_messages(account, str(conversation["id"]), state.since)
            )
        after = None if done else polling.next_after(page)
        return state.result(events, after, slow_down=self.throttle(account))

    def _conversation_messages(
        self, account: AccountConfig, conversation_id: str, since: datetime
    ) -> list[InboundEvent]:
        params: dict[str, Any] = {"fields": MESSAGE_FIELDS, "limit": polling.PAGE_SIZE}
        events: list[InboundEvent] = []
        while True:
            page = self._get(account, f"{conversation_id}/messages", params)
            for message in polling.items(page):
                event = messaging.graph_message_event(
                    channel=self.slug,
                    account_id=account.external_id,
                    self_ids=self._self_ids(account),
                    message=message,
                )
                if event.sent_at < since:
                    return events
                events.append(event)
            after = polling.next_after(page)
            if after is None:
                return events
            params["after"] = after

    def _cursor(self, account: AccountConfig, cursor: str | None) -> polling.PollCursor:
        self._raise_if_paused(account)
        days = float(account.options.get("poll_backfill_days") or 7)
        return polling.PollCursor.load(cursor, now=self.now(), backfill=timedelta(days=days))

    def _get(self, account: AccountConfig, path: str, params: Mapping[str, Any]) -> dict[str, Any]:
        return self.graph.get(
            path, token=page_token(account), params=params, usage_key=account.external_id
        )

    def _self_ids(self, account: AccountConfig) -> Collection[str]:
        return {
            str(v)
            for v in (
                account.external_id,
                account.options.get("page_id"),
                account.options.get("ig_user_id"),
            )
            if v
        }


def _reason(exc: Exception) -> str:
    if isinstance(exc, UnsupportedEvent):
        return exc.reason
    return f"malformed item ({exc.__class__.__name__}: {exc})"


def page_token(account: AccountConfig) -> str:
    """The page access token from the account's decrypted credentials."""
    token = account.credentials.get("page_token")
    if not token:
        raise ReauthRequired("no page access token stored for this account")
    return token


def _human_agent(account: AccountConfig) -> bool:
    return bool(account.options.get("human_agent_enabled"))


def _attachment_payload(attachment: Attachment) -> dict[str, Any]:
    if not attachment.url and attachment.data is None:
        raise PermanentSendError("outbound attachment has neither a public URL nor bytes")
    kind = attachment.kind if attachment.kind in ("image", "video", "audio", "file") else "file"
    payload: dict[str, Any] = {"is_reusable": True}
    if attachment.url:
        payload["url"] = attachment.url
    return {"type": kind, "payload": payload}
