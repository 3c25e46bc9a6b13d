"""`switchboard worker`: an rq worker with rq's scheduler and a beat for the sweeper.

The beat takes a short Redis lock per interval, so with N workers the sweep still runs once
per interval, and if every worker dies the next one to start resumes it.
"""

from __future__ import annotations

import logging
import threading
import time

import redis
from rq import Queue, Worker

from switchboard.runtime import build_runtime
from switchboard.settings import Settings
from workers.context import set_runtime
from workers.runner import QUEUES, RqRunner
from workers.watch import Watchers

log = logging.getLogger(__name__)


def run_worker(settings: Settings, queues: tuple[str, ...] = ()) -> None:
    names = list(queues or QUEUES)
    unknown = set(names) - set(QUEUES)
    if unknown:
        raise SystemExit(
            f"unknown queues: {', '.join(sorted(unknown))}; known: {', '.join(QUEUES)}"
        )
    runtime = build_runtime(settings, jobs=RqRunner(settings.redis_url))
    set_runtime(runtime)
    connection = redis.Redis.from_url(settings.redis_url)
    interval = settings.int("SWEEP_INTERVAL_SECONDS")
    beat = (connection, runtime.jobs, interval, settings.redis_prefix)
    threading.Thread(target=_beat, args=beat, daemon=True).start()
    worker = Worker([Queue(n, connection=connection) for n in names], connection=connection)
    worker.work(with_scheduler=True)


def _beat(connection: redis.Redis[bytes], jobs: RqRunner, interval: int, prefix: str) -> None:
    while True:
        slot = int(time.time() // interval)
        try:
            if connection.set(f"{prefix}beat:{slot}", "1", nx=True, ex=interval * 2):
                jobs.enqueue("workers.sweep.sweep", queue="maintenance", job_id=f"sweep:{slot}")
        except redis.RedisError:
            log.warning("beat: Redis unavailable; retrying")
        time.sleep(max(1.0, interval / 3))


def run_watchers(settings: Settings) -> None:
    """`switchboard watch`: IMAP IDLE watchers in a process of their own.

    Not threads in `switchboard worker`: rq forks a work horse per job, and forking while
    another thread holds a lock (a connection pool's, a socket's) can hang the child.
    """
    runtime = build_runtime(settings, jobs=RqRunner(settings.redis_url))
    set_runtime(runtime)
    Watchers(runtime, redis.Redis.from_url(settings.redis_url)).run_forever(
        settings.int("SWEEP_INTERVAL_SECONDS")
    )
