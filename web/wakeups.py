"""Wake-ups sent off the acknowledgement path, coalesced.

A webhook is answered once its row is committed; telling the drainers (a Redis PUBLISH) is
only a hint, so it need not hold up the 200. Each web process hands wake-ups to one
background thread, which sends one PUBLISH for all the requests that asked while the previous
one was on its way: under a burst, one round trip per batch of requests instead of one per
request, and none inside any request. A wake-up asked for after a commit is always sent after
that commit, so no row can be missed by a drainer that was idle; a lost one (Redis down)
costs at most the drainers' own look every INGEST_POLL_SECONDS.
"""

from __future__ import annotations

import logging
import os
import threading

from switchboard.metrics import WEBHOOKS
from switchboard.runner import JobRunner

log = logging.getLogger(__name__)


class Waker:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._pending: dict[str, tuple[JobRunner, set[str]]] = {}
        self._pid: int | None = None

    def wake(self, jobs: JobRunner, queue: str, endpoint: str) -> None:
        """Ask for a wake-up of `queue`'s drainers; returns at once."""
        with self._cond:
            if self._pid != os.getpid():  # first use in this (possibly forked) process
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="wakeups", daemon=True).start()
            _, endpoints = self._pending.setdefault(queue, (jobs, set()))
            endpoints.add(endpoint)
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending:
                    self._cond.wait()
                pending, self._pending = self._pending, {}
            for queue, (jobs, endpoints) in pending.items():
                try:
                    jobs.wake(queue)
                except Exception as exc:  # Redis down: the drainers still look on their own
                    log.warning("wake-up of %s failed: %s", queue, exc)
                    for endpoint in endpoints:
                        WEBHOOKS.labels(endpoint, "enqueue_failed").inc()


WAKER = Waker()
