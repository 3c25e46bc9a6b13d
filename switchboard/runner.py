"""One job-runner interface, two backends: threads in this process, or rq on Redis."""

from __future__ import annotations

import heapq
import importlib
import itertools
import logging
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from switchboard.metrics import JOB_FAILURES

log = logging.getLogger(__name__)

QUEUES = ("ingest", "send", "poll", "publish", "maintenance")
# Work that is drained in bulk rather than queued one job per item: a wake-up names the
# queue, and whoever drains it claims everything waiting (workers/ingest.py `drain`).
DRAINS = {"ingest": "workers.ingest.drain"}


def wake_channel(prefix: str, queue: str) -> str:
    """The pub/sub channel for `queue`'s wake-ups, under the deployment's Redis prefix
    (Settings.redis_prefix): pub/sub ignores database numbers, and deployments sharing one
    Redis server must not wake each other."""
    return f"{prefix}wake:{queue}"


# The embedded runner's own job that re-arms a periodic one (never resolved as a function).
_TICK = "switchboard.runner._periodic_tick"
_RQ_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


class JobRunner(Protocol):
    def enqueue(
        self,
        func: str,
        *args: Any,
        queue: str,
        at: datetime | None = None,
        job_id: str | None = None,
    ) -> None:
        """Run `func(*args)` (a dotted path) on `queue`, now or at `at` (aware UTC)."""
        ...

    def wake(self, queue: str) -> None:
        """Tell the drainers of `queue` (a key of DRAINS) that new rows are waiting.

        Cheap and lossy on purpose: the rows are in the database, and drainers also look
        on their own every few seconds, so a lost wake-up only delays.
        """
        ...


def resolve(path: str) -> Callable[..., Any]:
    module, _, name = path.rpartition(".")
    if not module.startswith("workers."):
        raise ValueError(f"jobs live in workers/: {path!r}")
    func: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return func


class EmbeddedRunner:
    """Threads plus a timer heap: the demo and the tests need no Redis.

    Jobs with the same `job_id` that are still waiting are coalesced, like rq's job ids.
    """

    def __init__(self, threads: int = 2) -> None:
        self._heap: list[tuple[float, int, str, tuple[Any, ...], str | None]] = []
        self._waiting: set[str] = set()
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._running = 0
        self._stopped = False
        self._periodic: list[tuple[float, str]] = []
        self._workers = [
            threading.Thread(target=self._work, name=f"job-{i}", daemon=True)
            for i in range(threads)
        ]
        self.failures: list[tuple[str, str]] = []  # (func, error) for tests and logs
        for worker in self._workers:
            worker.start()

    def enqueue(
        self,
        func: str,
        *args: Any,
        queue: str,
        at: datetime | None = None,
        job_id: str | None = None,
    ) -> None:
        when = time.time() if at is None else at.timestamp()
        with self._cond:
            if job_id is not None:
                if job_id in self._waiting:
                    return
                self._waiting.add(job_id)
            heapq.heappush(self._heap, (when, next(self._seq), func, args, job_id))
            self._cond.notify()

    def wake(self, queue: str) -> None:
        """One drain job, coalesced: a burst of wake-ups while it waits costs nothing."""
        self.enqueue(DRAINS[queue], queue=queue, job_id=f"drain:{queue}")

    def every(self, seconds: float, func: str) -> None:
        """Run `func()` now and every `seconds` until stopped."""
        self._periodic.append((seconds, func))
        self.enqueue(_TICK, func, seconds, queue="maintenance")

    def _work(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._stopped:
                        return
                    now = time.time()
                    if self._heap and self._heap[0][0] <= now:
                        _, _, func, args, job_id = heapq.heappop(self._heap)
                        if job_id is not None:
                            self._waiting.discard(job_id)
                        self._running += 1
                        break
                    timeout = self._heap[0][0] - now if self._heap else None
                    self._cond.wait(timeout)
            try:
                if func == _TICK:
                    self._tick(*args)
                else:
                    resolve(func)(*args)
            except Exception as exc:
                log.exception("job %s%r failed", func, args)
                self.failures.append((func, repr(exc)))
                JOB_FAILURES.labels(func).inc()
            finally:
                with self._cond:
                    self._running -= 1
                    self._cond.notify_all()

    def _tick(self, func: str, seconds: float) -> None:
        try:
            resolve(func)()
        finally:
            at = datetime.fromtimestamp(time.time() + seconds, UTC)
            self.enqueue(_TICK, func, seconds, queue="maintenance", at=at)

    def drain(self, timeout: float = 30.0, *, include_periodic: bool = False) -> bool:
        """Wait until no job is due or running (future-dated jobs are ignored); True if idle."""
        deadline = time.time() + timeout
        with self._cond:
            while True:
                now = time.time()
                due = [
                    item
                    for item in self._heap
                    if item[0] <= now and (include_periodic or item[2] != _TICK)
                ]
                if not due and self._running == 0:
                    return True
                if now >= deadline:
                    return False
                self._cond.wait(min(0.05, deadline - now))

    def pending(self) -> list[tuple[datetime, str, tuple[Any, ...]]]:
        with self._cond:
            return [
                (datetime.fromtimestamp(w, UTC), f, a)
                for w, _, f, a, _ in sorted(self._heap)
                if f != _TICK
            ]

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        for worker in self._workers:
            worker.join(timeout=5)


class RqRunner:
    """rq on Redis: `switchboard worker` processes run the jobs; rq's scheduler runs `at` jobs."""

    def __init__(self, redis_url: str, prefix: str = "switchboard:") -> None:
        import redis

        self.prefix = prefix  # Settings.redis_prefix: web and workers must agree on it
        self.connection = redis.Redis.from_url(redis_url)
        self._queues: dict[str, Any] | None = None

    @property
    def queues(self) -> dict[str, Any]:
        """rq's queues, built (and rq imported: a few hundred ms) on first use; a web process
        that only wakes drainers, or a `switchboard poll`, may never need them."""
        if self._queues is None:
            from rq import Queue

            self._queues = {name: Queue(name, connection=self.connection) for name in QUEUES}
        return self._queues

    def enqueue(
        self,
        func: str,
        *args: Any,
        queue: str,
        at: datetime | None = None,
        job_id: str | None = None,
    ) -> None:
        q = self.queues[queue]
        options: dict[str, Any] = {"job_timeout": 600, "result_ttl": 300, "failure_ttl": 86400}
        if job_id is not None:
            options["job_id"] = _RQ_ID_UNSAFE.sub("-", job_id)  # rq allows [A-Za-z0-9_-]
        if at is not None and at > datetime.now(UTC):
            # rq keeps whole seconds (it truncates), which would run a job up to 1 s early.
            if at.microsecond:
                at = at.replace(microsecond=0) + timedelta(seconds=1)
            q.enqueue_at(at, func, *args, **options)
        else:
            q.enqueue(func, *args, **options)

    def wake(self, queue: str) -> None:
        """A Redis PUBLISH (one round trip), heard by every `switchboard worker` draining it."""
        if queue not in DRAINS:
            raise KeyError(queue)
        self.connection.publish(wake_channel(self.prefix, queue), b"1")
