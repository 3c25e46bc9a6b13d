"""The fresh claim lane (issue 12): new deliveries jump a backlog, never ahead of their own
customer's older ones.

Embedded tests run on SQLite and PostgreSQL; the racing test needs PostgreSQL's row locks.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from inbox.models import InboundDelivery, Message
from inbox.ordering import delivery_route, ordering_key
from tests.support.factory import fake_delivery, fake_message
from workers.ingest import drain, drain_fresh, ingest_batch

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
T0 = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)


def at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def store(rt, *events, raw: bytes | None = None) -> int:
    """Stored as the webhook stores it: with its ordering key."""
    body, headers = fake_delivery("page-1", *events)
    body = raw or body
    route = delivery_route(rt.connector_by_slug("fake"), headers, body)
    with rt.db.session() as s:
        row = InboundDelivery(
            endpoint="fake", connector="fake", headers=headers, body=body, route=route
        )
        s.add(row)
        s.flush()
        return row.id


def backlog(rt, n: int, customers: int = 10) -> list[int]:
    return [
        store(rt, fake_message(f"b-{i}", f"밀린 {i}", customer=f"c{i % customers}", at=at(i)))
        for i in range(n)
    ]


def status(rt, delivery_id: int) -> str:
    with rt.db.session() as s:
        return s.get(InboundDelivery, delivery_id).status


def message_ids(rt) -> dict[str, int]:
    with rt.db.session() as s:
        return dict(s.execute(select(Message.external_id, Message.id)).all())


def test_ordering_key_names_the_one_customer_a_delivery_is_about(rt):
    connector = rt.connector_by_slug("fake")
    route = lambda *events: delivery_route(connector, {}, fake_delivery("page-1", *events)[0])  # noqa: E731
    one = route(fake_message("m-1", "a", customer="c1"))
    assert one is not None and "c1" in one and "page-1" in one
    first, same, other = (
        fake_message("m-1", "a", customer="c1"),
        fake_message("m-2", "b", customer="c1"),
        fake_message("m-3", "c", customer="c2"),
    )
    assert route(first, same) == one
    assert route(first, other) is None
    receipt = {"type": "read", "id": "r-1", "targets": ["x"], "at": at(0)}
    assert route(receipt) == ""  # about nobody: order-free
    assert route(receipt, fake_message("m-1", "a", customer="c1")) == one
    edit_without_author = {"type": "edited", "id": "e-1", "targets": ["m-1"], "at": at(0)}
    assert route(edit_without_author) is None  # could be about anyone: keeps its place
    assert delivery_route(connector, {}, b"{not json") is None
    assert ordering_key([]) == ""


@BOTH
def test_a_new_customer_jumps_the_backlog_in_the_next_batch(rt, factory):
    factory.account(external_id="page-1")
    old = backlog(rt, 30)
    fresh = store(rt, fake_message("new-1", "지금 봐 주세요", customer="new", at=at(100)))
    taken = ingest_batch(10, fresh=2)
    assert fresh in taken  # not behind the 30 waiting ones
    assert [i for i in taken if i != fresh] == old[:10]  # then a batch of the oldest
    assert status(rt, fresh) == "processed"
    assert drain() == 30 - 10
    assert {status(rt, i) for i in old} == {"processed"}  # the backlog is not starved


@BOTH
def test_a_customer_with_older_waiting_deliveries_keeps_their_order(rt, factory):
    factory.account(external_id="page-1")
    old = backlog(rt, 30)  # c0 … c9, three each
    again = store(rt, fake_message("c3-late", "또 왔어요", customer="c3", at=at(100)))
    edit = store(
        rt,
        {"type": "edited", "id": "e-1", "targets": ["b-3"], "text": "고친 글", "at": at(101),
         "from": {"id": "c3"}},
    )  # fmt: skip
    taken = ingest_batch(10, fresh=5)
    assert again not in taken and edit not in taken  # c3's older ones still wait
    assert drain() == 30 + 2 - 10
    ids = message_ids(rt)
    assert ids["b-3"] < ids["b-13"] < ids["b-23"] < ids["c3-late"]  # c3's thread in order
    with rt.db.session() as s:  # the edit found its message: applied, not "never saw"
        edited = s.scalars(select(Message.text).where(Message.external_id == "b-3")).one()
        assert edited == "고친 글"
        assert s.get(InboundDelivery, edit).reason is None
    assert {status(rt, i) for i in old} == {"processed"}


@BOTH
def test_an_unknown_route_holds_every_newer_delivery_of_its_connector(rt, factory):
    factory.account(external_id="page-1")
    backlog(rt, 20)
    mixed = store(
        rt,
        fake_message("mix-1", "둘", customer="p1", at=at(50)),
        fake_message("mix-2", "셋", customer="p2", at=at(51)),
    )
    newer = store(rt, fake_message("p1-next", "나중", customer="p1", at=at(60)))
    receipt = store(rt, {"type": "read", "id": "r-1", "targets": ["none"], "at": at(61)})
    with rt.db.session() as s:
        assert s.get(InboundDelivery, mixed).route is None
    taken = ingest_batch(5, fresh=3)
    assert mixed not in taken and newer not in taken  # they keep their place in line
    assert receipt in taken  # order-free: it may jump
    drain()
    ids = message_ids(rt)
    assert ids["mix-1"] < ids["p1-next"]


@BOTH
def test_fresh_lane_off_is_strictly_oldest_first(rt, factory):
    factory.account(external_id="page-1")
    old = backlog(rt, 12)
    fresh = store(rt, fake_message("new-1", "새 글", customer="new", at=at(100)))
    assert ingest_batch(5, fresh=0) == old[:5]
    assert fresh not in ingest_batch(5, fresh=0)


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_racing_drains_with_fresh_lanes_store_each_message_once(rt, factory):
    factory.account(external_id="page-1")
    total = 400
    for i in range(total):
        # Every message twice (a provider's redelivery), 40 customers.
        store(rt, fake_message(f"r-{i % 200}", f"경합 {i}", customer=f"c{i % 200 % 40}"))
    barrier = threading.Barrier(4)
    taken: list[list[int]] = [[] for _ in range(3)]
    errors: list[BaseException] = []
    arrived = threading.Event()

    def arrive() -> None:  # new customers' messages while the backlog drains
        barrier.wait()
        for i in range(60):
            store(rt, fake_message(f"f-{i}", "새 글", customer=f"f{i % 7}"))
        arrived.set()

    def work(n: int) -> None:
        barrier.wait()
        try:
            while (batch := ingest_batch(23, fresh=6)) or not arrived.is_set():
                taken[n].extend(batch)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=arrive)]
    threads += [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    drain()
    assert errors == []
    every = [i for batch in taken for i in batch]
    assert len(every) == len(set(every))  # none twice
    assert sum(1 for batch in taken if batch) > 1  # the racers really shared the work
    with rt.db.session() as s:
        waiting = s.scalars(select(InboundDelivery.id).where(InboundDelivery.status != "processed"))
        assert list(waiting) == []  # none skipped
        assert s.scalar(select(Message.id).where(Message.external_id == "f-59")) is not None
        stored = s.scalars(select(Message.external_id)).all()
    assert len(stored) == len(set(stored)) == 200 + 60


@BOTH
def test_the_fresh_drainer_takes_only_what_may_jump(rt, factory):
    factory.account(external_id="page-1")
    old = backlog(rt, 30, customers=5)
    fresh = [store(rt, fake_message(f"new-{i}", "새 글", customer=f"new{i}")) for i in range(3)]
    late = store(rt, fake_message("c1-late", "또", customer="c1"))
    # The worker's fresh thread: the new customers, and each waiting customer's first
    # delivery (nothing of theirs is older), never a customer's second one.
    assert drain_fresh() == 3 + 5
    assert {status(rt, i) for i in [*fresh, *old[:5]]} == {"processed"}
    assert {status(rt, i) for i in [*old[5:], late]} == {"received"}
    assert drain(fresh=0) == 26  # the bulk drainers: the rest, oldest first
    ids = message_ids(rt)
    assert ids["b-1"] < ids["b-6"] < ids["b-11"] < ids["c1-late"]
