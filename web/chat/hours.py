"""Opening hours of a chat widget: outside them the widget becomes an email form.

`ChannelAccount.options["hours"]` (absent: always open, the center works around the clock):

    {"timezone": "Asia/Seoul",
     "days": {"mon": "09:00-18:00", "tue": "09:00-18:00", ..., "sat": "10:00-14:00"}}

A day that is missing or empty is closed; "00:00-24:00" is the whole day; several ranges are
separated by commas ("09:00-12:00,13:00-18:00"). A range may not cross midnight.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def is_open(hours: Any, now: datetime) -> bool:
    """Whether a visitor at `now` (aware) may chat live; unreadable hours count as open."""
    if not isinstance(hours, dict):
        return True
    try:
        zone = ZoneInfo(str(hours.get("timezone") or "Asia/Seoul"))
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("Asia/Seoul")
    local = now.astimezone(zone)
    days = hours.get("days")
    if not isinstance(days, dict):
        return True
    spec = days.get(DAYS[local.weekday()]) or ""
    return any(start <= local.time() < end for start, end in _ranges(str(spec)))


def _ranges(spec: str) -> list[tuple[time, time]]:
    out = []
    for part in spec.split(","):
        start, sep, end = part.strip().partition("-")
        if not sep:
            continue
        try:
            begin = _parse(start)
            finish = time.max if end.strip() == "24:00" else _parse(end)
        except ValueError:
            continue
        out.append((begin, finish))
    return out


def _parse(text: str) -> time:
    hour, _, minute = text.strip().partition(":")
    return time(int(hour), int(minute or 0))
