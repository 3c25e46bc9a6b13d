"""`switchboard worker`: one process that drains ingest in bulk and runs the other rq jobs.

Threads in one process, no forks (issue 12):
- INGEST_THREADS ingest drainers claim `received` deliveries in batches (workers/ingest.py);
  a Redis PUBLISH from the web tier wakes them, and they also look every INGEST_POLL_SECONDS,
  so they keep ingesting while Redis is down or was flushed; one more drainer runs the
  fresh lane (INGEST_FRESH_SIZE newest deliveries that may jump a backlog, per customer in
  order), so a new message is claimed when it arrives, not after the batch in progress;
- rq's SimpleWorker runs the queued jobs (sends, polls, publishing, sweeps, retries) in the
  main thread, without forking a work horse per job;
- rq's scheduler (moves `at` jobs to their queue) and the sweep beat are loops in threads,
  not processes of their own.
Every loop survives a Redis or PostgreSQL restart: it logs, backs off, reconnects and goes
on. The beat and rq's scheduler take short Redis locks, so with N workers they still act once.

The process lowers its own CPU priority first (WORKER_NICE): where web and worker share a
machine, a draining worker must not delay webhook acknowledgements (`lower_priority`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import redis
from rq import Queue, SimpleWorker
from rq.exceptions import StopRequested
from rq.scheduler import RQScheduler

from switchboard.metrics import JOB_FAILURES
from switchboard.runner import QUEUES, JobRunner, RqRunner, wake_channel
from switchboard.runtime import Runtime, build_runtime
from switchboard.settings import Settings
from workers.context import set_runtime
from workers.ingest import drain, drain_fresh
from workers.watch import Watchers

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0


class Backoff:
    """Waits of 0.5, 1, 2 … up to MAX_BACKOFF seconds between failed attempts."""

    def __init__(self) -> None:
        self.failures = 0

    def failed(self) -> float:
        self.failures += 1
        return float(min(MAX_BACKOFF, 0.5 * 2 ** (self.failures - 1)))

    def reset(self) -> None:
        if self.failures:
            log.info("reconnected after %d failed attempts", self.failures)
        self.failures = 0


def run_worker(settings: Settings, queues: tuple[str, ...] = ()) -> None:
    names = list(queues or QUEUES)
    unknown = set(names) - set(QUEUES)
    if unknown:
        raise SystemExit(
            f"unknown queues: {', '.join(sorted(unknown))}; known: {', '.join(QUEUES)}"
        )
    lower_priority(settings)  # before any thread starts: Linux threads inherit it
    runtime = build_runtime(settings, jobs=RqRunner(settings.redis_url, settings.redis_prefix))
    set_runtime(runtime)
    connection = redis.Redis.from_url(settings.redis_url)
    stop = threading.Event()
    loops: list[threading.Thread] = []
    if "ingest" in names:
        # Several drainers per process: while one waits for PostgreSQL (the GIL is free),
        # another parses and builds its batch. They claim disjoint batches like workers do.
        for n in range(settings.int("INGEST_THREADS")):
            drainer = IngestDrainer(runtime, settings.redis_url, settings.redis_prefix, stop)
            loops.append(_thread(f"ingest-drain-{n}", drainer.run))
        if settings.int("INGEST_FRESH_SIZE") > 0:
            # The fresh lane in its own thread: a new message is claimed when it is woken,
            # not after the batch of the oldest another drainer is in the middle of.
            fresh = IngestDrainer(
                runtime, settings.redis_url, settings.redis_prefix, stop, lane="fresh"
            )
            loops.append(_thread("ingest-fresh", fresh.run))
    interval = settings.int("SWEEP_INTERVAL_SECONDS")
    prefix = settings.redis_prefix
    loops.append(_thread("beat", lambda: _beat(connection, runtime.jobs, interval, prefix, stop)))
    loops.append(_thread("scheduler", lambda: _schedule(connection, names, stop)))
    try:
        _work(connection, names)
    finally:
        stop.set()
        for loop in loops:
            loop.join(timeout=60)  # the drainer finishes (commits) the batch it holds
        runtime.close()


def lower_priority(settings: Settings) -> int:
    """Raise this process's nice value by WORKER_NICE (0 leaves it); the new value.

    On one machine with the web tier, a drain otherwise takes the CPUs from the web processes
    and webhook acknowledgements wait for them (issue 12: ack p99 while the worker drains).
    Acknowledgements are what the platforms time out on and retry; a drain a few percent
    slower only costs a backlog that much longer. On a machine of its own the worker competes
    with nobody and the value changes nothing. Linux keeps the nice value per thread and
    new threads inherit their creator's, so this runs before the worker starts any.
    """
    step = settings.int("WORKER_NICE")
    if not 0 <= step <= 19:
        raise SystemExit(f"WORKER_NICE must be between 0 (unchanged) and 19, not {step}")
    return os.nice(step)


def _thread(name: str, target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


def _work(connection: redis.Redis[bytes], names: list[str]) -> None:
    """rq's SimpleWorker in the main thread (its SIGTERM handler and job timeouts need it).

    rq retries its own dequeue when Redis goes away; anything else Redis breaks (a lost
    registration after a restart, a failed heartbeat) ends `work()`, so we start a new
    worker after a pause, until rq says it stopped on request (SIGTERM / SIGINT).
    """
    backoff = Backoff()
    while True:
        try:
            worker = SimpleWorker(
                [Queue(n, connection=connection) for n in names],
                connection=connection,
                exception_handlers=[_count_failure],
            )
            backoff.reset()
            worker.work(with_scheduler=False)
        except StopRequested:
            return  # SIGTERM while we waited to restart it
        except (redis.RedisError, OSError) as exc:
            wait = backoff.failed()
            log.warning("rq worker lost Redis (%s); restarting it in %.1f s", exc, wait)
            time.sleep(wait)
            continue
        if worker._stop_requested or worker._shutdown_requested_date is not None:
            return  # SIGTERM / SIGINT
        wait = backoff.failed()  # rq quit on its own: a Redis timeout or an unhandled error
        log.warning("rq worker stopped unexpectedly; restarting it in %.1f s", wait)
        time.sleep(wait)


def _count_failure(job: Any, *exc_info: Any) -> bool:
    """rq's exception handler: count the failed job, then let rq record it as usual."""
    JOB_FAILURES.labels(job.func_name).inc()
    return True


