"""Keep `report_bucket` in step with the conversations, one UTC hour of creation at a time.

Every fact of a conversation (volume, response and resolution times, reopen, SLA, CSAT,
self-service) is counted in the hour it was created, so a change to a conversation only
dirties that one hour. `refresh` finds the dirty hours from `conversation.updated_at` (set on
every row update), `conversation_sla.updated_at` and `csat_survey.answered_at` since the last
watermark, and recomputes those hours whole: idempotent, so two runs or a crash in between
never double-count. The watermark trails the clock by `LAG` so a transaction that committed a
little after it read the time is still seen next run.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, or_, select, text
from sqlalchemy.orm import Session

from inbox.models import ChannelAccount, Conversation, Message, utcnow
from inbox.models.reports import DIMENSIONS, CsatSurvey, ReportBucket, ReportState
from inbox.models.sla import ConversationSla
from inbox.reports import histogram

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
LAG = timedelta(minutes=2)
CHUNK = 500
RANGES_PER_QUERY = 100  # runs of hours (or days) per statement; SQLite's depth limit is 1000
NOT_DEFLECTED = ("handed_off", "no_match")  # no_match: no FAQ article fitted (faq branch)
UNSENT = ("pending", "sending", "failed")
LOCK_KEY = 2020_0003  # PostgreSQL advisory lock: one roll-up at a time


def hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


@dataclass
class Tally:
    """The sums of one report_bucket row while it is being built."""

    created: int = 0
    resolved: int = 0
    reopened: int = 0
    ever_resolved: int = 0
    frt_n: int = 0
    frt_sum: int = 0
    frt_hist: dict[str, int] = field(default_factory=dict)
    nrt_n: int = 0
    nrt_sum: int = 0
    nrt_hist: dict[str, int] = field(default_factory=dict)
    res_n: int = 0
    res_sum: int = 0
    res_hist: dict[str, int] = field(default_factory=dict)
    sla_n: int = 0
    sla_met: int = 0
    csat_n: int = 0
    csat_sum: int = 0
    csat_dist: dict[str, int] = field(default_factory=dict)
    self_solved: int = 0
    self_handed: int = 0


@dataclass(frozen=True, slots=True)
class Facts:
    """What one conversation contributes, whichever slice it is counted in."""

    resolved: bool
    reopened: bool
    frt: float | None
    nrt: tuple[float, ...]
    resolution: float | None
    sla: bool | None  # None: no SLA clock; True: never breached
    csat: int | None
    self_service: str | None

    def into(self, tally: Tally) -> None:
        tally.created += 1
        tally.resolved += self.resolved
        tally.reopened += self.reopened
        tally.ever_resolved += self.resolved or self.reopened
        if self.frt is not None:
            tally.frt_n += 1
            tally.frt_sum += int(self.frt)
            histogram.add(tally.frt_hist, self.frt)
        for gap in self.nrt:
            tally.nrt_n += 1
            tally.nrt_sum += int(gap)
            histogram.add(tally.nrt_hist, gap)
        if self.resolution is not None:
            tally.res_n += 1
            tally.res_sum += int(self.resolution)
            histogram.add(tally.res_hist, self.resolution)
        if self.sla is not None:
            tally.sla_n += 1
            tally.sla_met += self.sla
        if self.csat is not None:
            tally.csat_n += 1
            tally.csat_sum += self.csat
            key = str(self.csat)
            tally.csat_dist[key] = tally.csat_dist.get(key, 0) + 1
        if self.self_service == "resolved":
            tally.self_solved += 1
        elif self.self_service in NOT_DEFLECTED:
            tally.self_handed += 1


def refresh(session: Session, *, full: bool = False, wait: bool = True) -> int:
    """Recompute the hours changed since the last run (all hours if `full`); return how many.

    With `wait=False` it returns 0 at once when another session is already refreshing
    (PostgreSQL), which is what a page view wants: the figures are at most one run behind.
    """
    if not _lock(session, wait=wait):
        return 0
    started = utcnow()
    state = session.get(ReportState, 1)
    if state is None or full:
        session.execute(delete(ReportBucket))
        hours = _all_hours(session)
    else:
        hours = _dirty_hours(session, state.watermark)
    changed = rebuild(session, hours) if hours else 0
    if state is None:
        state = ReportState(id=1, watermark=started - LAG, refreshed_at=started)
        session.add(state)
    else:
        state.watermark, state.refreshed_at = started - LAG, started
    if changed or full or not state.version:
        state.version = uuid.uuid4().hex  # reports built from the old buckets are stale
    session.flush()
    return len(hours)


def refresh_if_stale(session: Session, stale_after: timedelta) -> tuple[str, datetime | None]:
    """What a view calls: the roll-up's version and time (`current`), rolled up first only
    when the last roll-up is older than `stale_after`.

    The sweeper rolls up every sweep, so a view normally reads what is there: recomputing
    the hours a busy inbox changed in the last `LAG` cost a view 200-400 ms at 100k
    conversations (docs/decisions.md, "Reports roll up in the sweeper"). When no sweeper
    runs, or it fell behind, the view rolls up itself (without waiting for one running), so
    the figures are current, only slower. A fresh roll-up costs the view one read of its state.
    """
    version, refreshed_at = current(session)
    if refreshed_at is not None and utcnow() - refreshed_at < stale_after:
        return version, refreshed_at
    refresh(session, wait=False)
    return current(session)


def current(session: Session) -> tuple[str, datetime | None]:
    """The roll-up's version (empty before the first refresh) and when it last ran."""
    row = session.execute(
        select(ReportState.version, ReportState.refreshed_at).where(ReportState.id == 1)
    ).first()
    return (row[0], row[1]) if row else ("", None)


