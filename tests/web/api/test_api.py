"""REST API v1: auth, roles, inbox access, problem+json, paging, replies and changes."""

from __future__ import annotations

import pytest

from connectors.fake import FakeConnector

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"]
    return body


@pytest.fixture
def setup(factory):
    account = factory.account("facebook", external_id="page-1")
    other = factory.account("instagram", external_id="ig-1")
    conv = factory.inbound(
        account, "환불해주세요. 주문번호 2026111900221", customer="c1", name="이수진"
    )
    hidden = factory.inbound(other, "다른 인박스의 문의", customer="c2", name="박서연")
    admin = factory.user("admin")
    agent = factory.user("agent", inboxes=[account.id])
    marketer = factory.user("marketer")
    return {
        "conv": conv,
        "hidden": hidden,
        "admin": factory.token(admin),
        "agent": factory.token(agent),
        "marketer": factory.token(marketer),
        "account": account,
    }


def test_no_token_or_unknown_token_is_401(client, setup):
    assert_problem(client.get("/api/v1/conversations"), 401)
    assert_problem(client.get("/api/v1/conversations", headers=auth("sb_nope")), 401)


def test_marketer_may_not_work_conversations(client, setup):
    body = assert_problem(client.get("/api/v1/conversations", headers=auth(setup["marketer"])), 403)
    assert "marketer" in body["detail"]


def test_unknown_id_and_other_inbox_are_404(client, setup):
    assert_problem(client.get("/api/v1/conversations/999999", headers=auth(setup["agent"])), 404)
    hidden = setup["hidden"].id
    assert_problem(client.get(f"/api/v1/conversations/{hidden}", headers=auth(setup["agent"])), 404)
    assert (
        client.get(f"/api/v1/conversations/{hidden}", headers=auth(setup["admin"])).status_code
        == 200
    )


@BOTH
def test_agent_lists_only_their_inboxes_and_admin_sees_all(client, setup):
    agent = client.get("/api/v1/conversations", headers=auth(setup["agent"])).get_json()
    admin = client.get("/api/v1/conversations", headers=auth(setup["admin"])).get_json()
    assert [c["id"] for c in agent["data"]] == [setup["conv"].id]
    assert {c["id"] for c in admin["data"]} == {setup["conv"].id, setup["hidden"].id}


@BOTH
def test_cursor_paging_walks_every_conversation_once(client, factory, setup):
    for i in range(7):
        factory.inbound(setup["account"], f"문의 {i}", customer=f"p{i}")
    seen, cursor = [], None
    while True:
        url = "/api/v1/conversations?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=auth(setup["admin"])).get_json()
        seen += [c["id"] for c in page["data"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 9
    assert_problem(
        client.get("/api/v1/conversations?cursor=garbage", headers=auth(setup["admin"])), 400
    )


@BOTH
def test_filter_by_channel_status_and_korean_text(client, setup):
    h = auth(setup["admin"])
    ig = client.get("/api/v1/conversations?channel=instagram", headers=h).get_json()["data"]
    assert [c["id"] for c in ig] == [setup["hidden"].id]
    found = client.get("/api/v1/conversations?q=환불", headers=h).get_json()["data"]
    assert [c["id"] for c in found] == [setup["conv"].id]
    assert client.get("/api/v1/conversations?status=resolved", headers=h).get_json()["data"] == []


@BOTH
def test_reply_is_sent_and_note_is_not(rt, client, setup):
    h = auth(setup["agent"])
    cid = setup["conv"].id
    reply = client.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"text": "환불 접수했습니다."},
        headers={**h, "Idempotency-Key": "k-1"},
    )
    assert reply.status_code == 201 and reply.get_json()["status"] == "pending"
    again = client.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"text": "환불 접수했습니다."},
        headers={**h, "Idempotency-Key": "k-1"},
    )
    assert again.status_code == 200 and again.get_json()["id"] == reply.get_json()["id"]
    note = client.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"text": "물류팀 확인 필요", "private": True},
        headers=h,
    )
    assert note.status_code == 201 and note.get_json()["kind"] == "note"
    assert rt.jobs.drain()
    messages = client.get(f"/api/v1/conversations/{cid}/messages", headers=h).get_json()["data"]
    by_text = {m["text"]: m for m in messages}
    assert by_text["환불 접수했습니다."]["status"] == "sent"
    assert by_text["물류팀 확인 필요"]["status"] is None
    assert len(FakeConnector.outbox) == 1


