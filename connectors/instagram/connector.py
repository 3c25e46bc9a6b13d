"""Instagram professional account (Facebook Login, Page-linked): DMs, comments, mentions, posts.

Calls go through graph.facebook.com with the linked Page's token: DMs and conversations use the
Page (`options["page_id"]`, else `me`), comments and media use the IG account id.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar

from connectors._meta import polling
from connectors._meta.connector import META_CAPABILITIES, ChangeMapper, MetaConnector, page_token
from connectors._meta.webhook import from_graph_time
from connectors.base import (
    AccountConfig,
    Capability,
    ConversationKind,
    InboundEvent,
    OutboundReply,
    PermanentSendError,
    PollResult,
    PublishRequest,
    PublishResult,
    RetryableSendError,
    SendResult,
    UserProfile,
)
from connectors.facebook import payloads as facebook_payloads
from connectors.instagram import payloads
from connectors.instagram.channel import CAPTION_LIMIT, DEFAULT_MAX_HASHTAGS, HASHTAG

MEDIA_LOOKBACK_DAYS = 28
COMMENT_FIELDS = "id,text,username,timestamp,from,parent_id"


class InstagramConnector(MetaConnector):
    slug: ClassVar[str] = "instagram"
    capabilities: ClassVar[frozenset[Capability]] = META_CAPABILITIES  # the same on both
    streams: ClassVar[tuple[str, ...]] = ("conversations", "comments")
    change_mappers: ClassVar[Mapping[str, ChangeMapper]] = {
        "page": facebook_payloads.change_events,
        "instagram": payloads.change_events,
    }
    platform: ClassVar[str] = "instagram"
    profile_fields: ClassVar[str] = "name,username,profile_pic"
    _replies_edge: ClassVar[str] = "replies"
    text_limit: ClassVar[int] = 1000
    _limit_unit: ClassVar[str] = "bytes (UTF-8)"

    def __init__(self, settings: Mapping[str, str]) -> None:
        super().__init__(settings)
        self.container_wait = float(settings.get("META_IG_CONTAINER_WAIT") or 2)
        self.container_checks = int(settings.get("META_IG_CONTAINER_CHECKS") or 30)

    def _profile(self, user_id: str, data: Mapping[str, Any]) -> UserProfile:
        """IG gives the display name (may be empty) and the @username; the name wins."""
        return UserProfile(
            external_id=user_id,
            name=data.get("name") or data.get("username") or None,
            handle=data.get("username") or None,
            picture_url=data.get("profile_pic") or None,
        )

    def _too_long(self, text: str) -> bool:
        return len(text.encode()) > self.text_limit

    def _granting_page(self, account: AccountConfig) -> str:
        """An Instagram account is reached through the Facebook Page it is linked to."""
        return str(account.options.get("page_id") or "")

    def _messages_owner(self, account: AccountConfig) -> str:
        return str(account.options.get("page_id") or "me")

    def _comment_reply(self, account: AccountConfig, reply: OutboundReply) -> SendResult:
        """Replies to comments: /{comment}/replies; to a mention elsewhere: /{ig-user}/mentions."""
        body: dict[str, Any] = {"message": reply.text}
        if reply.conversation_kind == ConversationKind.MENTION:
            path = f"{account.external_id}/mentions"
            body["media_id"] = reply.thread_key
            if reply.in_reply_to and reply.in_reply_to != reply.thread_key:
                body["comment_id"] = reply.in_reply_to
        elif reply.in_reply_to:
            path = f"{reply.in_reply_to}/replies"
        else:
            path = f"{reply.thread_key}/comments"
        data = self._post(account, path, body)
        return SendResult(external_id=str(data["id"]), extra={"path": path})

    def moderate(self, account: AccountConfig, external_id: str, action: str) -> None:
        """Hide, unhide or delete a comment on the account's media."""
        if action == "delete":
            self.graph.call(
                "DELETE", external_id, token=page_token(account), usage_key=account.external_id
            )
            return
        if action not in ("hide", "unhide"):
            raise PermanentSendError(f"unknown moderation action {action!r}")
        self._post(account, external_id, {"hide": action == "hide"})

    def publish(self, account: AccountConfig, request: PublishRequest) -> PublishResult:
        """Container → wait until FINISHED → media_publish (IG has no text-only posts)."""
        self._check_caption(account, request)
        owner = account.external_id
        if len(request.image_urls) == 1:
            body: dict[str, Any] = {"image_url": request.image_urls[0], "caption": request.text}
        else:
            children = [
                str(
                    self._post(
                        account, f"{owner}/media", {"image_url": u, "is_carousel_item": True}
                    )["id"]
                )
                for u in request.image_urls
            ]
            for child in children:
                self._wait_for_container(account, child)
            body = {
                "media_type": "CAROUSEL",
                "children": ",".join(children),
                "caption": request.text,
            }
        container = str(self._post(account, f"{owner}/media", body)["id"])
        self._wait_for_container(account, container)
        media_id = str(
            self._post(account, f"{owner}/media_publish", {"creation_id": container})["id"]
        )
        return PublishResult(external_id=media_id, permalink=None)  # see permalink()

    def permalink(self, account: AccountConfig, external_id: str) -> str | None:
        """The media's public URL: optional enrichment, fetched after the id is recorded."""
        info = self._get(account, external_id, {"fields": "id,permalink"})
        return info.get("permalink")

    def find_published(
        self, account: AccountConfig, request: PublishRequest, since: datetime
    ) -> PublishResult | None:
        """Look for media with this caption since `since`, so a retried publish is not doubled."""
        params = {"fields": "id,caption,timestamp,permalink", "limit": polling.PAGE_SIZE}
        page = self._get(account, f"{account.external_id}/media", params)
        for media in polling.items(page):
            if from_graph_time(str(media["timestamp"])) < since:
                break
            if media.get("caption") == request.text:
                return PublishResult(str(media["id"]), permalink=media.get("permalink"))
        return None

    def whoami(self, account: AccountConfig) -> dict[str, Any]:
        """Check the token and return the IG account's id and username."""
        return self._get(account, account.external_id, {"fields": "id,username"})

    def post_context(self, account: AccountConfig, post_id: str) -> dict[str, Any]:
        """The media a comment thread is about (caption, link, picture), for the thread header."""
        data = self._lookup(account, post_id, {"fields": "id,caption,permalink,media_url"})
        return {
            "post_id": post_id,
            "post_text": data.get("caption"),
            "permalink_url": data.get("permalink"),
            "picture_url": data.get("media_url"),
        }

    def poll(self, account: AccountConfig, stream: str, cursor: str | None) -> PollResult:
        if stream == "conversations":
            return self._poll_conversations(account, cursor)
        if stream == "comments":
            return self._poll_comments(account, cursor)
        raise PermanentSendError(f"instagram has no poll stream {stream!r}")

    def _poll_comments(self, account: AccountConfig, cursor: str | None) -> PollResult:
        """One page of recent media; every comment (and reply) newer than the cursor.

        IG media have no updated_time, so each medium inside the lookback is read.
        """
        state = self._cursor(account, cursor)
        params: dict[str, Any] = {
            "fields": "id,caption,timestamp,permalink",
            "limit": polling.PAGE_SIZE,
        }
        if state.after:
            params["after"] = state.after
        page = self._get(account, f"{account.external_id}/media", params)
        days = float(account.options.get("poll_media_lookback_days") or MEDIA_LOOKBACK_DAYS)
        oldest = state.since - timedelta(days=days)
        events: list[InboundEvent] = []
        done = False
        for media in polling.items(page):
            if from_graph_time(str(media["timestamp"])) < oldest:
                done = True
                break
            for event in self._media_comments(account, media):
                if event.sent_at >= state.since:
                    state = state.seen(event.sent_at)
                    events.append(event)
        after = None if done else polling.next_after(page)
        return state.result(events, after, slow_down=self.throttle(account))

    def _media_comments(
        self, account: AccountConfig, media: Mapping[str, Any]
    ) -> list[InboundEvent]:
        fields = f"{COMMENT_FIELDS},replies{{{COMMENT_FIELDS}}}"
        params: dict[str, Any] = {"fields": fields, "limit": 50}
        events: list[InboundEvent] = []
        while True:
            page = self._get(account, f"{media['id']}/comments", params)
            for comment in polling.items(page):
                nested = (comment.get("replies") or {}).get("data") or ()
                for item in (comment, *nested):
                    events.append(
                        payloads.graph_comment_event(
                            account_id=account.external_id, media=media, comment=item
                        )
                    )
            after = polling.next_after(page)
            if after is None:
                return events
            params["after"] = after

    def _check_caption(self, account: AccountConfig, request: PublishRequest) -> None:
        if not request.image_urls:
            raise PermanentSendError("Instagram posts need at least one image")
        if len(request.text) > CAPTION_LIMIT:
            raise PermanentSendError(
                f"Instagram captions are limited to {CAPTION_LIMIT} characters"
            )
        limit = int(account.options.get("max_hashtags") or DEFAULT_MAX_HASHTAGS)
        if len(HASHTAG.findall(request.text)) > limit:
            raise PermanentSendError(f"Instagram captions may carry at most {limit} hashtags")

    def _wait_for_container(self, account: AccountConfig, container: str) -> None:
        """Poll status_code until FINISHED; Meta fetches the image itself, which takes a moment."""
        for check in range(self.container_checks):
            status = str(
                self._get(account, container, {"fields": "status_code"}).get("status_code")
            )
            if status in ("FINISHED", "PUBLISHED"):
                return
            if status in ("ERROR", "EXPIRED"):
                raise PermanentSendError(f"Instagram media container {container} is {status}")
            if check + 1 < self.container_checks:
                time.sleep(self.container_wait)
        raise RetryableSendError(f"Instagram media container {container} not ready yet")

    def _post(self, account: AccountConfig, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self.graph.call(
            "POST", path, token=page_token(account), json=body, usage_key=account.external_id
        ).data
