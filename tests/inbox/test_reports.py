"""Report roll-up and figures on SQLite and PostgreSQL: times, rates, slices, time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete

from connectors.base import ConversationKind
from inbox.conversations import Change, apply_change
from inbox.faq.service import Suggestion
from inbox.models import Conversation, Message, Team, User
from inbox.models.reports import CsatSurvey, ReportBucket, ReportState
from inbox.models.sla import ConversationSla
from inbox.replies import Draft, create_reply, mark_sent
from inbox.reports import histogram, rollup
from inbox.reports.export import summary, table, to_csv
from inbox.reports.query import Period, build, build_cached, period_from
from inbox.reports.rollup import current, refresh
from inbox.selfservice import hand_off, offer, resolve
from inbox.sla import check_clocks, save_policy
from switchboard.runtime import Runtime

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
SEOUL = "Asia/Seoul"
ANSWER = Suggestion(
    slug="password", category="account", locale="ko", title="비밀번호", answer="…", score=1.0
)


def _reply(rt: Runtime, conversation_id: int, agent: User, at: datetime, key: str) -> None:
    with rt.db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        author = session.get(User, agent.id)
        assert conversation is not None and author is not None
        message, _ = create_reply(
            session, conversation, author, Draft(text="답변", idempotency_key=key)
        )
        mark_sent(session, message, f"out-{key}", at)
        message.created_at = at  # written when the agent pressed send


def _change(rt: Runtime, conversation_id: int, change: Change, agent: User | None) -> None:
    with rt.db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        actor = session.get(User, agent.id) if agent else None
        assert conversation is not None
        apply_change(session, conversation, change, actor=actor)


def _today(now: datetime) -> Period:
    day = now.astimezone(Period(date.today(), date.today(), SEOUL).tz).date()
    return Period(day - timedelta(days=1), day, SEOUL)


def _near(value: float | None, expected: float) -> bool:
    """Within the histogram's ±7.5 % (bucket ratio 1.15)."""
    return value is not None and abs(value - expected) <= expected * 0.075


@pytest.fixture
def scene(rt: Runtime, factory: Any) -> dict[str, Any]:
    fb = factory.account("facebook")
    ig = factory.account("instagram")
    agent = factory.user("agent", inboxes=[fb.id, ig.id], name="민아")
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(hours=3)
    a = factory.inbound(fb, "환불 문의", customer="a", at=start)
    _reply(rt, a.id, agent, start + timedelta(minutes=10), "a1")
    factory.inbound(fb, "아직 안 됐어요", customer="a", at=start + timedelta(hours=1))
    _reply(rt, a.id, agent, start + timedelta(hours=1, minutes=30), "a2")
    _change(rt, a.id, Change(assignee_id=agent.id, category="refund"), agent)
    _change(rt, a.id, Change(status="resolved"), agent)
    b = factory.inbound(ig, "배송 언제 와요", customer="b", at=now - timedelta(hours=1))
    _change(rt, b.id, Change(category="shipping", status="resolved"), agent)
    _change(rt, b.id, Change(status="open"), agent)
    chat = factory.account("webchat")
    solved = factory.inbound(chat, "비밀번호 변경", customer="c", kind=ConversationKind.CHAT)
    handed = factory.inbound(chat, "상담원 연결", customer="d", kind=ConversationKind.CHAT)
    with rt.db.session() as session:
        for cid, outcome in ((solved.id, "solved"), (handed.id, "handed")):
            conversation = session.get(Conversation, cid)
            assert conversation is not None
            offer(session, conversation, [ANSWER])
            if outcome == "solved":
                resolve(session, conversation, slug="password")
            else:
                hand_off(session, conversation, reason="visitor asked for a person")
        session.add(CsatSurvey(conversation_id=a.id, status="answered", due_at=now, rating=4))
    return {"a": a, "b": b, "agent": agent, "now": now, "fb": fb, "ig": ig}


