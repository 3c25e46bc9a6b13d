"""Production mode in tests: a runtime on PostgreSQL + Redis (rq) and real `switchboard worker`
subprocesses that tests may start, kill and restart."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import redis

from switchboard.runner import RqRunner
from switchboard.runtime import Runtime, build_runtime
from workers.context import set_runtime

SWITCHBOARD = str(Path(sys.executable).parent / "switchboard")


@dataclass
class Production:
    rt: Runtime
    redis: redis.Redis
    env: dict[str, str]
    logs: Path
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_worker(self, *queues: str, **extra_env: str) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"worker{len(self.workers)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [SWITCHBOARD, "worker", *queues],
            env={**self.env, **extra_env},
            stdout=log,
            stderr=log,
        )
        self.workers.append(proc)
        return proc


@contextmanager
def production(
    pg_url: str, tmp_path: Path, redis_url: str, **overrides: str
) -> Iterator[Production]:
    """Yield a production-mode runtime; stop its workers and clean both stores afterwards."""
    from tests.conftest import ENCRYPTION_KEY, _truncate_all, make_settings

    connection = redis.Redis.from_url(redis_url)
    connection.flushdb()
    settings = make_settings(pg_url, tmp_path / "instance", **overrides).replace(
        REDIS_URL=redis_url
    )
    rt = build_runtime(settings, jobs=RqRunner(redis_url, settings.redis_prefix))
    set_runtime(rt)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))},
        **dict(settings.env),
        "SWITCHBOARD_ENCRYPTION_KEY": ENCRYPTION_KEY,
        "SWITCHBOARD_DOTENV": str(tmp_path / "no.env"),
    }
    prod = Production(rt=rt, redis=connection, env=env, logs=tmp_path)
    try:
        yield prod
    finally:
        for proc in prod.workers:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        rt.db.dispose()
        set_runtime(None)
        connection.flushdb()
        _truncate_all(pg_url)


def wait_for(predicate: Callable[[], bool], timeout: float = 120.0, what: str = "") -> None:
    """Wait for an outcome, not a duration; fails only if it never comes."""
    deadline = time.time() + timeout
    while not predicate():
        if time.time() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def serving(base: str) -> bool:
    """`switchboard web` at `base` answers /healthz with 200 (for `wait_for`)."""
    import requests

    try:
        return requests.get(base + "/healthz", timeout=5).status_code == 200
    except requests.RequestException:
        return False
