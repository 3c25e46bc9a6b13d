"""Log-spaced duration histograms: small, summable, and good for medians and p90.

A bucket spans a ×1.15 range of seconds, so a percentile read back is within ±7.5 % of the
true value — enough for a report, and it lets hourly rows be summed into any date range
without keeping every sample.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

RATIO = 1.15
_LOG = math.log(RATIO)


def bucket(seconds: float) -> int:
    """The bucket of a duration; anything under two seconds shares bucket 0."""
    if seconds < 2:
        return 0
    return int(math.log(seconds) / _LOG)


def midpoint(index: int) -> float:
    """The value a bucket stands for: the geometric middle of its range."""
    if index == 0:
        return 1.0
    return float(RATIO ** (index + 0.5))


def add(hist: dict[str, int], seconds: float) -> None:
    key = str(bucket(seconds))
    hist[key] = hist.get(key, 0) + 1


def merge(hists: Iterable[Mapping[str, int]]) -> dict[int, int]:
    total: dict[int, int] = {}
    for hist in hists:
        for key, count in hist.items():
            index = int(key)
            total[index] = total.get(index, 0) + int(count)
    return total


def percentile(hist: Mapping[int, int], fraction: float) -> float | None:
    """The value below which `fraction` of the samples fall (nearest rank), or None if empty."""
    n = sum(hist.values())
    if n == 0:
        return None
    rank = max(1, math.ceil(fraction * n))
    seen = 0
    for index in sorted(hist):
        seen += hist[index]
        if seen >= rank:
            return midpoint(index)
    return midpoint(max(hist))  # not reached: the loop always meets the rank