@BOTH
def test_figures_come_from_the_conversations(rt: Runtime, scene: dict[str, Any]) -> None:
    with rt.db.session() as session:
        assert refresh(session) > 0
        report = build(session, _today(scene["now"]))
    assert report.created == 4
    assert report.resolved == 2  # a by the agent, one chat by self-service; b was reopened
    assert (report.reopened, report.reopen_rate) == (1, 1 / 3)
    assert report.first_response.count == 1 and _near(report.first_response.median, 600)
    assert report.next_response.count == 1 and _near(report.next_response.median, 1800)
    assert report.resolution.count == 2 and _near(report.resolution.p90, 3 * 3600)
    assert (report.csat_n, report.csat_mean, report.csat_dist) == (1, 4.0, {4: 1})
    assert (report.self_solved, report.self_handed, report.deflection_rate) == (1, 1, 0.5)
    assert {s.key: s.created for s in report.channels} == {
        "facebook": 1,
        "instagram": 1,
        "webchat": 2,
    }
    assert {s.name: s.created for s in report.inboxes} == {
        "facebook test": 1,
        "instagram test": 1,
        "webchat test": 2,
    }
    agents = {s.name: s for s in report.agents}
    assert agents["민아"].created == 1 and agents["민아"].csat_mean == 4.0
    assert {s.key for s in report.categories} == {"refund", "shipping", "password", ""}
    assert sorted(key for key, _ in report.reasons) == ["password", "refund", "shipping"]
    assert sum(sum(counts) for _, counts in report.reasons) == 3
    assert sum(report.by_hour) == sum(report.by_weekday) == sum(n for _, n in report.by_day) == 4


@BOTH
def test_agents_and_teams_get_every_figure(rt: Runtime, scene: dict[str, Any]) -> None:
    """Per agent and per team: the spreads (median, p90), next response, reopen rate, SLA and
    the CSAT distribution, the same figures as the whole inbox (UI, CSV and API read these)."""
    with rt.db.session() as session:
        team = Team(name="환불팀")
        session.add(team)
        session.flush()
        row = session.get(Conversation, scene["a"].id)
        assert row is not None
        row.team_id = team.id
        team_id = team.id
    with rt.db.session() as session:
        refresh(session)
        report = build(session, _today(scene["now"]))
    agent = {s.name: s for s in report.agents}["민아"]
    assert agent.first_response is not None and _near(agent.first_response.median, 600)
    assert agent.next_response is not None and _near(agent.next_response.p90, 1800)
    assert agent.nrt_mean == 1800 and agent.frt_mean == 600
    assert agent.resolution is not None and _near(agent.resolution.median, 3 * 3600)
    assert (agent.reopened, agent.reopen_rate) == (0, 0.0)
    assert (agent.csat_n, agent.csat_dist) == (1, {4: 1})
    nobody = {s.key: s for s in report.agents}["0"]  # unassigned: b (reopened) and the chats
    assert (nobody.reopened, nobody.reopen_rate) == (1, 0.5)
    assert nobody.csat_dist == {} and nobody.first_response is not None
    teams = {s.key: s for s in report.teams}
    assert teams[str(team_id)].name == "환불팀" and teams[str(team_id)].csat_dist == {4: 1}
    header, *rows = table(report, "teams")
    named = dict(zip(header, next(r for r in rows if r[1] == "환불팀"), strict=True))
    assert named["csat_4"] == 1 and named["reopen_rate"] == 0.0
    assert abs(named["first_response_median_s"] - 600) <= 45
    assert {"next_response_p90_s", "resolution_p90_s", "sla_attainment"} <= set(header)


@BOTH
def test_built_reports_are_reused_only_while_the_buckets_are_unchanged(
    rt: Runtime, factory: Any, scene: dict[str, Any]
) -> None:
    period = _today(scene["now"])
    with rt.db.session() as session:
        refresh(session)
        version, as_of = current(session)
        first = build_cached(session, period, version=version)
        assert build_cached(session, period, version=version) is first
        assert build_cached(session, period, version=version, detail=False) is not first
    assert version and as_of is not None and first.created == 4
    factory.inbound(scene["fb"], "새 문의", customer="z")
    with rt.db.session() as session:
        refresh(session)
        changed, _ = current(session)
        second = build_cached(session, period, version=changed)
    assert changed != version and second.created == 5
    with rt.db.session() as session:
        session.execute(delete(ReportState))  # a full rebuild from scratch: a new version too
        refresh(session)
        assert current(session)[0] not in (version, changed, "")


@BOTH
def test_refresh_recomputes_only_changed_hours_and_never_double_counts(
    rt: Runtime, scene: dict[str, Any]
) -> None:
    with rt.db.session() as session:
        old = session.get(Conversation, scene["a"].id)
        assert old is not None  # history: created two days ago, untouched for an hour
        old.created_at = scene["now"] - timedelta(days=2)
        old.updated_at = scene["now"] - timedelta(hours=1)
    period = Period(_today(scene["now"]).start - timedelta(days=2), _today(scene["now"]).end, SEOUL)
    with rt.db.session() as session:
        refresh(session)
        first = build(session, period)
    with rt.db.session() as session:
        assert refresh(session) == 1  # this hour (recent changes), not a's hour two days ago
        rows_before = session.query(ReportBucket).count()
        again = build(session, period)
    assert (again.created, again.resolved) == (first.created, first.resolved) == (4, 2)
    _change(rt, scene["b"].id, Change(status="resolved"), scene["agent"])
    with rt.db.session() as session:
        assert refresh(session) == 1
        assert session.query(ReportBucket).count() == rows_before
        incremental = build(session, period)
    with rt.db.session() as session:
        refresh(session, full=True)
        full = build(session, period)
    assert incremental.resolved == full.resolved == 3
    assert incremental.created == full.created == 4
    assert incremental.reopened == full.reopened == 1
    assert incremental.resolution == full.resolution


