"""Snooze presets (1 h, tonight, tomorrow 9:00, next week) computed in the agent's own zone.

The browser never sends a time for a preset, only its name: the server computes the moment
from the agent's profile zone (`user.timezone`), so an agent in Seoul and one in Berlin both get
"tomorrow 9:00" on their own clock, and the buttons show the moment they will pick.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PRESETS = ("1h", "tonight", "tomorrow", "next_week")
TONIGHT = time(20, 0)  # "tonight" is 20:00 local, offered until 19:00
MORNING = time(9, 0)  # "tomorrow" and "next week" start the working day


@dataclass(frozen=True)
class Preset:
    key: str
    at: datetime  # aware, UTC


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """A wall-clock time on `day` in `zone`, as UTC (a time a DST change skips moves on)."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def preset_time(key: str, now: datetime, zone: ZoneInfo) -> datetime:
    """The moment preset `key` means at `now` (aware) for an agent in `zone`.

    1h: an hour from now. tonight: today 20:00. tomorrow: tomorrow 9:00. next_week: the next
    Monday 9:00 (a week from today when today is Monday). ValueError for another key, or for
    "tonight" once it is less than an hour away (the 1-hour preset covers that).
    """
    local = now.astimezone(zone)
    if key == "1h":
        return (now + timedelta(hours=1)).astimezone(UTC)
    if key == "tonight":
        at = _at(local.date(), TONIGHT, zone)
        if at - now < timedelta(hours=1):
            raise ValueError("tonight has passed")
        return at
    if key == "tomorrow":
        return _at(local.date() + timedelta(days=1), MORNING, zone)
    if key == "next_week":
        days = 7 - local.weekday()  # Monday is 0: 7 days ahead; Sunday: 1
        return _at(local.date() + timedelta(days=days), MORNING, zone)
    raise ValueError(f"unknown snooze preset {key!r}")


def presets(now: datetime, zone: ZoneInfo) -> list[Preset]:
    """The presets that make sense at `now`, in button order."""
    out = []
    for key in PRESETS:
        try:
            out.append(Preset(key, preset_time(key, now, zone)))
        except ValueError:
            continue
    return out


def zone_of(name: str | None) -> ZoneInfo:
    """The agent's zone; Seoul (the centre's zone) when the profile's name is unknown."""
    try:
        return ZoneInfo(name or "Asia/Seoul")
    except (KeyError, ValueError):
        return ZoneInfo("Asia/Seoul")
