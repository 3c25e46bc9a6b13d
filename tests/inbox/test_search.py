"""Conversation search on both backends: Korean substrings, English case, contacts, access, sync.

Everything goes through the real ingest (tests/support/factory.py) and the real list query, so
the FTS5 triggers (SQLite) and the pg_trgm / bigram indexes (PostgreSQL) are what is tested.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

import inbox.search
from connectors.base import ConversationKind, EventKind, InboundEvent
from inbox.contacts import merge_contacts
from inbox.ingest import record_event
from inbox.models import ChannelAccount, Conversation, Message, User
from inbox.queries import ConversationFilter, list_conversations
from inbox.search import parse_terms, strip_particle

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def found(rt: Any, user: User, q: str, **filters: Any) -> set[int]:
    with rt.db.session() as session:
        fresh = session.get(User, user.id)
        assert fresh is not None
        page = list_conversations(
            session, fresh, ConversationFilter(q=q, **filters), cursor=None, limit=100
        )
        return {c.id for c in page.items}


def change(
    rt: Any, account: ChannelAccount, kind: EventKind, target: str, text: str | None
) -> None:
    with rt.db.session() as session:
        fresh = session.get(ChannelAccount, account.id)
        assert fresh is not None
        outcome = record_event(
            session,
            fresh,
            InboundEvent(
                kind=kind,
                account_external_id=fresh.external_id,
                external_id=f"{kind}-{target}",
                thread_key="unused",
                conversation_kind=ConversationKind.DM,
                sent_at=datetime.now(UTC),
                text=text,
                targets=(target,),
            ),
        )
        assert outcome.action == "updated"


@pytest.fixture
def world(rt: Any, factory: Any) -> dict[str, Any]:
    """Two inboxes, a handful of Korean and English conversations, an admin and an agent."""
    fb = factory.account("facebook")
    ig = factory.account("instagram")
    convs = {
        "refund_please": factory.inbound(
            fb,
            "환불해주세요. 주문번호 2026112400317",
            customer="c1",
            name="박지현",
            external_id="m-refund-please",
        ),
        "refund_particle": factory.inbound(
            fb, "환불이 아직 안 들어왔어요 ㅠㅠ", customer="c2", name="이수진"
        ),
        "shipping": factory.inbound(
            fb, "배송 언제 오나요? 환 불 아니고 배송 문의예요", customer="c3", name="최영호"
        ),
        "exchange": factory.inbound(fb, "교환 가능할까요?", customer="c4", name="정하은"),
        "english": factory.inbound(
            fb, "Where is my REFUND? Order 88231", customer="c5", name="Sarah Miller"
        ),
        "minho": factory.inbound(fb, "주문 취소하고 싶어요", customer="minho_82", name="김민호"),
        "percent": factory.inbound(fb, "쿠폰 1000원 할인 안 돼요", customer="c7", name="한도윤"),
        "other_inbox": factory.inbound(
            ig, "환불 요청합니다 (인스타)", customer="ig-1", name="오서연"
        ),
    }
    return {
        "fb": fb,
        "ig": ig,
        "ids": {key: conv.id for key, conv in convs.items()},
        "admin": factory.user("admin"),
        "agent": factory.user("agent", inboxes=[fb.id]),
    }


def ids(world: dict[str, Any], *keys: str) -> set[int]:
    return {world["ids"][key] for key in keys}


@BOTH
def test_korean_substring_finds_particles_and_endings(rt: Any, world: dict[str, Any]) -> None:
    admin = world["admin"]
    assert found(rt, admin, "환불") == ids(world, "refund_please", "refund_particle", "other_inbox")
    assert found(rt, admin, "환불해") == ids(world, "refund_please")
    assert found(rt, admin, "불이 아직") == ids(world, "refund_particle")
    assert found(rt, admin, '"불이 아직"') == ids(world, "refund_particle")
    assert found(rt, admin, "아직 불이") == ids(world, "refund_particle")  # terms, any order
    assert found(rt, admin, '"아직 불이"') == set()  # a quoted phrase keeps its order
    assert found(rt, admin, "주문번호 2026112400317") == ids(world, "refund_please")


@BOTH
def test_two_character_query_and_no_false_positives(rt: Any, world: dict[str, Any]) -> None:
    admin = world["admin"]
    assert found(rt, admin, "교환") == ids(world, "exchange")
    assert found(rt, admin, "배송") == ids(world, "shipping")
    # "환 불" (with a space) and the two syllables reversed are not 환불.
    assert world["ids"]["shipping"] not in found(rt, admin, "환불")
    assert found(rt, admin, "불환") == set()
    assert found(rt, admin, "뷁뷁") == set()
    # LIKE wildcards in the query are literal characters.
    assert found(rt, admin, "100%") == set()
    assert found(rt, admin, "1000원") == ids(world, "percent")
    assert found(rt, admin, "1_00") == set()
    # One character is not a search: it matches nothing rather than everything.
    assert found(rt, admin, "환") == set()


@BOTH
def test_korean_particle_in_the_query_is_dropped(rt: Any, world: dict[str, Any]) -> None:
    """배송이 / 배송을 / 배송은 find what 배송 finds; a quoted term stays exact (issue 21)."""
    admin = world["admin"]
    shipping = found(rt, admin, "배송")
    assert shipping == ids(world, "shipping")
    for q in ("배송이", "배송을", "배송은", "배송으로", "배송이요", "배송에서", "배송 배송이"):
        assert found(rt, admin, q) == shipping, q
    assert found(rt, admin, '"배송이"') == set()  # no message has 배송이 as written
    # 환불이 finds every 환불 (stem); quoted, only the message that says 환불이.
    assert found(rt, admin, "환불이") == found(rt, admin, "환불")
    assert found(rt, admin, "환불이") == ids(
        world, "refund_please", "refund_particle", "other_inbox"
    )
    assert found(rt, admin, '"환불이"') == ids(world, "refund_particle")
    # A stem keeps two syllables: 불이 is not cut to 불 (which would be no search at all).
    assert found(rt, admin, "불이") == ids(world, "refund_particle")
    # Names take particles too; English terms are never touched.
    assert found(rt, admin, "김민호가") == ids(world, "minho")
    assert found(rt, admin, "refund") == ids(world, "english")
    assert found(rt, admin, "refunds") == set()


@BOTH
def test_english_is_case_insensitive(rt: Any, world: dict[str, Any]) -> None:
    admin = world["admin"]
    for q in ("refund", "Refund", "REFUND", "fund"):
        assert found(rt, admin, q) == ids(world, "english"), q
    assert found(rt, admin, "sarah miller") == ids(world, "english")
    assert found(rt, admin, "refunds") == set()


@BOTH
def test_contact_name_and_handle(rt: Any, world: dict[str, Any]) -> None:
    admin = world["admin"]
    assert found(rt, admin, "김민호") == ids(world, "minho")
    assert found(rt, admin, "민호") == ids(world, "minho")  # two-character given name
    assert found(rt, admin, "@minho_82") == ids(world, "minho")
    assert found(rt, admin, "MINHO") == ids(world, "minho")
    # Terms combine across fields: the contact's name and a word of a message.
    assert found(rt, admin, "김민호 취소") == ids(world, "minho")
    assert found(rt, admin, "김민호 환불") == set()


@BOTH
def test_contact_merge_carries_search(rt: Any, world: dict[str, Any], factory: Any) -> None:
    """After a merge the conversation belongs to the surviving contact and its identities."""
    admin = world["admin"]
    with rt.db.session() as session:
        minho = session.get(Conversation, world["ids"]["minho"])
        refund = session.get(Conversation, world["ids"]["refund_please"])
        assert minho is not None and refund is not None
        merge_contacts(
            session, source_id=refund.contact_id, target_id=minho.contact_id, actor_id=None
        )
    assert found(rt, admin, "@minho_82") == ids(world, "minho", "refund_please")


@BOTH
def test_agent_sees_only_their_inboxes(
    rt: Any, world: dict[str, Any], factory: Any, client: Any
) -> None:
    agent = world["agent"]
    assert found(rt, agent, "환불") == ids(world, "refund_please", "refund_particle")
    assert found(rt, agent, "인스타") == set()
    token = factory.token(agent)
    response = client.get(
        "/api/v1/conversations",
        query_string={"q": "환불"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert {c["id"] for c in response.get_json()["data"]} == ids(
        world, "refund_please", "refund_particle"
    )


@BOTH
def test_search_follows_edits_and_deletes(rt: Any, world: dict[str, Any]) -> None:
    admin = world["admin"]
    change(rt, world["fb"], EventKind.EDITED, "m-refund-please", "배송지 변경 부탁드려요")
    assert world["ids"]["refund_please"] not in found(rt, admin, "환불해")
    assert found(rt, admin, "배송지") == ids(world, "refund_please")
    change(rt, world["fb"], EventKind.DELETED, "m-refund-please", None)
    assert found(rt, admin, "배송지") == set()
    assert found(rt, admin, "2026112400317") == set()


@BOTH
def test_search_combines_with_filters_and_paging(rt: Any, world: dict[str, Any]) -> None:
    admin = world["admin"]
    assert found(rt, admin, "환불", channel="instagram") == ids(world, "other_inbox")
    with rt.db.session() as session:
        user = session.get(User, admin.id)
        assert user is not None
        flt = ConversationFilter(q="환불")
        first = list_conversations(session, user, flt, cursor=None, limit=2)
        assert first.next_cursor is not None
        second = list_conversations(session, user, flt, cursor=first.next_cursor, limit=2)
    seen = [c.id for c in first.items + second.items]
    assert len(seen) == len(set(seen)) == 3


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgresql_walk_plan_gives_the_same_answers(
    rt: Any, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a probe limit of 1 every term counts as common and takes the EXISTS walk."""
    admin = world["admin"]
    queries = ["환불", "환불해", "교환", "refund", "민호", "@minho_82", "김민호 취소", "뷁뷁"]
    queries += ["배송이", '"환불이"', "김민호가"]
    by_ids = {q: found(rt, admin, q) for q in queries}
    monkeypatch.setattr(inbox.search, "PROBE_LIMIT", 1)
    assert {q: found(rt, admin, q) for q in queries} == by_ids


