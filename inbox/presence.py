"""What agents are doing right now: "someone else is replying" pings.

A ping is a domain event like any other (`emit`), so it reaches other agents through the same
bus and the same per-inbox filtering as new messages: in-process in embedded mode, Redis
pub/sub in production. Nothing is stored; a missed ping only hides the indicator for a moment.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from inbox.events import emit
from inbox.models import Conversation, User


def typing(session: Session, conversation: Conversation, user: User, *, mode: str) -> None:
    """Announce that `user` is writing a reply or a note in `conversation`."""
    emit(
        session,
        "conversation.typing",
        conversation_id=conversation.id,
        channel_account_id=conversation.channel_account_id,
        user_id=user.id,
        user_name=user.name,
        mode="note" if mode == "note" else "reply",
    )
