"""Did a reply whose answer never came go out? Look for it on X before sending again.

X has no idempotency key for DMs or tweets. Our reply is recognised by author (our account),
text (compared as X returns it: HTML-escaped, links rewritten to t.co), time (since the first
attempt) and by not being an id we already recorded for another message.
"""

from __future__ import annotations

import html
from datetime import datetime

from connectors.base import AccountConfig, CannotTell, ConversationKind, SendResult, SentLookup
from connectors.x.client import XClient
from connectors.x.publishing import comparable

RECENT = "100"


def find_sent(client: XClient, account: AccountConfig, lookup: SentLookup) -> SendResult | None:
    reply = lookup.reply
    if reply.conversation_kind == ConversationKind.DM:
        return _find_dm(client, account, lookup)
    if reply.conversation_kind == ConversationKind.MENTION:
        return _find_tweet(client, account, lookup)
    raise CannotTell(f"X cannot look up a {reply.conversation_kind} reply")


def _find_dm(client: XClient, account: AccountConfig, lookup: SentLookup) -> SendResult | None:
    reply = lookup.reply
    others = [p for p in reply.thread_key.split("-") if p and p != account.external_id]
    participant = reply.recipient.external_id or (others[0] if others else "")
    params = {
        "dm_event.fields": "id,text,sender_id,created_at,dm_conversation_id",
        "event_types": "MessageCreate",
        "max_results": RECENT,
    }
    body = client.get(f"/2/dm_conversations/with/{participant}/dm_events", params).body
    wanted = comparable(lookup.reply.text)
    for event in body.get("data") or ():
        if (
            str(event.get("sender_id")) == account.external_id
            and str(event.get("id")) not in lookup.known_ids
            and _since(event.get("created_at"), lookup.since)
            and comparable(html.unescape(str(event.get("text", "")))) == wanted
        ):
            return SendResult(str(event["id"]), extra={"found_after_timeout": True})
    return None


def _find_tweet(client: XClient, account: AccountConfig, lookup: SentLookup) -> SendResult | None:
    params = {
        "max_results": RECENT,
        "start_time": lookup.since.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tweet.fields": "created_at",
    }
    body = client.get(f"/2/users/{account.external_id}/tweets", params).body
    wanted = comparable(lookup.reply.text)
    for tweet in body.get("data") or ():
        if str(tweet.get("id")) in lookup.known_ids:
            continue
        if comparable(html.unescape(str(tweet.get("text", "")))) == wanted:
            return SendResult(str(tweet["id"]), extra={"found_after_timeout": True})
    return None


def _since(created_at: object, since: datetime) -> bool:
    if not isinstance(created_at, str):
        return True  # no time field: the text and author still have to match
    return datetime.fromisoformat(created_at.replace("Z", "+00:00")) >= since
