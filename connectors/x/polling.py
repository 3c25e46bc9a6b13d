"""Page through the mentions timeline and DM events without losing or repeating anything.

Both streams are read newest first and paged towards older items, so a catch-up is a walk from
the newest item down to what we already have. The cursor (README.md, "Polling cursor") holds:

- `since`: the newest id fully ingested (mentions: sent as `since_id`; DMs have no `since_id`,
  so paging stops at the first event at or below it);
- `top`: the newest id seen by the catch-up in progress;
- `next`: the pagination token of the next, older page.

`since` moves to `top` only when the last page of a catch-up was read, so a 429 or a crash in
the middle resumes from the stored `next` token and the window between `since` and `top` is
read exactly once. Nothing here sleeps: errors propagate for the job runner to reschedule.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from connectors.base import InboundEvent, PollResult
from connectors.x.client import XClient, XRequestRefused, XResponse
from connectors.x.payloads import dm_events, mention_events, partial_errors, snowflake_at

log = logging.getLogger(__name__)

FIRST_LOOK_MARGIN = 600.0  # seconds; covers clock skew between us and X
TWEET_FIELDS = (
    "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,entities,"
    "attachments,lang"
)
USER_FIELDS = "username,name,profile_image_url"
MEDIA_FIELDS = "type,url,preview_image_url,width,height,alt_text"
DM_EVENT_FIELDS = (
    "id,event_type,text,sender_id,participant_ids,dm_conversation_id,created_at,attachments,"
    "referenced_tweets"
)


@dataclass(frozen=True, slots=True)
class Cursor:
    since: str | None = None
    top: str | None = None
    next: str | None = None

    @classmethod
    def load(cls, raw: str | None) -> Cursor:
        """Read a stored cursor; a bare id (an older format) is taken as `since`."""
        if not raw:
            return cls()
        if raw.isdigit():
            return cls(since=raw)
        doc = json.loads(raw)
        return cls(since=doc.get("since"), top=doc.get("top"), next=doc.get("next"))

    def dump(self) -> str | None:
        doc = {k: v for k, v in asdict(self).items() if v is not None}
        return json.dumps(doc, separators=(",", ":"), sort_keys=True) if doc else None


def poll_mentions(client: XClient, account_id: str, raw: str | None, page_size: int) -> PollResult:
    """Read one page of mentions after `since`; see the module docstring for the cursor."""
    cursor = Cursor.load(raw)
    params = {
        "max_results": str(page_size),
        "tweet.fields": TWEET_FIELDS,
        "expansions": "author_id,attachments.media_keys,referenced_tweets.id",
        "user.fields": USER_FIELDS,
        "media.fields": MEDIA_FIELDS,
    }
    if cursor.since is not None:
        params["since_id"] = cursor.since
    response = _get_page(client, f"/2/users/{account_id}/mentions", params, cursor)
    if response is None:
        return PollResult(events=(), cursor=Cursor(since=cursor.since).dump(), more=True)
    events = mention_events(account_id, response.body)
    for problem in partial_errors(response.body):
        log.info("X mentions for %s: partial error %s", account_id, problem)
    meta: Mapping[str, Any] = response.body.get("meta") or {}
    newest = _newest(meta.get("newest_id"), *(e.external_id for e in events))
    return _advance(cursor, events, newest, meta.get("next_token"), stop=False)


def poll_dms(client: XClient, account_id: str, raw: str | None, page_size: int) -> PollResult:
    """Read one page of DM events, newest first, down to the newest one already ingested."""
    cursor = Cursor.load(raw)
    params = {
        "max_results": str(page_size),
        "dm_event.fields": DM_EVENT_FIELDS,
        "event_types": "MessageCreate",
        "expansions": "sender_id,participant_ids,attachments.media_keys",
        "user.fields": USER_FIELDS,
        "media.fields": MEDIA_FIELDS,
    }
    response = _get_page(client, "/2/dm_events", params, cursor)
    if response is None:
        return PollResult(events=(), cursor=Cursor(since=cursor.since).dump(), more=True)
    items = list(response.body.get("data") or ())
    seen = int(cursor.since) if cursor.since is not None else None
    fresh = [item for item in items if seen is None or int(item["id"]) > seen]
    events = dm_events(account_id, {**response.body, "data": fresh})
    meta: Mapping[str, Any] = response.body.get("meta") or {}
    newest = _newest(*(str(item["id"]) for item in items))
    reached_known = len(fresh) < len(items)
    return _advance(cursor, events, newest, meta.get("next_token"), stop=reached_known)


def _get_page(
    client: XClient, path: str, params: dict[str, str], cursor: Cursor
) -> XResponse | None:
    """Fetch a page; None when X refused a stale pagination token (restart the catch-up)."""
    if cursor.next is None:
        return client.get(path, params)
    try:
        return client.get(path, {**params, "pagination_token": cursor.next})
    except XRequestRefused as exc:
        if exc.status == 400:
            return None
        raise


def _advance(
    cursor: Cursor,
    events: list[InboundEvent],
    newest: str | None,
    next_token: Any,
    *,
    stop: bool,
) -> PollResult:
    """Build the result: keep paging while older pages remain, else move `since` to the top."""
    top = cursor.top or newest
    first_ever = cursor.since is None
    if next_token and not stop and not first_ever:
        following = Cursor(since=cursor.since, top=top, next=str(next_token))
        return PollResult(events=tuple(events), cursor=following.dump(), more=True)
    since = _newest(top, cursor.since)
    if since is None:
        # Nothing yet: start from "a little before now", so whatever arrives before the next
        # poll is paged in full rather than taken as another first look.
        since = snowflake_at(time.time() - FIRST_LOOK_MARGIN)
    return PollResult(events=tuple(events), cursor=Cursor(since=since).dump(), more=False)


def _newest(*ids: Any) -> str | None:
    known = [int(i) for i in ids if i is not None and str(i).isdigit()]
    return str(max(known)) if known else None
