"""Read Graph's usage headers and decide how much to slow down before the limit is hit.

Meta reports quota use as percentages in `X-App-Usage`, `X-Page-Usage` and
`X-Business-Use-Case-Usage` (docs/platform-apis.md §1.11). Page-token and Instagram calls count
against the business-use-case (BUC) limits, so all three are read and the highest value wins.
Policy: above SLOW_DOWN_AT percent, callers wait a delay that grows to SLOW_DOWN_MAX_DELAY at 100 %;
at 100 % (or after a throttling error) the account pauses for
max(estimated_time_to_regain_access, 60 s). The book is per process, like a provider's view of
one client: every worker learns from its own responses.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

USAGE_HEADERS = ("X-App-Usage", "X-Page-Usage", "X-Business-Use-Case-Usage")
COUNTERS = ("call_count", "total_cputime", "total_time")
SLOW_DOWN_AT = 80.0
SLOW_DOWN_MAX_DELAY = 60.0
MIN_PAUSE = 60.0


@dataclass(frozen=True, slots=True)
class Usage:
    """The highest usage percentage of any counter, and Meta's estimate to regain access."""

    percent: float = 0.0
    regain_seconds: float = 0.0  # estimated_time_to_regain_access is in minutes on the wire

    @property
    def slow_down(self) -> bool:
        return self.percent > SLOW_DOWN_AT

    @property
    def exhausted(self) -> bool:
        return self.percent >= 100.0 or self.regain_seconds > 0


def parse_usage(headers: Mapping[str, str]) -> Usage:
    """Combine the three usage headers into one Usage; unreadable values count as 0."""
    percent = 0.0
    regain_minutes = 0.0
    lowered = {key.lower(): value for key, value in headers.items()}
    for name in USAGE_HEADERS:
        raw = lowered.get(name.lower())
        if not raw:
            continue
        try:
            doc = json.loads(raw)
        except ValueError:
            continue
        for block in _blocks(doc):
            for counter in COUNTERS:
                percent = max(percent, _number(block.get(counter)))
            regain_minutes = max(
                regain_minutes, _number(block.get("estimated_time_to_regain_access"))
            )
    return Usage(percent=percent, regain_seconds=regain_minutes * 60.0)


def delay_for(usage: Usage, elapsed: float) -> float:
    """Return how long to wait now, `elapsed` seconds after `usage` was observed."""
    if usage.exhausted:
        return max(max(usage.regain_seconds, MIN_PAUSE) - elapsed, 0.0)
    if usage.slow_down:
        return SLOW_DOWN_MAX_DELAY * (usage.percent - SLOW_DOWN_AT) / (100.0 - SLOW_DOWN_AT)
    return 0.0


class UsageBook:
    """The latest Usage per account, with the time it was seen."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._seen: dict[str, tuple[Usage, float]] = {}
        self._lock = threading.Lock()

    def record(self, key: str, usage: Usage) -> None:
        with self._lock:
            self._seen[key] = (usage, self.clock())

    def latest(self, key: str) -> Usage:
        with self._lock:
            return self._seen.get(key, (Usage(), 0.0))[0]

    def delay(self, key: str) -> float:
        with self._lock:
            seen = self._seen.get(key)
        if seen is None:
            return 0.0
        usage, at = seen
        return delay_for(usage, self.clock() - at)

    def paused(self, key: str) -> float:
        with self._lock:
            seen = self._seen.get(key)
        if seen is None or not seen[0].exhausted:
            return 0.0
        return delay_for(seen[0], self.clock() - seen[1])

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()


USAGE = UsageBook()


def _blocks(doc: Any) -> Iterator[Mapping[str, Any]]:
    """Yield every counter block: the flat app/page form and BUC's {id: [block, ...]} form."""
    if not isinstance(doc, Mapping):
        return
    if any(counter in doc for counter in COUNTERS):
        yield doc
        return
    for value in doc.values():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, Mapping):
                yield item


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0