class IngestDrainer:
    """Drain `received` deliveries whenever woken, or every INGEST_POLL_SECONDS."""

    def __init__(
        self,
        runtime: Runtime,
        redis_url: str,
        prefix: str,
        stop: threading.Event,
        lane: str = "oldest",
    ) -> None:
        self.lane = lane
        self.runtime = runtime
        self.redis_url = redis_url
        self.channel = wake_channel(prefix, "ingest")
        self.stop = stop
        self.poll = runtime.settings.int("INGEST_POLL_SECONDS")
        self.pubsub: redis.client.PubSub | None = None

    def run(self) -> None:
        settings = self.runtime.settings
        if self.lane == "fresh":
            log.info("ingest fresh lane started: up to %s", settings.int("INGEST_FRESH_SIZE"))
        else:
            log.info(
                "ingest drainer started: batches of %s, looking every %s s",
                settings.int("INGEST_BATCH_SIZE"),
                self.poll,
            )
        backoff = Backoff()
        while not self.stop.is_set():
            try:
                if self.lane == "fresh":
                    drain_fresh()
                else:
                    drain(fresh=0)
                backoff.reset()
            except Exception:
                wait = backoff.failed()
                log.exception(
                    "ingest drain failed; the batch is rolled back, retrying in %.1f s", wait
                )
                self.stop.wait(wait)
                continue
            self._wait()
        self._close()

    def _wait(self) -> None:
        """Block until a wake-up (or the poll interval); swallow wake-ups that piled up."""
        try:
            if self.pubsub is None:
                client = redis.Redis.from_url(self.redis_url, socket_timeout=self.poll + 5)
                self.pubsub = client.pubsub(ignore_subscribe_messages=True)
                self.pubsub.subscribe(self.channel)
            if self.pubsub.get_message(timeout=self.poll) is not None:
                while self.pubsub.get_message(timeout=0) is not None:
                    pass
        except Exception as exc:  # Redis down, flushed, restarted: the loop must not die
            # Without Redis we poll: ingest needs only the database.
            log.warning("ingest wake-ups unavailable (%s); polling every %s s", exc, self.poll)
            self._close()
            self.stop.wait(self.poll)

    def _close(self) -> None:
        if self.pubsub is not None:
            with contextlib.suppress(redis.RedisError, OSError):
                self.pubsub.close()
            self.pubsub = None


def _beat(
    connection: redis.Redis[bytes],
    jobs: JobRunner,
    interval: int,
    prefix: str,
    stop: threading.Event,
) -> None:
    """Enqueue the sweep once per interval across all workers (a Redis lock per slot)."""
    while not stop.is_set():
        slot = int(time.time() // interval)
        try:
            if connection.set(f"{prefix}beat:{slot}", "1", nx=True, ex=interval * 2):
                jobs.enqueue("workers.sweep.sweep", queue="maintenance", job_id=f"sweep:{slot}")
        except Exception as exc:  # the loop must outlive any Redis failure
            log.warning("beat: Redis unavailable (%s); retrying", exc)
        stop.wait(max(1.0, interval / 3))


def _schedule(connection: redis.Redis[bytes], names: list[str], stop: threading.Event) -> None:
    """rq's scheduler as a loop in this process: move due `at` jobs to their queues.

    RQScheduler's per-queue locks make one worker the scheduler of each queue at a time;
    if it dies, its locks expire and another worker takes over.
    """
    scheduler = RQScheduler(names, connection=connection)
    backoff = Backoff()
    while not stop.is_set():
        try:
            scheduler.acquire_locks()  # type: ignore[no-untyped-call]
            scheduler.enqueue_scheduled_jobs()  # type: ignore[no-untyped-call]
            backoff.reset()
            stop.wait(1.0)
        except Exception as exc:  # the loop must outlive any Redis failure
            wait = backoff.failed()
            log.warning("scheduler: Redis unavailable (%s); retrying in %.1f s", exc, wait)
            stop.wait(wait)
    with contextlib.suppress(redis.RedisError, OSError):
        scheduler.release_locks()  # type: ignore[no-untyped-call]


def run_watchers(settings: Settings) -> None:
    """`switchboard watch`: IMAP IDLE watchers in a process of their own.

    Kept apart from `switchboard worker`: a watcher blocks on IDLE for minutes, and a
    separate process lets it be restarted or scaled without touching ingest.
    """
    runtime = build_runtime(settings, jobs=RqRunner(settings.redis_url, settings.redis_prefix))
    set_runtime(runtime)
    Watchers(runtime, redis.Redis.from_url(settings.redis_url)).run_forever(
        settings.int("SWEEP_INTERVAL_SECONDS")
    )
