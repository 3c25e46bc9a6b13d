"""Turn committed domain events into follow-up jobs (assignment, SLA, rules).

`Database.session()` hands every committed batch of events to the sink built here: the live
UI hears them on the bus, and the events that can change who should work a conversation
enqueue a coalesced job per inbox. Events emitted by those jobs themselves carry an `origin`
and start nothing, so a decision never triggers itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from workers.runner import JobRunner

log = logging.getLogger(__name__)

Events = list[dict[str, Any]]

# Topics after which an inbox's waiting queue may move: new work, reopened work, freed capacity.
_ASSIGNMENT_TOPICS = {"conversation.created", "conversation.updated", "message.created"}


def reacting(publish: Callable[[Events], None], jobs: JobRunner) -> Callable[[Events], None]:
    def sink(events: Events) -> None:
        publish(events)
        try:
            react(jobs, events)
        except Exception:  # the state is committed; the sweeper will catch up
            log.exception("could not enqueue follow-up jobs for %d events", len(events))

    return sink


def react(jobs: JobRunner, events: Events) -> None:
    inboxes: set[int] = set()
    everywhere = False
    for event in events:
        if event.get("origin"):
            continue
        topic = event.get("topic")
        if topic in _ASSIGNMENT_TOPICS and event.get("channel_account_id"):
            if topic == "message.created" and event.get("direction") != "inbound":
                continue
            inboxes.add(int(event["channel_account_id"]))
        elif topic in ("user.shift", "assignment.policy_changed"):
            everywhere = True
    if everywhere:
        jobs.enqueue(
            "workers.automation.assign_everywhere", queue="maintenance", job_id="assign:all"
        )
        return
    for account_id in sorted(inboxes):
        jobs.enqueue(
            "workers.automation.assign_inbox",
            account_id,
            queue="maintenance",
            job_id=f"assign:{account_id}",
        )
