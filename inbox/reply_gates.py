"""What closes a conversation to every reply before the platform's own clock is asked.

An agent's reply (web/replying.py) and the CSAT sweeper (workers/csat.py) both ask this
first, so a survey is never sent where an agent could not write: a channel that needs
reconnecting, a window the platform itself reported closed (its refusal outranks our clock
until the customer writes again), a customer who texted STOP. Before, the sweeper repeated
only the first of these and texted surveys to customers who had opted out.
"""

from __future__ import annotations

from connectors.base import ReplyWindow
from inbox import opt_out
from inbox.models import ChannelAccount, Conversation


def closed_here(conversation: Conversation, account: ChannelAccount) -> ReplyWindow | None:
    """A closed window with the reason, or None: then the connector's rule decides."""
    if account.health == "reconnect_needed":
        return ReplyWindow(
            open=False, reason=f"channel needs reconnecting: {account.health_detail}"
        )
    closed = _closed_by_platform(conversation)
    if closed is not None:
        return closed
    refused = opt_out.refusal(conversation)
    if refused is not None:
        return ReplyWindow(open=False, reason=refused)
    return None


def _closed_by_platform(conversation: Conversation) -> ReplyWindow | None:
    """The platform refused a send as outside its window (Meta 10/2018278) since the
    customer last wrote: trust it over our own clock until the customer writes again."""
    closed = (conversation.context or {}).get("window_closed")
    if not isinstance(closed, dict):
        return None
    last = conversation.last_customer_message_at
    counted_from = closed.get("customer_message_at")
    if last is not None and (last.isoformat() if last else None) != counted_from:
        return None  # the customer wrote again since the platform closed it
    return ReplyWindow(
        open=False,
        reason="the reply window has closed: the platform refused the last reply; "
        "it reopens when the customer writes again",
    )
