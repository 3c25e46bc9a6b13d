"""Rate-limit pauses shared by every process that calls the same app, page or account.

A platform that throttles us (Meta code 4/17/32/613/80xxx, X 429) means "leave this app or
page alone for a while", not "this one job should wait". So when a send, poll or publish is
throttled, the job records a pause under the connector's scopes (`RateLimited.scopes`, e.g.
`meta:app:880011223344556`, `meta:account:104857600012345`, `x:1550000000000000001:dm_send`),
and every job checks the scopes it is about to use before calling the platform.

Production keeps the pauses in Redis (one key per scope, expiring with the pause), so all rq
workers and web processes see them. The embedded mode is one process: a dictionary is enough.
A Redis that is down does not stop the work: the pause is then per process (the platform's
next refusal teaches it again), which is the old behaviour, never worse.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from connectors import behaviour
from connectors.base import PauseScopes

log = logging.getLogger(__name__)

KEY = "pause:"  # under the deployment's prefix (Settings.redis_prefix)
# Keep the later of the current and the new end: a short pause never shortens a long one.
_EXTEND = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1
"""


class Pauses(Protocol):
    def pause(self, scopes: Iterable[str], seconds: float) -> None:
        """Pause every scope for `seconds` from now (extends, never shortens)."""

    def remaining(self, scopes: Iterable[str]) -> float:
        """Seconds until the longest pause among `scopes` ends; 0 when none is paused."""


class MemoryPauses:
    """Pauses in this process (the embedded mode; and the fallback when Redis is down)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def pause(self, scopes: Iterable[str], seconds: float) -> None:
        until = self.clock() + seconds
        with self._lock:
            for scope in scopes:
                self._until[scope] = max(self._until.get(scope, 0.0), until)

    def remaining(self, scopes: Iterable[str]) -> float:
        now = self.clock()
        with self._lock:
            ends = [self._until.get(scope, 0.0) for scope in scopes]
        return max([end - now for end in ends] + [0.0])

    def clear(self) -> None:
        with self._lock:
            self._until.clear()


class RedisPauses:
    """Pauses in Redis: `<prefix>pause:<scope>` = epoch seconds the pause ends."""

    def __init__(
        self, redis_url: str, prefix: str = "switchboard:", clock: Callable[[], float] = time.time
    ) -> None:
        import redis

        self.redis = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix + KEY
        self.clock = clock
        self.local = MemoryPauses(clock)
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)

    def pause(self, scopes: Iterable[str], seconds: float) -> None:
        scopes = list(scopes)
        self.local.pause(scopes, seconds)
        until = self.clock() + seconds
        try:
            for scope in scopes:
                self.redis.eval(  # type: ignore[no-untyped-call]
                    _EXTEND, 1, self.prefix + scope, f"{until:.3f}", int(seconds * 1000) + 1
                )
        except self._errors as exc:
            log.warning("pause %s not shared (Redis unavailable: %s)", scopes, exc)

    def remaining(self, scopes: Iterable[str]) -> float:
        scopes = list(scopes)
        local = self.local.remaining(scopes)
        try:
            values: list[Any] = self.redis.mget([self.prefix + s for s in scopes]) if scopes else []
        except self._errors:
            return local
        now = self.clock()
        shared = [float(v) - now for v in values if v is not None]
        return max([local, 0.0, *shared])


def build_pauses(redis_url: str | None, prefix: str = "switchboard:") -> Pauses:
    return RedisPauses(redis_url, prefix) if redis_url else MemoryPauses()


def scopes_for(connector: Any, account: Any, operation: str) -> tuple[str, ...]:
    """The scopes a call for `account` must honour; `operation`: send, poll:<stream>, publish.

    Connectors that know better say so (Capability.PAUSE_SCOPES); others pause per account.
    """
    scoped = behaviour(connector, PauseScopes)
    if scoped is None:
        return (f"{connector.slug}:{account.external_id}",)
    return tuple(scoped.pause_scopes(account, operation))
