"""Turn committed domain events into follow-up jobs (rules, SLA clocks, assignment).

`Database.session()` hands every committed batch of events to the sink built here: the live
UI hears them on the bus, and the events that can matter to automation enqueue one
`after_commit` job with a compact copy of them. Events emitted by automation itself carry an
`origin` and start nothing, so a rule's or an assignment's own changes never retrigger it.

A committed change of rules or policies (inbox/workflow_config.py CHANGED) bumps the workflow
generation — in this process and, with rq, in Redis for every process — so the after-commit
job's cached "what is configured?" (workers/automation.py) is read again.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

from inbox.workflow_config import CHANGED
from switchboard.runner import JobRunner

log = logging.getLogger(__name__)

Events = list[dict[str, Any]]

# Topics after which a conversation's rules, SLA clock or assignment may change.
WATCHED = {"conversation.created", "conversation.updated", "message.created", "message.updated"}
# Events of the SLA sweeper that are rule triggers of their own.
SLA_TOPICS = {"sla.warning", "sla.breached"}
_KEPT = (
    "topic",
    "conversation_id",
    "channel_account_id",
    "message_id",
    "direction",
    "status",
    "previous_status",
    "at",
    "target",
    "due_at",
)


def reacting(publish: Callable[[Events], None], jobs: JobRunner) -> Callable[[Events], None]:
    def sink(events: Events) -> None:
        publish(events)
        try:
            react(jobs, events)
        except Exception:  # the state is committed; the sweeper will catch up
            log.exception("could not enqueue follow-up jobs for %d events", len(events))

    return sink


GENERATION_KEY = "workflow:generation"
_local_generation = itertools.count(1)
_generation = [0]


def bump_generation(jobs: JobRunner) -> None:
    _generation[0] = next(_local_generation)
    connection = getattr(jobs, "connection", None)  # RqRunner's Redis: shared by all processes
    if connection is not None:
        try:
            connection.incr(getattr(jobs, "prefix", "") + GENERATION_KEY)
        except Exception:  # other processes see the change within their cache's MAX_AGE
            log.warning("could not bump the workflow generation in Redis")


def generation(jobs: JobRunner) -> tuple[int, int]:
    """Changes to the workflow configuration seen: (by this process, by all, via Redis)."""
    connection = getattr(jobs, "connection", None)
    shared = connection.get(getattr(jobs, "prefix", "") + GENERATION_KEY) if connection else 0
    return _generation[0], int(shared or 0)


def react(jobs: JobRunner, events: Events) -> None:
    watched: Events = []
    everywhere = False
    if any(event.get("topic") == CHANGED for event in events):
        bump_generation(jobs)  # before the follow-up jobs below can read the old answer
    for event in events:
        topic = event.get("topic")
        if event.get("origin"):
            continue
        if (topic in WATCHED or topic in SLA_TOPICS) and event.get("conversation_id"):
            watched.append({k: event[k] for k in _KEPT if event.get(k) is not None})
        elif topic in ("user.shift", "assignment.policy_changed"):
            everywhere = True
    if watched:
        jobs.enqueue("workers.automation.after_commit", watched, queue="maintenance")
    if everywhere:
        jobs.enqueue(
            "workers.automation.assign_everywhere", queue="maintenance", job_id="assign:all"
        )