def test_parse_terms() -> None:
    assert parse_terms('  환불  "배송 지연"  @minho REFUND refund 환 ') == [
        "환불",
        "배송 지연",
        "minho",
        "REFUND",
    ]
    assert parse_terms("") == []
    assert len(parse_terms(" ".join(f"t{i}" for i in range(20)))) == inbox.search.MAX_TERMS


def test_strip_particle() -> None:
    stripped = {
        "배송이": "배송",
        "배송을": "배송",
        "배송은": "배송",
        "배송으로": "배송",  # 으로 before 로
        "배송이요": "배송",  # 이요 before 요
        "배송지를": "배송지",
        "고객님께서": "고객님",
        "택배한테": "택배",
        "교환이랑": "교환",
    }
    assert {term: strip_particle(term) for term in stripped} == stripped
    # Two-syllable words keep both syllables; non-Hangul and mixed terms are untouched.
    for term in ("가이", "도로", "회의", "환불", "불이", "iPhone이", "2026년에", "refund", "배"):
        assert strip_particle(term) == term, term
    assert strip_particle("배송이가") == "배송이"  # one particle only


def test_parse_terms_strips_unquoted_korean_only() -> None:
    assert parse_terms('배송이 "배송이" 환불을 Refund') == ["배송", "배송이", "환불", "Refund"]
    assert parse_terms("배송 배송이 배송을") == ["배송"]  # one term after stripping
    assert parse_terms("@민호가") == ["민호"]  # the handle marker goes first, then the particle


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgresql_terms_estimated_common_walk_without_probing(
    rt: Any, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A term the planner expects in more than SURELY_COMMON messages skips the probe and
    walks; the answers stay the same."""
    admin = world["admin"]
    queries = ["환불", "환불해", "교환", "refund", "민호", "김민호 취소", "뷁뷁", "배송이"]
    by_ids = {q: found(rt, admin, q) for q in queries}
    probed: list[str] = []
    real = inbox.search._estimated_rows

    def estimate(session: Any, query: Any) -> float:
        probed.append(str(query))
        return real(session, query)

    monkeypatch.setattr(inbox.search, "_estimated_rows", estimate)
    monkeypatch.setattr(inbox.search, "SURELY_COMMON", -1)
    monkeypatch.setattr(inbox.search, "FLOOR_MARGIN", 0)  # every bigram counts as seen
    assert {q: found(rt, admin, q) for q in queries} == by_ids
    assert probed and all("message" in q for q in probed)  # only the message-text source


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgresql_a_bigram_walks_on_its_estimate_only_when_the_statistics_know_it(
    rt: Any, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 2-character term is estimated by its bigram alone (the ILIKE recheck it implies is
    not multiplied in), and walks without a probe only above the planner's floor for a
    bigram its statistics never saw: an absent term estimated at that floor is probed."""
    import sqlalchemy

    conv_id, account_id = world["ids"]["exchange"], world["fb"].id
    with rt.db.session() as session:
        session.execute(
            sqlalchemy.text(
                "INSERT INTO message (uuid, conversation_id, channel_account_id, direction, kind,"
                " text, attempts, created_at, stored_at, meta) SELECT 'bulk-' || i, :conv,"
                " :account, 'inbound', 'message', CASE WHEN i % 5 = 0 THEN '캡슐에 곰팡이 ' ||"
                " i || '번' ELSE '주문 ' || i END, 0, now(), now(), '{}'"
                " FROM generate_series(1, 600) AS i"
            ),
            {"conv": conv_id, "account": account_id},
        )
    with rt.db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE message")
        conn.commit()
    # 120 of 608 rows: the bigram alone is estimated right; times the ILIKE's own estimate
    # (about as many again) it would be ~24, below the threshold, and probed.
    monkeypatch.setattr(inbox.search, "SURELY_COMMON", 60)
    with rt.db.session() as session:
        assert inbox.search.surely_common(session, Message.text, "곰팡")
        assert not inbox.search.surely_common(session, Message.text, "교환")  # 1 row
    # However low the threshold, a bigram estimated at the planner's floor for unseen ones
    # (here 뷁뷁, which no message contains) is probed, never walked on that guess.
    monkeypatch.setattr(inbox.search, "SURELY_COMMON", 0)
    with rt.db.session() as session:
        assert not inbox.search.surely_common(session, Message.text, "뷁뷁")
        assert inbox.search.surely_common(session, Message.text, "곰팡")
    statements: list[str] = []

    def capture(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    expected = naive(rt, "곰팡")
    sqlalchemy.event.listen(rt.db.engine, "before_cursor_execute", capture)
    try:
        assert found(rt, world["admin"], "곰팡") == {conv_id} == expected
        walked = list(statements)
        statements.clear()
        assert found(rt, world["admin"], "뷁뷁") == set()
    finally:
        sqlalchemy.event.remove(rt.db.engine, "before_cursor_execute", capture)
    probes = [s for s in walked if s.startswith("SELECT message.conversation_id")]
    assert probes == []  # 곰팡: no probe of the message text, straight to the walk
    assert any(s.startswith("SELECT message.conversation_id") for s in statements)  # probed


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_status_list_with_a_search_is_read_in_index_order_without_a_sort(
    rt: Any, world: dict[str, Any]
) -> None:
    """The status list's index carries the whole sort key (status, last_activity_at, id), so
    the scan stops at the page's last match. With (status, last_activity_at) alone PostgreSQL
    sorted each group of equal timestamps by id, and read every row of a group an import had
    stamped alike (18,091 of them at 1M conversations: BENCHMARKS.md, inbox pages at scale)."""
    import sqlalchemy

    statements: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: Any) -> None:
        statements.append((statement, params))

    sqlalchemy.event.listen(rt.db.engine, "before_cursor_execute", capture)
    try:
        assert found(rt, world["admin"], "환불", status="open")
    finally:
        sqlalchemy.event.remove(rt.db.engine, "before_cursor_execute", capture)
    statement, params = next((s, p) for s, p in statements if "ORDER BY conversation.last" in s)
    with rt.db.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        conn.exec_driver_sql("SET enable_bitmapscan = off")
        plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, params))
    assert "ix_conversation_status_activity" in plan, plan
    assert "Sort" not in plan, plan


