"""Click-to-call: place a call an agent asked for (inbox/calls.py `request_call`).

Never retried: a call placed twice rings the agent twice. A refusal is stored on the call
message with the reason; an answer that never came is stored as unknown (the call may be
ringing), and the call's statuses, which name the message by its uuid, settle it either way.
A job that dies after its claim leaves the call "placing": the sweeper settles it
(`sweep_calls`, inbox/calls.py `settle_stale`).
"""

from __future__ import annotations

from datetime import datetime

from connectors import behaviour
from connectors.base import ConnectorError, OutcomeUnknown, PlaceCall
from inbox import calls
from inbox.models import Message, utcnow
from workers.context import runtime


def place_call(message_id: int) -> None:
    rt = runtime()
    with rt.db.session() as session:
        message = session.get(Message, message_id)
        if message is None or (message.meta or {}).get("stage") != "requested":
            return  # placed already (a second job for one request does nothing)
        account = message.conversation.account
        placer = behaviour(rt.connector(account), PlaceCall)
        if placer is None:
            calls.place_failed(session, message, f"{account.channel} cannot place calls")
            return
        calls.placing(message, utcnow())  # claimed: committed before the provider call
        agent = str(message.meta.get("agent_phone") or "")
        customer = message.conversation.participant_key
        config = rt.account_config(account)
        uuid = message.uuid
    call_id, problem = None, None
    try:
        call_id = placer.place_call(config, agent, customer, uuid)
    except OutcomeUnknown as exc:
        problem = f"unknown: {exc.reason}"
    except ConnectorError as exc:
        problem = exc.reason
    with rt.db.session() as session:
        # Locked and read afresh: the call's statuses may have been merged in meanwhile.
        message = session.get(
            Message, message_id, with_for_update={"key_share": True}, populate_existing=True
        )
        assert message is not None
        if call_id is not None:
            calls.placed(session, message, call_id)
        else:
            calls.place_failed(session, message, problem or "the call was not placed")


def sweep_calls(now: datetime) -> int:
    """For workers/sweep.py: calls a dead job left "placing" past their deadline."""
    with runtime().db.session() as session:
        return calls.settle_stale(session, now)