def _lock(session: Session, *, wait: bool) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return True  # SQLite: the write transaction already serializes roll-ups
    if wait:
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
        return True
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": LOCK_KEY}))


def _all_hours(session: Session) -> set[datetime]:
    return {hour_of(at) for at in session.scalars(select(Conversation.created_at))}


def _dirty_hours(session: Session, since: datetime) -> set[datetime]:
    changed = select(Conversation.created_at).where(Conversation.updated_at > since)
    clocks = (
        select(Conversation.created_at)
        .join(ConversationSla, ConversationSla.conversation_id == Conversation.id)
        .where(ConversationSla.updated_at > since)
    )
    answers = (
        select(Conversation.created_at)
        .join(CsatSurvey, CsatSurvey.conversation_id == Conversation.id)
        .where(CsatSurvey.answered_at > since)
    )
    hours: set[datetime] = set()
    for query in (changed, clocks, answers):
        hours.update(hour_of(at) for at in session.scalars(query))
    return hours


def rebuild(session: Session, hours: Iterable[datetime]) -> int:
    """Recompute the buckets of `hours` from the conversations, write the rows that differ
    and move their days' rows by the difference; return how many rows were written or removed.

    Runs of contiguous hours are read together, up to RANGES_PER_QUERY runs per statement:
    the hours a view finds dirty are scattered (each changed conversation dirties the hour it
    was created in). Rows that came out the same are left alone: for two minutes after a
    change (LAG) every view finds its hour dirty again, and then nothing needs writing (nor a
    new version, so views keep their cached build). A day row moves by what its hours' rows
    lost and gained instead of being summed again from every hour row of the day: that re-read
    (24 hours × every slice, histograms decoded and merged in Python) was most of a busy view's
    cost (BENCHMARKS.md, "Reports page").
    """
    wanted = sorted(set(hours))
    channels = {i: c for i, c in session.execute(select(ChannelAccount.id, ChannelAccount.channel))}
    runs = list(_ranges(wanted))
    delta: dict[tuple[datetime, str, str], Tally] = defaultdict(Tally)
    written = 0
    b = ReportBucket
    for offset in range(0, len(runs), RANGES_PER_QUERY):
        group = runs[offset : offset + RANGES_PER_QUERY]
        old = _rows(session, _within(b.hour, group) & b.dimension.in_(DIMENSIONS))
        new: dict[tuple[datetime, str, str], Tally] = defaultdict(Tally)
        for row, facts in _facts(session, group):
            hour = hour_of(row.created_at)
            for dimension, key in (
                ("all", ""),
                ("account", str(row.channel_account_id)),
                ("channel", channels.get(row.channel_account_id, "")),
                ("category", row.category or ""),
                ("agent", str(row.assignee_id or 0)),
                ("team", str(row.team_id or 0)),
            ):
                facts.into(new[(hour, dimension, key)])
        written += _write(session, old, new, suffix="")
        for (hour, dimension, key), (_, tally) in old.items():
            if new.get((hour, dimension, key)) != tally:
                _add(delta[(day_of(hour), dimension, key)], tally, sign=-1)
        for (hour, dimension, key), tally in new.items():
            found = old.get((hour, dimension, key))
            if found is None or found[1] != tally:
                _add(delta[(day_of(hour), dimension, key)], tally)
    return written + _move_days(session, sorted({slot[0] for slot in delta}), delta)


def _rows(session: Session, where: Any) -> dict[tuple[datetime, str, str], tuple[int, Tally]]:
    """Bucket rows as {(hour, dimension without @day, key): (id, tally)}."""
    b = ReportBucket
    found: dict[tuple[datetime, str, str], tuple[int, Tally]] = {}
    for row in session.execute(
        select(b.id, b.hour, b.dimension, b.key, *TALLY_COLUMNS).where(where)
    ):
        tally = Tally()
        _add_row(tally, row[4:])
        found[(row[1], row[2].removesuffix("@day"), row[3])] = (row[0], tally)
    return found


