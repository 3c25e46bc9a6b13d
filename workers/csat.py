"""Send the CSAT surveys that are due (inbox/csat.py decides; this asks the platform's rules).

Run by the sweeper. The reply window is asked as for an agent's reply (web/replying.py):
first what closes the conversation whatever the clock (inbox/reply_gates.py: a channel to
reconnect, the platform's own refusal, a customer's STOP), then the channel's connector; so a
survey is never sent where an agent could not write; it is skipped with the reason recorded
on the conversation. A survey is not a person's reply: where the platform extends the window
only for people (Meta's HUMAN_AGENT tag after 24 hours), the survey is skipped too.
"""

from __future__ import annotations

from datetime import datetime

from connectors.base import ConversationKind
from inbox import csat
from inbox.models import ChannelAccount, Conversation
from inbox.reply_gates import closed_here
from workers.context import runtime


def send_due_surveys(now: datetime) -> int:
    """Send or skip every due survey; return how many questions were queued for sending."""
    rt = runtime()
    queued: list[int] = []
    with rt.db.session() as session:
        for survey in csat.due(session, now):
            conversation = session.get(Conversation, survey.conversation_id)
            account = (
                session.get(ChannelAccount, conversation.channel_account_id)
                if conversation is not None
                else None
            )
            if conversation is None or account is None:
                csat.skip(session, survey, "the conversation no longer exists")
                continue
            window = closed_here(conversation, account) or rt.connector(account).reply_window(
                rt.account_config(account),
                ConversationKind(conversation.kind),
                conversation.last_customer_message_at,
                now,
            )
            if not window.open:
                csat.skip(session, survey, window.reason or "outside the platform's reply window")
                continue
            if window.tag is not None:
                csat.skip(session, survey, f"outside the standard reply window ({window.reason})")
                continue
            message = csat.send(
                session,
                survey,
                now,
                secret=rt.settings.get("SECRET_KEY"),
                base_url=rt.settings.get("PUBLIC_BASE_URL"),
            )
            if message is not None:
                session.flush()
                queued.append(message.id)
    for message_id in queued:
        rt.jobs.enqueue(
            "workers.send.send_message", message_id, queue="send", job_id=f"send:{message_id}"
        )
    return len(queued)
