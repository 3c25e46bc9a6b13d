"""Business hours: when an inbox's SLA clock runs, in the inbox's own time zone.

A schedule is a set of weekly opening spans plus closed dates (holidays). Time is counted
minute-exact by walking opening spans day by day, so a target of 4 business hours set at
17:00 on a Friday falls on Monday morning, and a 24/7 schedule is plain wall-clock time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import Words
from inbox.audit import record
from inbox.models.sla import BusinessHours

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MAX_DAYS = 400  # a schedule with no opening at all never ends a walk


@dataclass(frozen=True, slots=True)
class Schedule:
    zone: ZoneInfo
    always_open: bool
    weekly: dict[int, tuple[tuple[time, time], ...]]
    holidays: frozenset[date]

    @classmethod
    def of(cls, hours: BusinessHours | None) -> Schedule:
        if hours is None:
            return ALWAYS
        return cls(
            zone=ZoneInfo(hours.timezone),
            always_open=hours.always_open,
            weekly=parse_weekly(hours.weekly or {}),
            holidays=frozenset(date.fromisoformat(str(d)) for d in hours.holidays or ()),
        )

    def _spans(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's opening spans as aware UTC datetimes."""
        if day in self.holidays:
            return []
        spans = []
        for start, end in self.weekly.get(day.weekday(), ()):
            opens = datetime.combine(day, start, self.zone)
            closes = (
                datetime.combine(day + timedelta(days=1), time(0), self.zone)
                if end == time(0)
                else datetime.combine(day, end, self.zone)
            )
            spans.append((opens.astimezone(UTC), closes.astimezone(UTC)))
        return spans

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment `seconds` of open time after `start`."""
        if self.always_open:
            return start + timedelta(seconds=seconds)
        left = timedelta(seconds=seconds)
        day = start.astimezone(self.zone).date()
        for _ in range(_MAX_DAYS):
            for opens, closes in self._spans(day):
                begin = max(opens, start)
                if begin >= closes:
                    continue
                if begin + left <= closes:
                    return begin + left
                left -= closes - begin
            day += timedelta(days=1)
        raise ValueError(
            Words("these business hours never open", "이 영업시간에는 여는 시간이 없습니다")
        )

    def open_seconds(self, start: datetime, end: datetime) -> float:
        """How much open time lies between `start` and `end`."""
        if end <= start:
            return 0.0
        if self.always_open:
            return (end - start).total_seconds()
        total = 0.0
        day = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        while day <= last:
            for opens, closes in self._spans(day):
                overlap = (min(closes, end) - max(opens, start)).total_seconds()
                total += max(overlap, 0.0)
            day += timedelta(days=1)
        return total

    def is_open(self, at: datetime) -> bool:
        if self.always_open:
            return True
        local = at.astimezone(self.zone).date()
        return any(
            opens <= at < closes
            for day in (local - timedelta(days=1), local)
            for opens, closes in self._spans(day)
        )


ALWAYS = Schedule(ZoneInfo("UTC"), True, {}, frozenset())


def parse_weekly(weekly: dict[str, Any]) -> dict[int, tuple[tuple[time, time], ...]]:
    """{"mon": [["09:00", "18:00"]], …} → {0: ((09:00, 18:00),), …}; "00:00" as end is midnight."""
    parsed: dict[int, tuple[tuple[time, time], ...]] = {}
    for key, spans in weekly.items():
        if key not in DAYS:
            raise ValueError(
                Words(
                    f"unknown day {key!r}; use {', '.join(DAYS)}",
                    f"알 수 없는 요일 {key!r}: {', '.join(DAYS)} 중에서 쓰세요",
                )
            )
        day_spans = []
        for span in spans or ():
            start, end = (time.fromisoformat(str(v)) for v in span)
            if end != time(0) and end <= start:
                raise ValueError(
                    Words(
                        f"{key}: {start:%H:%M}–{end:%H:%M} ends before it starts",
                        f"{key}: {start:%H:%M}–{end:%H:%M}은(는) 시작보다 먼저 끝납니다",
                    )
                )
            day_spans.append((start, end))
        parsed[DAYS.index(key)] = tuple(sorted(day_spans))
    return parsed


def parse_weekly_text(text: str) -> dict[str, list[list[str]]]:
    """The admin form's "mon 09:00-18:00, 13:00-14:00" lines → the stored weekly mapping."""
    weekly: dict[str, list[list[str]]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        day, _, rest = line.partition(" ")
        spans = []
        for part in rest.split(","):
            if part.strip():
                start, sep, end = part.strip().partition("-")
                if not sep:
                    raise ValueError(
                        Words(
                            f"write spans as 09:00-18:00, not {part.strip()!r}",
                            f"시간은 09:00-18:00처럼 적으세요 ({part.strip()!r}이(가) 아니라)",
                        )
                    )
                spans.append([start.strip(), end.strip()])
        weekly[day.strip().lower()[:3]] = spans
    parse_weekly(weekly)
    return weekly


def parse_holidays(text: str) -> list[str]:
    """One ISO date per line (anything after the date is a comment, e.g. the holiday's name)."""
    dates = set()
    for line in text.splitlines():
        token = line.strip().split(" ", 1)[0].split("\t", 1)[0]
        if token:
            try:
                dates.add(date.fromisoformat(token).isoformat())
            except ValueError as exc:
                raise ValueError(
                    Words(
                        f"{token!r} is not a date (YYYY-MM-DD)",
                        f"{token!r}은(는) 날짜(YYYY-MM-DD)가 아닙니다",
                    )
                ) from exc
    return sorted(dates)


def korean_holidays() -> list[dict[str, str]]:
    """Korean public holidays shipped with Switchboard (see inbox/data/README.md)."""
    raw = resources.files("inbox.data").joinpath("kr_holidays.json").read_text("utf-8")
    rows: list[dict[str, str]] = json.loads(raw)["holidays"]
    return rows


def save_hours(
    session: Session,
    *,
    name: str,
    timezone: str,
    always_open: bool,
    weekly: dict[str, Any],
    holidays: list[str],
    account_id: int | None,
    hours_id: int | None = None,
    actor_id: int | None,
) -> BusinessHours:
    name = name.strip()
    if not name:
        raise ValueError(Words("business hours need a name", "영업시간 이름을 적으세요"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            Words(f"unknown time zone {timezone!r}", f"알 수 없는 시간대 {timezone!r}")
        ) from exc
    parsed = parse_weekly(weekly)
    if not always_open and not any(parsed.values()):
        raise ValueError(
            Words(
                "business hours that are not 24/7 need at least one opening span",
                "24시간 영업이 아니면 여는 시간을 하나 이상 적으세요",
            )
        )
    clash = session.scalars(
        select(BusinessHours).where(
            BusinessHours.channel_account_id.is_(None)
            if account_id is None
            else BusinessHours.channel_account_id == account_id
        )
    ).first()
    if clash is not None and clash.id != hours_id:
        raise ValueError(
            Words(
                "that inbox already has business hours; edit them instead",
                "그 인박스에는 이미 영업시간이 있습니다. 그것을 수정하세요",
            )
        )
    hours = session.get(BusinessHours, hours_id) if hours_id else BusinessHours()
    if hours is None:
        raise LookupError(f"business hours {hours_id} not found")
    hours.name, hours.timezone, hours.always_open = name, timezone, always_open
    hours.weekly = weekly
    hours.holidays = sorted({date.fromisoformat(d).isoformat() for d in holidays})
    hours.channel_account_id = account_id
    session.add(hours)
    session.flush()
    record(session, actor_id, "business_hours.save", "business_hours", hours.id, {"name": name})
    return hours


def hours_for(session: Session, account_id: int) -> BusinessHours | None:
    """The inbox's own hours, else the default (no inbox), else None (always open)."""
    rows = session.scalars(
        select(BusinessHours).where(
            (BusinessHours.channel_account_id == account_id)
            | BusinessHours.channel_account_id.is_(None)
        )
    ).all()
    own = [h for h in rows if h.channel_account_id == account_id]
    found = own or rows
    return found[0] if found else None
