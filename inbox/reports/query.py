"""Read the roll-up for a date range in a time zone: the figures every report view shows.

Everything here reads `report_bucket` only. The range is whole local days [start, end]; the
UTC hours inside it are summed, and local hour of day, weekday, day and week come from
converting each bucket's UTC hour (exact for whole-hour zones such as Asia/Seoul; a half-hour
zone is off by that half hour, see docs/decisions.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.orm import Session

from connectors.base import Words
from inbox.models import ChannelAccount, Team, User
from inbox.models.reports import ReportBucket
from inbox.reports import histogram
from inbox.reports.rollup import day_dimension, day_of

MAX_DAYS = 366
TOP_CATEGORIES = 8
SUMMED = (
    "created", "resolved", "reopened", "ever_resolved", "frt_sum", "nrt_sum", "res_sum",
    "sla_n", "sla_met", "csat_n", "csat_sum", "self_solved", "self_handed",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  # inclusive
    zone: str

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(
                Words("the end date is before the start date", "끝 날짜가 시작 날짜보다 앞입니다")
            )
        if (self.end - self.start).days >= MAX_DAYS:
            raise ValueError(
                Words(
                    f"a report covers at most {MAX_DAYS} days",
                    f"리포트는 최대 {MAX_DAYS}일까지 볼 수 있습니다",
                )
            )
        ZoneInfo(self.zone)  # raises for an unknown zone

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def utc_bounds(self) -> tuple[datetime, datetime]:
        first = datetime.combine(self.start, time(), self.tz).astimezone(UTC)
        after = datetime.combine(self.end + timedelta(days=1), time(), self.tz).astimezone(UTC)
        return first, after


@dataclass(frozen=True, slots=True)
class Durations:
    """Median, p90 and mean seconds of one kind of wait, or None where nothing was timed."""

    count: int
    median: float | None
    p90: float | None
    mean: float | None


@dataclass(frozen=True, slots=True)
class Slice:
    """One row of a breakdown (an inbox, an agent, a category...)."""

    key: str
    name: str
    created: int
    resolved: int
    frt_mean: float | None
    res_mean: float | None
    csat_mean: float | None
    csat_n: int
    sla_rate: float | None


@dataclass
class Report:
    period: Period
    created: int = 0
    resolved: int = 0
    reopened: int = 0
    ever_resolved: int = 0
    first_response: Durations = Durations(0, None, None, None)
    next_response: Durations = Durations(0, None, None, None)
    resolution: Durations = Durations(0, None, None, None)
    sla_n: int = 0
    sla_met: int = 0
    csat_n: int = 0
    csat_sum: int = 0
    csat_dist: dict[int, int] = field(default_factory=dict)
    self_solved: int = 0
    self_handed: int = 0
    by_day: list[tuple[date, int]] = field(default_factory=list)
    by_hour: list[int] = field(default_factory=lambda: [0] * 24)
    by_weekday: list[int] = field(default_factory=lambda: [0] * 7)  # Monday first
    channels: list[Slice] = field(default_factory=list)
    inboxes: list[Slice] = field(default_factory=list)
    categories: list[Slice] = field(default_factory=list)
    agents: list[Slice] = field(default_factory=list)
    teams: list[Slice] = field(default_factory=list)
    weeks: list[date] = field(default_factory=list)
    reasons: list[tuple[str, list[int]]] = field(default_factory=list)  # category × week

    @property
    def reopen_rate(self) -> float | None:
        """Of the conversations resolved at least once, the share reopened after a resolve."""
        return self.reopened / self.ever_resolved if self.ever_resolved else None

    @property
    def sla_rate(self) -> float | None:
        return self.sla_met / self.sla_n if self.sla_n else None

    @property
    def csat_mean(self) -> float | None:
        return self.csat_sum / self.csat_n if self.csat_n else None

    @property
    def deflection_rate(self) -> float | None:
        asked = self.self_solved + self.self_handed
        return self.self_solved / asked if asked else None


def build(session: Session, period: Period) -> Report:
    report = Report(period=period)
    first, after = period.utc_bounds()
    _charts(session, report, first, after)
    _overall(session, report, _covering("all", first, after))
    names = _names(session)
    for dimension, target in (
        ("channel", report.channels),
        ("account", report.inboxes),
        ("category", report.categories),
        ("agent", report.agents),
        ("team", report.teams),
    ):
        target.extend(
            _slices(session, _covering(dimension, first, after), names.get(dimension, {}))
        )
    _reasons(session, report, first, after)
    return report


def _covering(dimension: str, first: datetime, after: datetime) -> Any:
    """Rows that cover [first, after) exactly once: day rows for the whole UTC days inside,
    hour rows for the partial days at both edges (rollup.py keeps both)."""
    b = ReportBucket
    first_day = day_of(first) + (timedelta(days=1) if first != day_of(first) else timedelta())
    last_day = day_of(after)
    if first_day >= last_day:
        return (b.dimension == dimension) & (b.hour >= first) & (b.hour < after)
    return or_(
        (b.dimension == dimension) & (b.hour >= first) & (b.hour < first_day),
        (b.dimension == day_dimension(dimension)) & (b.hour >= first_day) & (b.hour < last_day),
        (b.dimension == dimension) & (b.hour >= last_day) & (b.hour < after),
    )


def _charts(session: Session, report: Report, first: datetime, after: datetime) -> None:
    """Volume by local day, hour of day and weekday: hour rows, two columns each."""
    tz = report.period.tz
    days: dict[date, int] = defaultdict(int)
    for hour, created in session.execute(
        select(ReportBucket.hour, ReportBucket.created).where(
            ReportBucket.dimension == "all", ReportBucket.hour >= first, ReportBucket.hour < after
        )
    ):
        local = hour.astimezone(tz)
        days[local.date()] += created
        report.by_hour[local.hour] += created
        report.by_weekday[local.weekday()] += created
    day = report.period.start
    while day <= report.period.end:
        report.by_day.append((day, days.get(day, 0)))
        day += timedelta(days=1)


def _overall(session: Session, report: Report, covering: Any) -> None:
    b = ReportBucket
    columns = [getattr(b, name) for name in SUMMED]
    frt: list[dict[str, int]] = []
    nrt: list[dict[str, int]] = []
    res: list[dict[str, int]] = []
    sums: dict[str, int] = defaultdict(int)
    for row in session.execute(
        select(*columns, b.frt_hist, b.nrt_hist, b.res_hist, b.csat_dist).where(covering)
    ):
        for name, value in zip(SUMMED, row, strict=False):
            sums[name] += value
        frt_hist, nrt_hist, res_hist, csat_dist = row[len(SUMMED) :]
        frt.append(frt_hist)
        nrt.append(nrt_hist)
        res.append(res_hist)
        for rating, count in csat_dist.items():
            report.csat_dist[int(rating)] = report.csat_dist.get(int(rating), 0) + int(count)
    report.created, report.resolved = sums["created"], sums["resolved"]
    report.reopened, report.ever_resolved = sums["reopened"], sums["ever_resolved"]
    report.sla_n, report.sla_met = sums["sla_n"], sums["sla_met"]
    report.csat_n, report.csat_sum = sums["csat_n"], sums["csat_sum"]
    report.self_solved = sums["self_solved"]
    report.self_handed = sums["self_handed"]
    report.first_response = _durations(frt, sums["frt_sum"])
    report.next_response = _durations(nrt, sums["nrt_sum"])
    report.resolution = _durations(res, sums["res_sum"])


def _durations(hists: Iterable[Mapping[str, int]], total: int) -> Durations:
    merged = histogram.merge(hists)
    n = sum(merged.values())
    return Durations(
        count=n,
        median=histogram.percentile(merged, 0.5),
        p90=histogram.percentile(merged, 0.9),
        mean=total / n if n else None,
    )


def _names(session: Session) -> dict[str, dict[str, str]]:
    return {
        "account": {
            str(i): name
            for i, name in session.execute(select(ChannelAccount.id, ChannelAccount.name))
        },
        "agent": {str(i): name for i, name in session.execute(select(User.id, User.name))},
        "team": {str(i): name for i, name in session.execute(select(Team.id, Team.name))},
    }


def _slices(session: Session, covering: Any, names: Mapping[str, str]) -> list[Slice]:
    b = ReportBucket
    rows = session.execute(
        select(
            b.key,
            func.sum(b.created),
            func.sum(b.resolved),
            func.sum(b.frt_n),
            func.sum(b.frt_sum),
            func.sum(b.res_n),
            func.sum(b.res_sum),
            func.sum(b.csat_n),
            func.sum(b.csat_sum),
            func.sum(b.sla_n),
            func.sum(b.sla_met),
        )
        .where(covering)
        .group_by(b.key)
    ).all()
    slices = []
    for key, created, resolved, *sums in rows:
        frt_n, frt_sum, res_n, res_sum, csat_n, csat_sum, sla_n, sla_met = map(int, sums)
        slices.append(
            Slice(
                key=key,
                name="" if key in ("", "0") else names.get(key, key),  # "" = unassigned/none
                created=int(created),
                resolved=int(resolved),
                frt_mean=frt_sum / frt_n if frt_n else None,
                res_mean=res_sum / res_n if res_n else None,
                csat_mean=csat_sum / csat_n if csat_n else None,
                csat_n=csat_n,
                sla_rate=sla_met / sla_n if sla_n else None,
            )
        )
    return sorted(slices, key=lambda s: (-s.created, s.name))


def _reasons(session: Session, report: Report, first: datetime, after: datetime) -> None:
    """Top categories by local week (Monday): what customers keep contacting us about. The
    week of each hour row is a CASE over the week boundaries, so the database sums."""
    tz = report.period.tz
    start = report.period.start
    week = start - timedelta(days=start.weekday())
    while week <= report.period.end:
        report.weeks.append(week)
        week += timedelta(days=7)
    bounds = [datetime.combine(w, time(), tz).astimezone(UTC) for w in report.weeks[1:]]
    b = ReportBucket
    index: Any = (
        case(*[(b.hour < bound, i) for i, bound in enumerate(bounds)], else_=len(bounds))
        if bounds
        else literal(0)  # one week: a CASE needs at least one WHEN
    )
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    for key, week_index, created in session.execute(
        select(b.key, index, func.sum(b.created))
        .where(b.dimension == "category", b.key != "", b.hour >= first, b.hour < after)
        .group_by(b.key, index)
    ):
        counts[key][int(week_index)] = int(created)
    top = sorted(counts, key=lambda k: (-sum(counts[k].values()), k))[:TOP_CATEGORIES]
    report.reasons = [
        (key, [counts[key].get(i, 0) for i in range(len(report.weeks))]) for key in top
    ]


DEFAULT_DAYS = 28


def period_from(
    start: str | None, end: str | None, zone: str | None, *, default_zone: str, now: datetime
) -> Period:
    """A Period from request parameters (ISO dates, IANA zone); the last four weeks by default.

    Raises ValueError with a message fit to show for a malformed date or an unknown zone.
    """
    zone = (zone or default_zone).strip()
    try:
        tz = ZoneInfo(zone)
    except (ValueError, KeyError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(
            Words(f"unknown time zone {zone!r}", f"알 수 없는 시간대 {zone!r}")
        ) from exc
    today = now.astimezone(tz).date()
    try:
        last = date.fromisoformat(end) if end else today
        first = date.fromisoformat(start) if start else last - timedelta(days=DEFAULT_DAYS - 1)
    except ValueError as exc:
        raise ValueError(Words("dates are YYYY-MM-DD", "날짜는 YYYY-MM-DD 형식입니다")) from exc
    return Period(first, last, zone)