def test_reply_refused_when_the_window_is_closed_or_text_is_bad(client, factory, setup):
    from datetime import UTC, datetime, timedelta

    account = factory.account("facebook", external_id="page-old", options={"window_hours": 24})
    old = factory.inbound(
        account, "예전 문의", customer="old", at=datetime.now(UTC) - timedelta(days=2)
    )
    h = auth(setup["admin"])
    body = assert_problem(
        client.post(
            f"/api/v1/conversations/{old.id}/messages", json={"text": "늦은 답"}, headers=h
        ),
        422,
    )
    assert "24 hours" in body["reason"]
    assert_problem(
        client.post(f"/api/v1/conversations/{old.id}/messages", json={"text": 5}, headers=h), 400
    )
    shown = client.get(f"/api/v1/conversations/{old.id}", headers=h).get_json()
    assert shown["reply_window"]["open"] is False


@BOTH
def test_patch_changes_are_recorded_in_the_thread(client, factory, setup):
    h = auth(setup["admin"])
    cid = setup["conv"].id
    agent_user = factory.user("agent", name="김미나", inboxes=[setup["account"].id])
    response = client.patch(
        f"/api/v1/conversations/{cid}",
        headers=h,
        json={
            "status": "resolved",
            "assignee_id": agent_user.id,
            "labels": ["환불", "VIP"],
            "priority": "high",
            "category": "refund-return",
        },
    )
    body = response.get_json()
    assert response.status_code == 200
    assert (body["status"], body["assignee_id"], body["priority"]) == (
        "resolved",
        agent_user.id,
        "high",
    )
    assert body["labels"] == ["VIP", "환불"]
    events = [
        m["text"]
        for m in client.get(f"/api/v1/conversations/{cid}/messages", headers=h).get_json()["data"]
        if m["kind"] == "event"
    ]
    assert any("resolved" in e for e in events) and any("김미나" in e for e in events)
    # Outside the document's enum: refused at the edge like any schema violation (issue 13).
    assert_problem(
        client.patch(f"/api/v1/conversations/{cid}", headers=h, json={"status": "bogus"}), 400
    )
    assert_problem(client.patch(f"/api/v1/conversations/{cid}", headers=h, json={"colour": 1}), 400)


@BOTH
def test_contact_merge(client, factory, setup):
    h = auth(setup["admin"])
    a = client.get(f"/api/v1/conversations/{setup['conv'].id}", headers=h).get_json()["contact"][
        "id"
    ]
    b = client.get(f"/api/v1/conversations/{setup['hidden'].id}", headers=h).get_json()["contact"][
        "id"
    ]
    merged = client.post(f"/api/v1/contacts/{a}/merge", json={"source_id": b}, headers=h)
    assert merged.status_code == 200
    assert {i["channel"] for i in merged.get_json()["identities"]} == {"facebook", "instagram"}
    contact = client.get(f"/api/v1/contacts/{a}", headers=h).get_json()
    assert len(contact["conversations"]) == 2
    assert_problem(
        client.post(f"/api/v1/contacts/{a}/merge", json={"source_id": b}, headers=h), 409
    )


def test_openapi_document_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in (
        "/conversations",
        "/conversations/{id}",
        "/conversations/{id}/messages",
        "/contacts/{id}",
        "/contacts/{id}/merge",
    ):
        assert path in spec["paths"]


def test_healthz_and_metrics(client):
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["checks"]["database"] == "ok"
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and b"switchboard_webhook_deliveries_total" in metrics.data