def _write(
    session: Session,
    old: dict[tuple[datetime, str, str], tuple[int, Tally]],
    new: dict[tuple[datetime, str, str], Tally],
    *,
    suffix: str,
) -> int:
    """Make the rows `old` say what `new` says (a slot with no conversation has no row),
    touching only the slots that differ; return how many rows changed."""
    stale = [row_id for slot, (row_id, tally) in old.items() if new.get(slot) != tally]
    fresh = [
        {"hour": hour, "dimension": dimension + suffix, "key": key, **vars(tally)}
        for (hour, dimension, key), tally in new.items()
        if tally.created > 0 and (old.get((hour, dimension, key)) or (0, None))[1] != tally
    ]
    for offset in range(0, len(stale), CHUNK):
        session.execute(
            delete(ReportBucket).where(ReportBucket.id.in_(stale[offset : offset + CHUNK]))
        )
    if fresh:
        session.execute(insert(ReportBucket), fresh)
    return len(stale) + len(fresh)


def _within(column: Any, runs: list[tuple[datetime, datetime]]) -> Any:
    """column in any of the [start, end) runs (an index range scan per run)."""
    return or_(*[(column >= start) & (column < end) for start, end in runs])


TALLY_FIELDS = tuple(f.name for f in fields(Tally))
TALLY_COLUMNS = tuple(getattr(ReportBucket, name) for name in TALLY_FIELDS)


