"""What the connector can do to a comment and what this agent may do, for the UI and the API.

Shared so the thread shows exactly the buttons the API would accept.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from connectors import behaviour
from connectors.base import Moderate
from inbox.models import ChannelAccount, Message, User
from inbox.models.moderation import MODERATION_ACTIONS, CommentModeration
from inbox.moderation import NOT_A_COMMENT, ModerationRefused, may_moderate, request_moderation
from switchboard.runtime import Runtime


def supported_actions(rt: Runtime, account: ChannelAccount) -> frozenset[str]:
    """The moderation the account's connector implements (none without the capability)."""
    try:
        connector = rt.connector(account)
    except KeyError:
        return frozenset()
    moderator = behaviour(connector, Moderate)
    if moderator is None:
        return frozenset()
    return frozenset(moderator.moderation_actions) & frozenset(MODERATION_ACTIONS)


def actions_for(rt: Runtime, account: ChannelAccount, user: User) -> tuple[str, ...]:
    """The buttons to show this agent on the account's comments, in a stable order."""
    supported = supported_actions(rt, account)
    return tuple(a for a in MODERATION_ACTIONS if a in supported and may_moderate(user, a))


def moderate(
    rt: Runtime, session: Session, message: Message, action: str, user: User
) -> tuple[CommentModeration, bool]:
    """Record the request (the job runs after commit); ModerationRefused says why not."""
    if message.kind == "note":
        raise ModerationRefused(NOT_A_COMMENT)
    supported = supported_actions(rt, message.conversation.account)
    return request_moderation(session, message, action, user, supported=supported)
