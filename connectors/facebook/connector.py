"""Facebook Page: Messenger DMs, feed comments, Page mentions, moderation and posts.

The Meta webhook (`/webhooks/meta`) is parsed by this connector for both objects: a delivery
for `object=instagram` yields events with `channel="instagram"`, routed to the IG account.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar

from connectors._meta import polling
from connectors._meta.connector import META_CAPABILITIES, ChangeMapper, MetaConnector, page_token
from connectors._meta.webhook import from_graph_time
from connectors.base import (
    AccountConfig,
    Capability,
    InboundEvent,
    OutboundReply,
    PermanentSendError,
    PollResult,
    PublishRequest,
    PublishResult,
    SendResult,
    UserProfile,
)
from connectors.facebook import payloads
from connectors.instagram import payloads as instagram_payloads

MODERATION = {"hide": True, "unhide": False}
FEED_LOOKBACK_DAYS = 28


class FacebookConnector(MetaConnector):
    slug: ClassVar[str] = "facebook"
    capabilities: ClassVar[frozenset[Capability]] = META_CAPABILITIES  # the same on both
    streams: ClassVar[tuple[str, ...]] = ("conversations", "feed")
    change_mappers: ClassVar[Mapping[str, ChangeMapper]] = {
        "page": payloads.change_events,
        "instagram": instagram_payloads.change_events,
    }
    platform: ClassVar[str] = "messenger"
    text_limit: ClassVar[int] = 2000
    profile_fields: ClassVar[str] = "first_name,last_name,profile_pic"

    def _profile(self, user_id: str, data: Mapping[str, Any]) -> UserProfile:
        """Messenger gives first and last name apart; joined with a space (as Messenger shows
        them for Latin names; Korean names arrive as last_name="김", first_name="민준")."""
        first, last = data.get("first_name") or "", data.get("last_name") or ""
        if _hangul(first + last):
            name = f"{last}{first}"
        else:
            name = " ".join(part for part in (first, last) if part)
        return UserProfile(
            external_id=user_id, name=name or None, picture_url=data.get("profile_pic") or None
        )

    def _messages_owner(self, account: AccountConfig) -> str:
        return account.external_id

    def _comment_reply(self, account: AccountConfig, reply: OutboundReply) -> SendResult:
        """POST /{comment-id}/comments; a reply to a reply lands under the top-level comment."""
        target = reply.in_reply_to or reply.thread_key
        body: dict[str, Any] = {"message": reply.text}
        if reply.attachments and reply.attachments[0].url:
            body["attachment_url"] = reply.attachments[0].url
        data = self.graph.call(
            "POST",
            f"{target}/comments",
            token=page_token(account),
            json=body,
            usage_key=account.external_id,
        ).data
        return SendResult(external_id=str(data["id"]), extra={"replied_to": target})

    def moderate(self, account: AccountConfig, external_id: str, action: str) -> None:
        """Hide, unhide or delete a comment on one of the Page's posts."""
        if action == "delete":
            self.graph.call(
                "DELETE", external_id, token=page_token(account), usage_key=account.external_id
            )
            return
        if action not in MODERATION:
            raise PermanentSendError(f"unknown moderation action {action!r}")
        self.graph.call(
            "POST",
            external_id,
            token=page_token(account),
            json={"is_hidden": MODERATION[action]},
            usage_key=account.external_id,
        )

    def publish(self, account: AccountConfig, request: PublishRequest) -> PublishResult:
        """One image: /photos; several: unpublished photos attached to a /feed post; else /feed."""
        page = account.external_id
        if len(request.image_urls) == 1:
            body = {"url": request.image_urls[0], "caption": request.text}
            data = self._post(account, f"{page}/photos", body)
            post_id = str(data.get("post_id") or data["id"])
        else:
            feed: dict[str, Any] = {"message": request.text}
            if request.link:
                feed["link"] = request.link
            if request.image_urls:
                feed["attached_media"] = [
                    {"media_fbid": self._unpublished_photo(account, url)}
                    for url in request.image_urls
                ]
            post_id = str(self._post(account, f"{page}/feed", feed)["id"])
        # No permalink lookup here: a failing read must not make a published post look
        # failed (a retry would post it twice). permalink() fills it in later.
        return PublishResult(external_id=post_id, permalink=None)

    def permalink(self, account: AccountConfig, external_id: str) -> str | None:
        """The post's public URL: optional enrichment, fetched after the id is recorded."""
        info = self._get(account, external_id, {"fields": "id,permalink_url"})
        return info.get("permalink_url")

    def find_published(
        self, account: AccountConfig, request: PublishRequest, since: datetime
    ) -> PublishResult | None:
        """Look for a post with this text since `since`, so a retried publish is not doubled."""
        params = {"fields": "id,message,created_time,permalink_url", "limit": polling.PAGE_SIZE}
        page = self._get(account, f"{account.external_id}/feed", params)
        for post in polling.items(page):
            if from_graph_time(str(post["created_time"])) < since:
                break
            if post.get("message") == request.text:
                return PublishResult(str(post["id"]), permalink=post.get("permalink_url"))
        return None

    def whoami(self, account: AccountConfig) -> dict[str, Any]:
        """Check the token and return the Page's id and name (admin connect and health)."""
        return self._get(account, "me", {"fields": "id,name"})

    def post_context(self, account: AccountConfig, post_id: str) -> dict[str, Any]:
        """The post a comment thread is about (text, link, picture), for the thread header."""
        data = self._lookup(account, post_id, {"fields": "id,message,permalink_url,full_picture"})
        return {
            "post_id": post_id,
            "post_text": data.get("message"),
            "permalink_url": data.get("permalink_url"),
            "picture_url": data.get("full_picture"),
        }

    def poll(self, account: AccountConfig, stream: str, cursor: str | None) -> PollResult:
        if stream == "conversations":
            return self._poll_conversations(account, cursor)
        if stream == "feed":
            return self._poll_feed(account, cursor)
        raise PermanentSendError(f"facebook has no poll stream {stream!r}")

    def _poll_feed(self, account: AccountConfig, cursor: str | None) -> PollResult:
        """One page of posts; for each post updated since the cursor, its new comments."""
        state = self._cursor(account, cursor)
        params: dict[str, Any] = {
            "fields": "id,message,created_time,updated_time,permalink_url",
            "limit": polling.PAGE_SIZE,
        }
        if state.after:
            params["after"] = state.after
        page = self._get(account, f"{account.external_id}/feed", params)
        oldest = state.since - _lookback(account)
        events: list[InboundEvent] = []
        done = False
        for post in polling.items(page):
            if from_graph_time(str(post["created_time"])) < oldest:
                done = True
                break
            updated = from_graph_time(str(post.get("updated_time") or post["created_time"]))
            if updated < state.since:
                continue
            state = state.seen(updated)
            events.extend(self._post_comments(account, post, state.since))
        after = None if done else polling.next_after(page)
        return state.result(events, after, slow_down=self.throttle(account))

    def _post_comments(
        self, account: AccountConfig, post: Mapping[str, Any], since: datetime
    ) -> list[InboundEvent]:
        params: dict[str, Any] = {
            "fields": "id,message,from,created_time,parent",
            "filter": "stream",
            "order": "reverse_chronological",
            "limit": 50,
        }
        events: list[InboundEvent] = []
        while True:
            page = self._get(account, f"{post['id']}/comments", params)
            for comment in polling.items(page):
                event = payloads.graph_comment_event(
                    page_id=account.external_id, post=post, comment=comment
                )
                if event.sent_at < since:
                    return events
                events.append(event)
            after = polling.next_after(page)
            if after is None:
                return events
            params["after"] = after

    def _unpublished_photo(self, account: AccountConfig, url: str) -> str:
        data = self._post(
            account, f"{account.external_id}/photos", {"url": url, "published": False}
        )
        return str(data["id"])

    def _post(self, account: AccountConfig, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self.graph.call(
            "POST", path, token=page_token(account), json=body, usage_key=account.external_id
        ).data


def _hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def _lookback(account: AccountConfig) -> timedelta:
    days = account.options.get("poll_feed_lookback_days") or FEED_LOOKBACK_DAYS
    return timedelta(days=float(days))
