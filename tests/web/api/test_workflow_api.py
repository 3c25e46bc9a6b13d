"""REST API for issue 15's notifications and outgoing webhooks (SQLite and PostgreSQL)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from switchboard.runtime import Runtime
from tests.support.receiver import receiver

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    return {"WEBHOOK_RETRY_SCHEDULE": "0.05,0.05", "WEBHOOK_ALLOW_HOSTS": "127.0.0.1"}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def settle(rt: Runtime) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rt.jobs.drain()
        if not rt.jobs.pending():  # type: ignore[attr-defined]
            return
        time.sleep(0.02)
    raise AssertionError("jobs did not settle")


@BOTH
def test_notifications_list_read_and_settings(client: Any, factory: Any) -> None:
    account = factory.account()
    mina = factory.user(inboxes=[account.id], name="Mina")
    boss = factory.user("admin", name="Boss")
    conv = factory.inbound(account, "문의")
    boss_token, mina_token = factory.token(boss), factory.token(mina)
    client.patch(
        f"/api/v1/conversations/{conv.id}", json={"assignee_id": mina.id}, headers=auth(boss_token)
    )
    client.post(
        f"/api/v1/conversations/{conv.id}/messages",
        json={"text": "@Mina 확인해 주세요", "private": True},
        headers=auth(boss_token),
    )
    body = client.get("/api/v1/notifications", headers=auth(mina_token)).get_json()
    assert body["unread"] == 2
    assert [n["kind"] for n in body["data"]] == ["mentioned", "assigned"]
    assert body["data"][0]["conversation_id"] == conv.id
    # Someone else's notifications are not reachable; an id list marks only the caller's.
    assert client.get("/api/v1/notifications", headers=auth(boss_token)).get_json()["data"] == []
    marked = client.post(
        "/api/v1/notifications/read",
        json={"ids": [body["data"][0]["id"]]},
        headers=auth(boss_token),
    )
    assert marked.get_json() == {"marked": 0}
    marked = client.post("/api/v1/notifications/read", json={}, headers=auth(mina_token))
    assert marked.get_json() == {"marked": 2}
    unread = client.get("/api/v1/notifications?unread=1", headers=auth(mina_token)).get_json()
    assert unread == {"data": [], "unread": 0}
    assert client.get("/api/v1/notifications/settings", headers=auth(mina_token)).get_json() == {
        "email": False
    }
    put = client.put(
        "/api/v1/notifications/settings", json={"email": True}, headers=auth(mina_token)
    )
    assert put.get_json() == {"email": True}
    bad = client.put(
        "/api/v1/notifications/settings", json={"email": "yes"}, headers=auth(mina_token)
    )
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"


@BOTH
def test_webhooks_admin_only_crud_log_and_redeliver(client: Any, rt: Runtime, factory: Any) -> None:
    account = factory.account()
    admin = factory.token(factory.user("admin"))
    agent = factory.token(factory.user(inboxes=[account.id]))
    conv = factory.inbound(account, "문의")
    assert client.get("/api/v1/webhooks", headers=auth(agent)).status_code == 403
    refused = client.post(
        "/api/v1/webhooks",
        json={"name": "x", "url": "mailto:a@b", "event_types": ["message.created"]},
        headers=auth(admin),
    )
    assert refused.status_code == 422
    with receiver(500) as hook:
        created = client.post(
            "/api/v1/webhooks",
            json={"name": "CRM", "url": hook.url, "event_types": ["conversation.resolved"]},
            headers=auth(admin),
        )
        assert created.status_code == 201
        sub = created.get_json()
        assert sub["secret"].startswith("whsec_") and sub["active"] is True
        shown = client.get(f"/api/v1/webhooks/{sub['id']}", headers=auth(admin)).get_json()
        assert "secret" not in shown  # shown once, on creation only
        client.patch(
            f"/api/v1/conversations/{conv.id}", json={"status": "resolved"}, headers=auth(admin)
        )
        settle(rt)
        log = client.get(f"/api/v1/webhooks/{sub['id']}/deliveries", headers=auth(admin))
        [delivery] = log.get_json()["data"]
        assert delivery["status"] == "delivered"
        assert [a["status_code"] for a in delivery["attempts"]] == [500, 200]
        again = client.post(
            f"/api/v1/webhook-deliveries/{delivery['id']}/redeliver", headers=auth(admin)
        )
        assert again.status_code == 202
        ping = client.post(f"/api/v1/webhooks/{sub['id']}/ping", headers=auth(admin))
        assert ping.status_code == 202
        settle(rt)
    log = client.get(f"/api/v1/webhooks/{sub['id']}/deliveries", headers=auth(admin)).get_json()
    assert [(d["event_type"], d["status"]) for d in log["data"]] == [
        ("ping", "delivered"),
        ("conversation.resolved", "delivered"),
        ("conversation.resolved", "delivered"),
    ]
    assert log["data"][1]["redelivery_of"] == delivery["id"]
    assert len(hook.requests) == 4
    patched = client.patch(
        f"/api/v1/webhooks/{sub['id']}",
        json={"active": False, "rotate_secret": True},
        headers=auth(admin),
    ).get_json()
    assert patched["active"] is False and patched["secret"] != sub["secret"]
    assert patched["secret"].startswith("whsec_")
    renamed = client.patch(
        f"/api/v1/webhooks/{sub['id']}", json={"name": "CRM 2"}, headers=auth(admin)
    ).get_json()
    assert renamed["name"] == "CRM 2" and "secret" not in renamed
    assert client.delete(f"/api/v1/webhooks/{sub['id']}", headers=auth(admin)).status_code == 204
    assert client.get(f"/api/v1/webhooks/{sub['id']}", headers=auth(admin)).status_code == 404


def test_openapi_lists_the_new_paths(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/notifications",
        "/notifications/read",
        "/notifications/settings",
        "/webhooks",
        "/webhooks/{id}",
        "/webhooks/{id}/deliveries",
        "/webhook-deliveries/{id}/redeliver",
    ):
        assert path in paths


@BOTH
def test_bulk_views_and_macros_over_the_api(client: Any, rt: Runtime, factory: Any) -> None:
    a, b = factory.account(), factory.account("instagram")
    mina = factory.user(inboxes=[a.id], name="Mina")
    token = factory.token(mina)
    mine = [factory.inbound(a, f"문의 {i}", customer=f"c{i}").id for i in range(2)]
    hidden = factory.inbound(b, "다른 곳", customer="x").id
    result = client.post(
        "/api/v1/conversations/bulk",
        json={"ids": [*mine, hidden], "assignee_id": mina.id, "add_labels": ["배송"]},
        headers=auth(token),
    ).get_json()
    assert result == {"changed": mine, "unchanged": [], "skipped": [hidden]}
    listed = client.get("/api/v1/conversations?label=배송", headers=auth(token)).get_json()
    assert sorted(c["id"] for c in listed["data"]) == mine
    bad = client.post("/api/v1/conversations/bulk", json={"ids": "1"}, headers=auth(token))
    assert bad.status_code == 400

    view = client.post(
        "/api/v1/views", json={"name": "배송", "query": {"label": "배송"}}, headers=auth(token)
    )
    assert view.status_code == 201
    assert [
        v["name"] for v in client.get("/api/v1/views", headers=auth(token)).get_json()["data"]
    ] == ["배송"]
    assert (
        client.delete(f"/api/v1/views/{view.get_json()['id']}", headers=auth(token)).status_code
        == 204
    )

    macro = client.post(
        "/api/v1/macros",
        json={
            "name": "해결",
            "actions": {"status": "resolved", "remove_labels": ["배송"]},
            "reply": "{{contact_name}}님 확인했습니다",
            "reply_private": True,
        },
        headers=auth(token),
    ).get_json()
    ran = client.post(
        f"/api/v1/conversations/{mine[0]}/macros/{macro['id']}", headers=auth(token)
    ).get_json()
    assert ran["conversation"]["status"] == "resolved"
    assert ran["conversation"]["labels"] == []
    assert ran["message"]["private"] is True and ran["message"]["text"].endswith("님 확인했습니다")
    assert (
        client.post(
            f"/api/v1/conversations/{hidden}/macros/{macro['id']}", headers=auth(token)
        ).status_code
        == 404
    )
    refused = client.post(
        "/api/v1/macros", json={"name": "x", "actions": {"nope": 1}}, headers=auth(token)
    )
    assert refused.status_code == 422


@BOTH
def test_merge_split_and_undo_over_the_api(client: Any, factory: Any) -> None:
    a, b = factory.account(), factory.account("instagram")
    mina = factory.user(inboxes=[a.id], name="Mina")
    token = factory.token(mina)
    first = factory.inbound(a, "첫 문의", customer="c1", thread="t1")
    second = factory.inbound(a, "두 번째", customer="c1", thread="t2")
    other = factory.inbound(a, "다른 고객", customer="c2")
    hidden = factory.inbound(b, "다른 인박스", customer="c1")
    refused = client.post(
        f"/api/v1/conversations/{first.id}/merge", json={"other_id": other.id}, headers=auth(token)
    )
    assert refused.status_code == 409
    assert (
        client.post(
            f"/api/v1/conversations/{first.id}/merge",
            json={"other_id": hidden.id},
            headers=auth(token),
        ).status_code
        == 404
    )
    merged = client.post(
        f"/api/v1/conversations/{first.id}/merge", json={"other_id": second.id}, headers=auth(token)
    ).get_json()
    assert merged["conversation"]["id"] == second.id
    texts = [
        m["text"]
        for m in client.get(
            f"/api/v1/conversations/{second.id}/messages", headers=auth(token)
        ).get_json()["data"]
        if m["kind"] != "event"
    ]
    assert texts == ["첫 문의", "두 번째"]
    undone = client.post(f"/api/v1/audit/{merged['audit_id']}/undo", headers=auth(token))
    assert undone.get_json()["conversation"]["id"] == first.id
    again = client.post(f"/api/v1/audit/{merged['audit_id']}/undo", headers=auth(token))
    assert again.status_code == 409
    factory.inbound(a, "추가 문의", customer="c1", thread="t2")
    rows = client.get(f"/api/v1/conversations/{second.id}/messages", headers=auth(token))
    last = [m for m in rows.get_json()["data"] if m["kind"] != "event"][-1]
    split = client.post(f"/api/v1/messages/{last['id']}/split", headers=auth(token)).get_json()
    assert split["conversation"]["id"] not in (first.id, second.id)
    assert split["conversation"]["status"] == "open"