def naive(rt: Any, q: str) -> set[int]:
    """What the search means, computed in Python over every row: the conversations in which
    each term of `q` is a case-insensitive substring of a message, the subject, the contact's
    name or email, or one of the contact's handles or display names."""
    terms = [t.lower() for t in parse_terms(q)]
    if not terms:
        return set()
    texts: dict[int, list[str]] = {}
    with rt.db.session() as session:
        for conv in session.scalars(select(Conversation)):
            contact = conv.contact
            texts[conv.id] = [conv.subject or "", contact.name or "", contact.email or ""]
            for identity in contact.identities:
                texts[conv.id] += [identity.handle or "", identity.display_name or ""]
        for conv_id, text in session.execute(select(Message.conversation_id, Message.text)):
            texts[conv_id].append(text or "")
    return {
        conv_id
        for conv_id, parts in texts.items()
        if all(any(term in part.lower() for part in parts) for term in terms)
    }


NAIVE_QUERIES = [
    "환불", "환불해", "환불이", '"환불이"', "교환", "배송", "배송이", "refund", "REFUND", "fund",
    "민호", "@minho_82", "김민호 취소", "김민호 환불", "뷁뷁", "zzqx", "2026112400317", "1000원",
    "100%", "sarah miller", "불이 아직", "인스타", "아직 불이", '"아직 불이"', "환",
]  # fmt: skip
# Each forces one of the PostgreSQL plans: the default choice, every term listed by ids (no
# estimate skip, a probe that never overflows), every term walked (a probe of 1 row always
# overflows), and every message term walked on the estimate alone.
PLANS = {
    "default": {},
    "ids": {"PROBE_LIMIT": 10**6, "SURELY_COMMON": 10**9},
    "walk": {"PROBE_LIMIT": 1},
    "estimate": {"SURELY_COMMON": -1, "FLOOR_MARGIN": 0},
}


@BOTH
@pytest.mark.parametrize("plan", list(PLANS))
def test_every_plan_finds_exactly_what_a_naive_scan_finds(
    rt: Any, world: dict[str, Any], factory: Any, monkeypatch: pytest.MonkeyPatch, plan: str
) -> None:
    """The search's result set equals the naive one for every query, whichever plan serves it
    (on SQLite the plan settings change nothing)."""
    factory.inbound(world["fb"], "캡슐에 곰팡이 같은 게 보여요", customer="c8", name="윤재호")
    factory.inbound(world["ig"], "Tracking number 123 does not work", customer="ig-2")
    for name, value in PLANS[plan].items():
        monkeypatch.setattr(inbox.search, name, value)
    queries = [*NAIVE_QUERIES, "곰팡", "곰팡이", "tracking number", "Tracking", "재호"]
    for q in queries:
        assert found(rt, world["admin"], q) == naive(rt, q), q
    assert any(naive(rt, q) for q in queries) and not all(naive(rt, q) for q in queries)