@BOTH
def test_days_and_hours_follow_the_time_zone(rt: Runtime, factory: Any) -> None:
    fb = factory.account("facebook")
    # Sunday 23:30 UTC is Monday 08:30 in Seoul.
    at = datetime(2026, 11, 1, 23, 30, tzinfo=UTC)
    conversation = factory.inbound(fb, "문의", customer="tz", at=at)
    with rt.db.session() as session:
        row = session.get(Conversation, conversation.id)
        assert row is not None
        row.created_at = at  # history, as an import or the demo writes it
    with rt.db.session() as session:
        refresh(session)
        seoul = build(session, Period(date(2026, 11, 2), date(2026, 11, 2), SEOUL))
        utc = build(session, Period(date(2026, 11, 2), date(2026, 11, 2), "UTC"))
        utc_before = build(session, Period(date(2026, 11, 1), date(2026, 11, 1), "UTC"))
    assert seoul.created == 1 and seoul.by_hour[8] == 1 and seoul.by_weekday[0] == 1
    assert utc.created == 0
    assert utc_before.created == 1 and utc_before.by_hour[23] == 1 and utc_before.by_weekday[6] == 1
    assert seoul.weeks == [date(2026, 11, 2)]


def test_period_parsing_refuses_bad_input() -> None:
    now = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)
    default = period_from(None, None, None, default_zone=SEOUL, now=now)
    assert (default.start, default.end) == (date(2026, 11, 8), date(2026, 12, 5))
    with pytest.raises(ValueError, match="time zone"):
        period_from(None, None, "Mars/Olympus", default_zone=SEOUL, now=now)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        period_from("yesterday", None, None, default_zone=SEOUL, now=now)
    with pytest.raises(ValueError, match="before"):
        period_from("2026-12-05", "2026-12-01", None, default_zone=SEOUL, now=now)
    with pytest.raises(ValueError, match="at most"):
        period_from("2024-01-01", "2026-12-01", None, default_zone=SEOUL, now=now)


def test_histogram_percentiles_stay_within_the_bucket_width() -> None:
    samples = [30.0] * 50 + [600.0] * 40 + [7200.0] * 10
    hist: dict[str, int] = {}
    for value in samples:
        histogram.add(hist, value)
    merged = histogram.merge([hist, {}])
    assert _near(histogram.percentile(merged, 0.5), 30)
    assert _near(histogram.percentile(merged, 0.9), 600)
    assert _near(histogram.percentile(merged, 0.95), 7200)
    assert histogram.percentile({}, 0.5) is None


@BOTH
def test_csv_neutralises_formulas_in_names(rt: Runtime, factory: Any) -> None:
    fb = factory.account("facebook")
    agent = factory.user("agent", inboxes=[fb.id], name='=HYPERLINK("http://x")')
    conversation = factory.inbound(fb, "문의", customer="f")
    _change(rt, conversation.id, Change(assignee_id=agent.id), agent)
    with rt.db.session() as session:
        refresh(session)
        today = datetime.now(UTC).date()
        report = build(session, Period(today - timedelta(days=1), today + timedelta(days=1), "UTC"))
    text = to_csv(table(report, "agents"))
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    with pytest.raises(ValueError, match="table must be"):
        table(report, "nope")


@BOTH
def test_message_deleted_or_unsent_replies_do_not_count_as_responses(
    rt: Runtime, factory: Any
) -> None:
    fb = factory.account("facebook")
    agent = factory.user("agent", inboxes=[fb.id])
    start = datetime.now(UTC) - timedelta(hours=2)
    conversation = factory.inbound(fb, "문의", customer="g", at=start)
    _reply(rt, conversation.id, agent, start + timedelta(minutes=5), "g1")
    factory.inbound(fb, "또 문의", customer="g", at=start + timedelta(minutes=20))
    with rt.db.session() as session:
        row = session.get(Conversation, conversation.id)
        author = session.get(User, agent.id)
        assert row is not None and author is not None
        create_reply(session, row, author, Draft(text="대기 중", idempotency_key="g2"))
    with rt.db.session() as session:
        refresh(session)
        report = build(session, _today(datetime.now(UTC)))
        pending = session.query(Message).filter_by(idempotency_key="g2").one()
        assert pending.status == "pending"
    assert report.first_response.count == 1 and report.next_response.count == 0