def day_of(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _move_days(
    session: Session, days: list[datetime], delta: dict[tuple[datetime, str, str], Tally]
) -> int:
    """Day rows (`<dimension>@day`, hour = UTC midnight) are the sums of that day's hour rows:
    a long range reads one row a day in its interior and hour rows only at its two edges.
    Each moves by `delta` (what its hours' rows gained minus what they lost); a slice left
    with no conversation has no row, as in a full build. A day whose result does not add up
    (a count below zero, or a total unlike its hour rows' total: a row lost or written by
    another version) is summed again from its hour rows, as every day was before."""
    day_dimensions = [day_dimension(d) for d in DIMENSIONS]
    b = ReportBucket
    written = 0
    for offset in range(0, len(days), RANGES_PER_QUERY):
        group = days[offset : offset + RANGES_PER_QUERY]
        spans = _within(b.hour, [(day, day + DAY) for day in group])
        old = _rows(session, b.hour.in_(group) & b.dimension.in_(day_dimensions))
        totals: dict[tuple[datetime, str, str], Tally] = defaultdict(Tally)
        for slot, (_, tally) in old.items():
            _add(totals[slot], tally)
        wanted = set(group)
        for slot, tally in delta.items():
            if slot[0] in wanted:
                _add(totals[slot], tally)
        counted: dict[datetime, int] = defaultdict(int)
        for hour, created in session.execute(
            select(b.hour, b.created).where(spans, b.dimension == "all")
        ):
            counted[day_of(hour)] += created
        broken = {day for (day, _, _), tally in totals.items() if _negative(tally)} | {
            day for day in group if counted[day] != _created(totals, day)
        }
        if broken:
            for slot in [slot for slot in totals if slot[0] in broken]:
                del totals[slot]
            hours = _within(b.hour, [(day, day + DAY) for day in sorted(broken)])
            for row in session.execute(
                select(b.hour, b.dimension, b.key, *TALLY_COLUMNS).where(
                    hours, b.dimension.in_(DIMENSIONS)
                )
            ):
                _add_row(totals[(day_of(row[0]), row[1], row[2])], row[3:])
        written += _write(session, old, totals, suffix="@day")
    return written


def _add(total: Tally, other: Tally, *, sign: int = 1) -> None:
    """total += sign × other, histogram buckets included (an emptied bucket is dropped)."""
    for name in TALLY_FIELDS:
        value, incoming = getattr(total, name), getattr(other, name)
        if isinstance(value, dict):
            for key, count in incoming.items():
                moved = value.get(key, 0) + sign * count
                if moved:
                    value[key] = moved
                else:
                    value.pop(key, None)
        else:
            setattr(total, name, value + sign * incoming)


def _created(totals: dict[tuple[datetime, str, str], Tally], day: datetime) -> int:
    found = totals.get((day, "all", ""))
    return found.created if found is not None else 0


def _negative(tally: Tally) -> bool:
    for name in TALLY_FIELDS:
        value = getattr(tally, name)
        if isinstance(value, dict):
            if any(count < 0 for count in value.values()):
                return True
        elif value < 0:
            return True
    return False


def day_dimension(dimension: str) -> str:
    return f"{dimension}@day"


def _add_row(tally: Tally, values: Any) -> None:
    for name, incoming in zip(TALLY_FIELDS, values, strict=True):
        value = getattr(tally, name)
        if isinstance(value, dict):
            for key, count in incoming.items():
                value[key] = value.get(key, 0) + int(count)
        else:
            setattr(tally, name, value + incoming)


def _ranges(hours: list[datetime]) -> Iterator[tuple[datetime, datetime]]:
    """Contiguous runs of hours as [start, end) ranges, so a full rebuild is a few queries."""
    run_start: datetime | None = None
    previous: datetime | None = None
    for hour in hours:
        if previous is not None and hour - previous == HOUR:
            previous = hour
            continue
        if run_start is not None and previous is not None:
            yield run_start, previous + HOUR
        run_start = previous = hour
    if run_start is not None and previous is not None:
        yield run_start, previous + HOUR


def _facts(session: Session, runs: list[tuple[datetime, datetime]]) -> Iterator[tuple[Any, Facts]]:
    rows = session.execute(
        select(
            Conversation.id,
            Conversation.channel_account_id,
            Conversation.category,
            Conversation.assignee_id,
            Conversation.team_id,
            Conversation.status,
            Conversation.created_at,
            Conversation.first_response_at,
            Conversation.resolved_at,
            Conversation.reopen_count,
            Conversation.self_service,
        )
        .where(_within(Conversation.created_at, runs))
        .order_by(Conversation.id)
    ).all()
    for offset in range(0, len(rows), CHUNK):
        chunk = rows[offset : offset + CHUNK]
        ids = [row.id for row in chunk]
        firsts, gaps = _message_times(session, ids)
        clocks: dict[int, str | None] = dict(
            iter(
                session.execute(
                    select(ConversationSla.conversation_id, ConversationSla.breached_for).where(
                        ConversationSla.conversation_id.in_(ids),
                        ConversationSla.policy_id.is_not(None),
                    )
                ).tuples()
            )
        )
        ratings: dict[int, int | None] = dict(
            iter(
                session.execute(
                    select(CsatSurvey.conversation_id, CsatSurvey.rating).where(
                        CsatSurvey.conversation_id.in_(ids), CsatSurvey.rating.is_not(None)
                    )
                ).tuples()
            )
        )
        for row in chunk:
            resolved = row.status == "resolved" and row.resolved_at is not None
            # The customer's first message starts the clock (an import or a late ingest
            # creates the row after the message was written).
            start = min(row.created_at, firsts.get(row.id, row.created_at))
            yield (
                row,
                Facts(
                    resolved=resolved,
                    reopened=row.reopen_count > 0,
                    frt=_seconds(start, row.first_response_at),
                    nrt=tuple(gaps.get(row.id, ())),
                    resolution=_seconds(start, row.resolved_at) if resolved else None,
                    sla=(clocks[row.id] is None) if row.id in clocks else None,
                    csat=ratings.get(row.id),
                    self_service=row.self_service,
                ),
            )


def _seconds(start: datetime, end: datetime | None) -> float | None:
    if end is None:
        return None
    return max(0.0, (end - start).total_seconds())


def _message_times(
    session: Session, ids: list[int]
) -> tuple[dict[int, datetime], dict[int, list[float]]]:
    """Each conversation's first customer message, and its next-response waits: after the
    first reply, from the first unanswered customer message to the reply that ends the wait
    (the wait before the first reply is the first response time)."""
    messages = session.execute(
        select(
            Message.conversation_id,
            Message.direction,
            Message.created_at,
            Message.sent_at,
            Message.status,
        )
        .where(
            Message.conversation_id.in_(ids),
            Message.kind.in_(("message", "comment")),
            Message.deleted_at.is_(None),
        )
        .order_by(Message.conversation_id, Message.created_at, Message.id)
    ).all()
    firsts: dict[int, datetime] = {}
    gaps: dict[int, list[float]] = defaultdict(list)
    current: int | None = None
    replied = False
    waiting: datetime | None = None
    for conversation_id, direction, created_at, sent_at, status in messages:
        if conversation_id != current:
            current, replied, waiting = conversation_id, False, None
        if direction == "inbound":
            firsts.setdefault(conversation_id, created_at)
            waiting = waiting or created_at
            continue
        if status in UNSENT:
            continue  # a reply still queued or failed answered nobody yet
        at = sent_at or created_at
        if waiting is not None or not replied:
            if replied and waiting is not None:
                gaps[conversation_id].append(max(0.0, (at - waiting).total_seconds()))
            replied, waiting = True, None
    return firsts, gaps
