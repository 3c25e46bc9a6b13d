"""The FAQ that learns: evidence from agents and visitors changes ranking; gaps are grouped."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from inbox import selfservice
from inbox.faq import evidence, gaps, service
from inbox.faq.models import FaqEvidence
from inbox.models import AuditLog, Conversation, utcnow
from switchboard.runtime import Runtime

both_backends = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)

# Words no article uses for shipping-tracking; nothing in the index suggests anything for it.
UNSEEN = "뽁뽁이 상자 굴러다니는 곳 궁금함"


@pytest.fixture
def seeded(rt: Runtime) -> Runtime:
    service.invalidate_cache()
    with rt.db.session() as session:
        service.seed_default_articles(session)
    return rt


def _top(rt: Runtime, text: str) -> str | None:
    with rt.db.session() as session:
        found = service.suggest(session, text)
    return found[0].slug if found else None


@both_backends
def test_an_agents_insert_teaches_the_phrasing_and_removal_unteaches_it(seeded: Runtime) -> None:
    rt = seeded
    assert _top(rt, UNSEEN) is None
    with rt.db.session() as session:
        assert evidence.record(
            session, "shipping-tracking", UNSEEN, locale="ko", source="agent", conversation_id=None
        )
    # Any process sees it on the next suggestion (the index fingerprint covers evidence).
    assert _top(rt, UNSEEN) == "shipping-tracking"
    assert _top(rt, "뽁뽁이 상자가 굴러다니는 곳") == "shipping-tracking"
    with rt.db.session() as session:
        row = session.scalars(select(FaqEvidence)).one()
        evidence.remove(session, row.id, user_id=None)
    assert _top(rt, UNSEEN) is None
    with rt.db.session() as session:
        assert session.scalars(select(FaqEvidence)).one().removed_at is not None
        assert session.scalars(
            select(AuditLog).where(AuditLog.action == "faq.evidence.remove")
        ).one()


@both_backends
def test_evidence_is_once_per_article_conversation_and_source(seeded: Runtime, factory: Any):
    rt = seeded
    conversation = factory.inbound(factory.account(), "택배 어디쯤 왔는지 봐주세요")
    for _ in range(2):
        with rt.db.session() as session:
            evidence.record(
                session,
                "shipping-tracking",
                "택배 어디쯤 왔는지 봐주세요",
                locale="ko",
                source="visitor",
                conversation_id=conversation.id,
            )
    with rt.db.session() as session:
        assert len(session.scalars(select(FaqEvidence)).all()) == 1
        assert not evidence.record(
            session, "no-such-article", "x", locale="ko", source="agent", conversation_id=None
        )
        with pytest.raises(ValueError):
            evidence.record(session, "shipping-tracking", "x", locale="ko", source="bot",
                            conversation_id=None)  # fmt: skip


def test_evidence_fades_with_age_and_is_capped_per_article(seeded: Runtime) -> None:
    now = utcnow()
    assert evidence.decay(now, now) == 1.0
    half = evidence.decay(now - timedelta(days=evidence.EVIDENCE_HALF_LIFE_DAYS), now)
    assert half == pytest.approx(0.5)
    with seeded.db.session() as session:
        for i in range(evidence.EVIDENCE_PER_ARTICLE + 5):
            evidence.record(
                session, "order-status", f"질문 {i}", locale="ko", source="agent",
                conversation_id=None,
            )  # fmt: skip
        learned = evidence.phrasings(session)
    assert len(learned["order-status"]) == evidence.EVIDENCE_PER_ARTICLE


@both_backends
def test_a_visitors_solved_click_becomes_evidence(seeded: Runtime, factory: Any) -> None:
    rt = seeded
    conversation = factory.inbound(factory.account("webchat"), "비밀번호 까먹었는데 어떡해요")
    with rt.db.session() as session:
        fresh = session.get(Conversation, conversation.id)
        assert fresh is not None
        answers = service.suggest(session, "비밀번호 까먹었는데 어떡해요")
        selfservice.offer(session, fresh, answers)
        selfservice.resolve(session, fresh, slug="account-password-reset")
    with rt.db.session() as session:
        row = session.scalars(select(FaqEvidence)).one()
        assert (row.source, row.article.slug, row.conversation_id) == (
            "visitor",
            "account-password-reset",
            conversation.id,
        )
        assert row.phrase == "비밀번호 까먹었는데 어떡해요"


@both_backends
def test_gaps_group_alike_questions_that_self_service_missed(seeded: Runtime, factory: Any):
    rt = seeded
    account = factory.account("webchat")
    asked = [
        ("교환 되나요?", "no_match"),
        ("교환 가능한가요", "handed_off"),
        ("포인트 적립은 언제 되나요", "no_match"),
        ("포인트 적립 안됐어요", "no_match"),
        ("교환하고 싶어요", "no_match"),
        ("배송 언제 와요", None),  # answered by self-service: not a gap
    ]
    for i, (text, outcome) in enumerate(asked):
        conversation = factory.inbound(account, text, customer=f"visitor-{i}")
        with rt.db.session() as session:
            fresh = session.get(Conversation, conversation.id)
            assert fresh is not None
            if outcome == "no_match":
                selfservice.no_match(session, fresh)
            elif outcome == "handed_off":
                fresh.self_service = selfservice.OFFERED
                selfservice.hand_off(session, fresh, reason="visitor asked")
    now = utcnow()
    with rt.db.session() as session:
        groups = gaps.report(session, since=now - timedelta(days=1), until=now + timedelta(1))
        empty = gaps.report(session, since=now - timedelta(days=9), until=now - timedelta(days=8))
    assert [sorted(g.questions) for g in groups] == [
        ["교환 가능한가요", "교환 되나요?", "교환하고 싶어요"],
        ["포인트 적립 안됐어요", "포인트 적립은 언제 되나요"],
    ]
    assert groups[0].outcomes == {"no_match": 2, "handed_off": 1}
    assert empty == []