@BOTH
def test_sla_attainment_counts_clocks_that_never_breached(rt: Runtime, factory: Any) -> None:
    """SLA attainment = conversations whose SLA clock never breached ÷ conversations with a
    clock, overall, per inbox and in the summary the API and CSV give."""
    late_inbox = factory.account("facebook")
    kept_inbox = factory.account("instagram")
    with rt.db.session() as session:
        save_policy(
            session,
            name="default",
            priority="any",
            account_id=None,
            first_response_minutes=60,
            next_response_minutes=None,
            resolution_minutes=None,
            warn_minutes=10,
            actor_id=None,
        )
    late = factory.inbound(late_inbox, "배송 언제 와요?", customer="late")
    rt.jobs.drain()
    with rt.db.session() as session:
        row = session.get(Conversation, late.id)
        assert row is not None
        assert check_clocks(session, now=row.created_at + timedelta(minutes=61))["breaches"] == 1
    kept = factory.inbound(kept_inbox, "환불 됐나요?", customer="kept")  # its clock still runs
    rt.jobs.drain()
    with rt.db.session() as session:
        assert session.get(ConversationSla, kept.id) is not None
        refresh(session)
        report = build(session, _today(datetime.now(UTC)))
    assert report.created == 2
    assert (report.sla_n, report.sla_met, report.sla_rate) == (2, 1, 0.5)
    inboxes = {s.key: s.sla_rate for s in report.inboxes}
    assert inboxes == {str(late_inbox.id): 0.0, str(kept_inbox.id): 1.0}
    assert summary(report)["sla_attainment"] == 0.5


@BOTH
def test_scattered_dirty_hours_are_rebuilt_like_a_full_build(
    rt: Runtime, factory: Any, monkeypatch: Any
) -> None:
    """The hours a view finds dirty are scattered over days; they are read several runs per
    statement (two here, so the groups' edges are crossed), their days' rows move by the
    difference, and every bucket comes out as a full build's: hour rows and day rows, sums
    and histograms, a slice emptied of its last conversation gone. Hours found again with
    nothing changed write nothing. A day row that does not add up (lost here) is summed
    again from its hours."""
    monkeypatch.setattr(rollup, "RANGES_PER_QUERY", 2)
    fb = factory.account("facebook")
    agent = factory.user("agent", inboxes=[fb.id], name="민아")
    now = datetime.now(UTC).replace(minute=30, second=0, microsecond=0)
    ids = []
    for n in range(7):  # seven hours, none adjacent, over four days
        at = now - timedelta(hours=13 * n + 5)
        conversation = factory.inbound(fb, f"문의 {n}", customer=f"s{n}", at=at)
        ids.append(conversation.id)
        _reply(rt, conversation.id, agent, at + timedelta(minutes=7 * n + 1), f"s{n}")
        with rt.db.session() as session:
            row = session.get(Conversation, conversation.id)
            assert row is not None
            row.created_at = row.updated_at = at  # history, as an import or the demo writes it
    with rt.db.session() as session:
        refresh(session)
    for cid in ids[::2]:
        _change(rt, cid, Change(status="resolved", category="refund"), None)

    def buckets() -> list[tuple[Any, ...]]:
        with rt.db.session() as session:
            return sorted(
                (row.hour, row.dimension, row.key, *[getattr(row, f) for f in rollup.TALLY_FIELDS])
                for row in session.query(ReportBucket)
            )

    with rt.db.session() as session:
        assert refresh(session) == 4
        version = current(session)[0]
    incremental = buckets()
    with rt.db.session() as session:  # inside LAG the hours are found again: nothing to write
        assert refresh(session) == 4
        assert current(session)[0] == version  # so views keep their cached build
    assert buckets() == incremental
    with rt.db.session() as session:
        refresh(session, full=True)
    full = buckets()
    assert incremental == full
    resolved = [r for r in full if r[1] == "all@day"]
    assert sum(r[4] for r in resolved) == 4 and any(r[1] == "category@day" for r in full)
    with rt.db.session() as session:  # a day row lost: the next change there repairs it
        first_day = rollup.day_of(now - timedelta(hours=5))
        session.execute(
            delete(ReportBucket).where(
                ReportBucket.hour == first_day, ReportBucket.dimension == "all@day"
            )
        )
    _change(rt, ids[0], Change(category="shipping"), None)
    with rt.db.session() as session:
        refresh(session)
    repaired = buckets()
    assert any(r[0] == first_day and r[1] == "all@day" for r in repaired)
    with rt.db.session() as session:
        refresh(session, full=True)
    assert repaired == buckets()
