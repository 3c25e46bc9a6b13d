"""What the connector says about replying in a conversation, asked before anything is stored.

Shared by the API and the composer: the same window and length rules are shown before the
agent types and enforced when they press send.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from connectors import behaviour, channel
from connectors.base import (
    AttachmentLimits,
    ConnectorError,
    ConversationKind,
    LengthLimit,
    MessageTemplate,
    ReplyWindow,
    Templates,
)
from inbox.models import Conversation
from inbox.reply_gates import closed_here
from switchboard.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReplyCheck:
    window: ReplyWindow
    problem: str | None  # why this text cannot be sent, if it cannot
    text: str | None = None  # a template's text, as the customer will read it


def reply_window(rt: Runtime, conversation: Conversation) -> ReplyWindow:
    account = conversation.account
    closed = closed_here(conversation, account)
    if closed is not None:
        return closed
    connector = rt.connector(account)
    return connector.reply_window(
        rt.account_config(account),
        ConversationKind(conversation.kind),
        conversation.last_customer_message_at,
        datetime.now(UTC),
    )


def check_reply(
    rt: Runtime,
    conversation: Conversation,
    text: str,
    template: Any = None,
    *,
    with_files: bool = False,
) -> ReplyCheck:
    """A template choice (Capability.TEMPLATES) is checked by the connector instead of the
    window and the text: the platform allows it when free replies are not allowed. Files
    without text (`with_files`) need no text check."""
    window = reply_window(rt, conversation)
    if template is not None:
        return _check_template(rt, conversation, window, template)
    if not window.open:
        return ReplyCheck(window, window.reason or "the channel does not allow a reply now")
    limited = behaviour(rt.connector(conversation.account), LengthLimit)
    if limited is None or (with_files and not text.strip()):
        return ReplyCheck(window, None)
    problem = limited.validate_text(ConversationKind(conversation.kind), text)
    return ReplyCheck(window, problem)


def _check_template(
    rt: Runtime, conversation: Conversation, window: ReplyWindow, template: Any
) -> ReplyCheck:
    account = conversation.account
    templates = behaviour(rt.connector(account), Templates)
    if templates is None:
        return ReplyCheck(window, "this channel has no message templates")
    if account.health == "reconnect_needed":
        return ReplyCheck(window, window.reason or "the channel needs reconnecting")
    try:
        rendered = templates.render_template(rt.account_config(account), template)
    except ConnectorError as exc:
        return ReplyCheck(window, exc.reason)
    return ReplyCheck(window, None, rendered)


def attachment_limits(rt: Runtime, conversation: Conversation) -> AttachmentLimits | None:
    """The files a reply may carry here: the channel's declaration for this kind of
    conversation, no larger than the attachment store keeps (ATTACHMENT_MAX_BYTES)."""
    declared = channel(conversation.account.channel)
    if declared is None or conversation.kind not in set(ConversationKind):
        return None
    limits = declared.limits.attachments(ConversationKind(conversation.kind))
    if limits is None:
        return None
    keep = rt.store.max_bytes
    return replace(
        limits,
        types={t: min(size, keep) for t, size in limits.types.items()},
        max_bytes=min(limits.max_bytes, keep),
    )


def templates_for(rt: Runtime, conversation: Conversation) -> tuple[list[MessageTemplate], str]:
    """The templates the composer offers, or why none can be shown (the platform failed)."""
    templates = behaviour(rt.connector(conversation.account), Templates)
    if templates is None:
        return [], ""
    try:
        found = templates.message_templates(rt.account_config(conversation.account))
    except ConnectorError as exc:
        return [], exc.reason
    return list(found), ""


def enqueue_send(rt: Runtime, message_id: int, *, job_id: str | None = None) -> bool:
    """Queue the send of a stored reply; False when the queue is down.

    Once the reply is committed, a queue that is down is not the agent's or the client's
    problem: the sweeper re-enqueues pending replies. Answering 500 there would make a client
    retry, and without an Idempotency-Key send it twice.
    """
    try:
        rt.jobs.enqueue(
            "workers.send.send_message",
            message_id,
            queue="send",
            job_id=job_id or f"send:{message_id}",
        )
    except Exception:  # redis.ConnectionError, TimeoutError, ...: anything means "not queued"
        log.warning("send of message %s not queued; the sweeper will send it", message_id)
        return False
    return True
