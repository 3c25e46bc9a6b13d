"""REST API for auto-assignment, SLA policies, business hours and SLA clocks."""

from __future__ import annotations

import pytest

from tests.web.api.test_api import assert_problem, auth

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def setup(factory):
    account = factory.account("facebook", external_id="page-1")
    other = factory.account("instagram", external_id="ig-1")
    admin = factory.user("admin")
    agent = factory.user("agent", inboxes=[account.id], name="민아")
    return {
        "account": account,
        "other": other,
        "agent_user": agent,
        "admin": factory.token(admin),
        "agent": factory.token(agent),
    }


@BOTH
def test_admin_sets_assignment_policy_and_agents_see_the_queue(client, rt, factory, setup):
    account = setup["account"]
    url = f"/api/v1/inboxes/{account.id}/assignment"
    assert_problem(client.put(url, json={"enabled": True}, headers=auth(setup["agent"])), 403)
    assert_problem(client.put(url, json={"mode": "chaos"}, headers=auth(setup["admin"])), 400)
    too_many = {"agent_limits": {str(setup["agent_user"].id): 5000}}
    assert_problem(client.put(url, json=too_many, headers=auth(setup["admin"])), 422)
    body = client.put(
        url,
        json={"enabled": True, "capacity": 1, "mode": "least_open"},
        headers=auth(setup["admin"]),
    ).get_json()
    assert body["enabled"] and body["capacity"] == 1 and body["mode"] == "least_open"
    first = factory.inbound(account, "하나", customer="a")
    second = factory.inbound(account, "둘", customer="b")
    rt.jobs.drain()
    shown = client.get(url, headers=auth(setup["agent"])).get_json()
    assert shown["queue"] == [second.id]
    convo = client.get(f"/api/v1/conversations/{first.id}", headers=auth(setup["agent"]))
    assert convo.get_json()["assignee_id"] == setup["agent_user"].id
    other = setup["other"].id
    assert_problem(
        client.get(f"/api/v1/inboxes/{other}/assignment", headers=auth(setup["agent"])), 404
    )


@BOTH
def test_sla_policy_business_hours_and_clock(client, rt, factory, setup):
    admin = auth(setup["admin"])
    assert_problem(client.post("/api/v1/sla/policies", json={"name": "x"}, headers=admin), 422)
    created = client.post(
        "/api/v1/sla/policies",
        json={"name": "Standard", "first_response_minutes": 30, "warn_minutes": 5},
        headers=admin,
    )
    assert created.status_code == 201
    policy = created.get_json()
    assert policy["priority"] == "any" and policy["first_response_minutes"] == 30
    changed = client.put(
        f"/api/v1/sla/policies/{policy['id']}", json={"resolution_minutes": 600}, headers=admin
    ).get_json()
    assert changed["first_response_minutes"] == 30 and changed["resolution_minutes"] == 600
    hours = client.post(
        "/api/v1/business-hours",
        json={"name": "24/7", "always_open": True, "import_kr_holidays": True},
        headers=admin,
    )
    assert hours.status_code == 201 and "2026-02-17" in hours.get_json()["holidays"]
    kr = client.get("/api/v1/business-hours/holidays/kr", headers=auth(setup["agent"]))
    assert any(h["date"] == "2027-09-15" for h in kr.get_json()["items"])
    conversation = factory.inbound(setup["account"], "문의", customer="c")
    rt.jobs.drain()
    clock = client.get(
        f"/api/v1/conversations/{conversation.id}/sla", headers=auth(setup["agent"])
    ).get_json()
    assert clock["target"] == "first_response" and clock["state"] == "ok"
    assert 0 < clock["seconds_left"] <= 30 * 60
    deleted = client.delete(f"/api/v1/sla/policies/{policy['id']}", headers=admin)
    assert deleted.status_code == 204


def test_openapi_lists_the_workflow_paths(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/inboxes/{id}/assignment",
        "/sla/policies",
        "/sla/policies/{id}",
        "/business-hours",
        "/conversations/{id}/sla",
        "/rules",
        "/rules/{id}",
    ):
        assert path in spec["paths"], path
    assert "AssignmentPolicy" in spec["components"]["schemas"]


@BOTH
def test_rules_api_creates_orders_and_refuses_bad_rules(client, rt, factory, setup):
    admin = auth(setup["admin"])
    assert_problem(client.get("/api/v1/rules", headers=auth(setup["agent"])), 403)
    assert_problem(
        client.post(
            "/api/v1/rules",
            json={"name": "x", "trigger": "customer_message", "actions": [{"type": "explode"}]},
            headers=admin,
        ),
        400,  # the OpenAPI schema (enforced at the edge) lists the action types
    )
    assert_problem(
        client.post(
            "/api/v1/rules",
            json={
                "name": "x",
                "trigger": "customer_message",
                "conditions": [{"field": "text", "op": "regex", "value": "("}],
                "actions": [{"type": "resolve"}],
            },
            headers=admin,
        ),
        422,
    )
    assert_problem(
        client.post("/api/v1/rules", json={"name": "x", "conditions": "nope"}, headers=admin), 400
    )
    created = client.post(
        "/api/v1/rules",
        json={
            "name": "환불 라벨",
            "trigger": "customer_message",
            "conditions": [{"field": "text", "op": "contains", "value": "환불"}],
            "actions": [{"type": "add_label", "value": "환불"}],
        },
        headers=admin,
    )
    assert created.status_code == 201, created.get_json()
    rule = created.get_json()
    assert rule["position"] == 1 and rule["enabled"]
    moved = client.put(
        f"/api/v1/rules/{rule['id']}", json={"position": 5, "stop_processing": True}, headers=admin
    ).get_json()
    assert moved["position"] == 5 and moved["stop_processing"] and moved["name"] == "환불 라벨"
    conversation = factory.inbound(setup["account"], "환불 부탁드립니다", customer="z")
    rt.jobs.drain()
    shown = client.get(f"/api/v1/conversations/{conversation.id}", headers=admin).get_json()
    assert shown["labels"] == ["환불"]
    listed = client.get("/api/v1/rules", headers=admin).get_json()["items"]
    assert [r["id"] for r in listed] == [rule["id"]]
    assert client.delete(f"/api/v1/rules/{rule['id']}", headers=admin).status_code == 204
