"""Did a send whose answer never came go out? Look for it on Graph before sending again.

Graph has no idempotency key for the Send API or for comment replies, and its message reads
do not return the `metadata` we attach. What identifies our reply is: written by us (the Page
or the IG account), the same text, created since the first attempt, and not a message we
already recorded for another reply (`known_ids`). Anything we cannot recognise that way
raises CannotTell, and the job marks the reply "unknown — check" instead of guessing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from connectors._meta import polling
from connectors._meta.webhook import from_graph_time
from connectors.base import AccountConfig, CannotTell, SendResult, SentLookup

if TYPE_CHECKING:
    from connectors._meta.connector import MetaConnector

RECENT = 50  # a timed-out send is recent: one page of the newest items is enough


def find_dm(meta: MetaConnector, account: AccountConfig, lookup: SentLookup) -> SendResult | None:
    """Our message to this customer with this text since the attempt, else None."""
    reply = lookup.reply
    if not reply.text.strip():
        raise CannotTell("an attachment-only message cannot be recognised on Graph")
    owner = meta._messages_owner(account)
    params = {"platform": meta.platform, "user_id": reply.recipient.external_id, "fields": "id"}
    thread = next(polling.items(meta._get(account, f"{owner}/conversations", params)), None)
    if thread is not None:
        page = meta._get(
            account,
            f"{thread['id']}/messages",
            {"fields": "id,created_time,from,message", "limit": RECENT},
        )
        for item in polling.items(page):
            if _ours(item, meta._self_ids(account), reply.text, lookup, "message"):
                return SendResult(str(item["id"]), extra={"found_after_timeout": True})
    return None


def find_comment_reply(
    meta: MetaConnector, account: AccountConfig, lookup: SentLookup, edge: str
) -> SendResult | None:
    """Our public reply under the comment (or anywhere on the post) since the attempt."""
    reply = lookup.reply
    if not reply.text.strip():
        raise CannotTell("an attachment-only reply cannot be recognised on Graph")
    if meta.slug == "facebook":
        path = f"{reply.thread_key}/comments"  # filter=stream: every level of the post
        params: dict[str, Any] = {
            "fields": "id,message,from,created_time",
            "filter": "stream",
            "order": "reverse_chronological",
            "limit": RECENT,
        }
        field = "message"
    else:
        path = (
            f"{reply.in_reply_to}/{edge}" if reply.in_reply_to else f"{reply.thread_key}/comments"
        )
        params = {"fields": "id,text,from,timestamp", "limit": RECENT}
        field = "text"
    for item in polling.items(meta._get(account, path, params)):
        if _ours(item, meta._self_ids(account), reply.text, lookup, field):
            return SendResult(str(item["id"]), extra={"found_after_timeout": True})
    return None


def _ours(
    item: Mapping[str, Any],
    self_ids: Collection[str],
    text: str,
    lookup: SentLookup,
    field: str,
) -> bool:
    author = item.get("from") or {}
    if str(author.get("id")) not in self_ids or str(item.get("id")) in lookup.known_ids:
        return False
    created = item.get("created_time") or item.get("timestamp")
    if created is None or from_graph_time(str(created)) < lookup.since:
        return False
    return str(item.get(field) or "").strip() == text.strip()
