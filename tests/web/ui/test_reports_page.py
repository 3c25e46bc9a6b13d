"""The reports page, its CSV downloads and the reports API: admins only, figures from the
roll-up, dates and time zone from the request."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from inbox.conversations import Change, apply_change
from inbox.models import Conversation
from switchboard.runtime import Runtime
from tests.web.ui.conftest import inbound, login

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def _resolved(rt: Runtime, account: Any, customer: str) -> Conversation:
    conversation = inbound(rt, account, "환불 문의", customer=customer)
    with rt.db.session() as session:
        row = session.get(Conversation, conversation.id)
        assert row is not None
        apply_change(session, row, Change(category="refund", status="resolved"), actor=None)
    return conversation


@BOTH
def test_admin_sees_figures_agents_do_not(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    _resolved(rt, team_setup["a"], "r1")
    inbound(rt, team_setup["b"], "배송 문의", customer="r2")
    login(client, "mina@example.test")
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/export.csv").status_code == 403
    client.post("/logout")
    login(client, "admin@example.test")
    html = client.get("/reports/?tz=UTC").get_data(as_text=True)
    assert 'id="kpi-volume"' in html and "<strong>2</strong>" in html
    assert "<svg" in html and 'class="bar"' in html and "style=" not in html
    assert "refund" in html and "<bdi>Facebook</bdi>" in html  # the declared display name
    assert "리포트" in html  # Korean by default
    agents = html.split('id="by-agent"', 1)[1].split("</section>", 1)[0]
    assert "재문의율" in agents and 'id="people-link"' in html  # means here, spreads there
    people = client.get("/reports/people?tz=UTC").get_data(as_text=True)
    agents = people.split('id="by-agent"', 1)[1].split("</section>", 1)[0]
    assert "p90" in agents and 'class="csat-dist"' in agents and "재문의율" in agents
    assert "style=" not in people
    rows = list(csv.reader(io.StringIO(client.get("/reports/export.csv?table=inboxes").text)))
    assert rows[0][:3] == ["key", "name", "conversations"]
    assert sorted((r[1], r[2]) for r in rows[1:]) == [
        ("facebook test", "1"),
        ("instagram test", "1"),
    ]
    assert client.get("/reports/export.csv?table=nope").status_code == 400
    flashed = client.get("/reports/?tz=Mars/Olympus", follow_redirects=True).get_data(as_text=True)
    assert "알 수 없는 시간대" in flashed and "Mars/Olympus" in flashed  # the Korean UI


@BOTH
def test_reports_api_for_admin_tokens(
    client: Any, rt: Runtime, factory: Any, team_setup: dict[str, Any]
) -> None:
    _resolved(rt, team_setup["a"], "r3")
    admin = factory.token(team_setup["admin"])
    agent = factory.token(team_setup["agent"])
    denied = client.get("/api/v1/reports", headers={"Authorization": f"Bearer {agent}"})
    assert denied.status_code == 403
    bad = client.get("/api/v1/reports?start=soon", headers={"Authorization": f"Bearer {admin}"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.get_json()["detail"]
    body = client.get(
        "/api/v1/reports?tz=Asia/Seoul", headers={"Authorization": f"Bearer {admin}"}
    ).get_json()
    assert body["period"]["tz"] == "Asia/Seoul"
    assert body["summary"]["conversations"] == 1 and body["summary"]["resolved"] == 1
    assert body["tables"]["categories"][0]["key"] == "refund"
    assert body["tables"]["channels"][0]["name"] == "Facebook"
    before = client.get(  # a date range without it: nothing, and the range is echoed
        "/api/v1/reports?start=2020-01-01&end=2020-01-31&tz=UTC",
        headers={"Authorization": f"Bearer {admin}"},
    ).get_json()
    assert before["period"] == {"start": "2020-01-01", "end": "2020-01-31", "tz": "UTC"}
    assert before["summary"]["conversations"] == 0 and before["tables"]["agents"] == []
    (nobody,) = body["tables"]["agents"]  # per agent: the spreads and the CSAT distribution
    assert {"resolution_median_s", "resolution_p90_s", "reopen_rate", "csat_5"} <= set(nobody)
    assert nobody["conversations"] == 1 and nobody["resolution_median_s"] is not None
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/reports" in spec["paths"] and "Report" in spec["components"]["schemas"]
