"""Reports views read what the sweeper rolled up: within REPORTS_STALE_SECONDS a view does not
roll up (a change waits for the next sweep), past it a view rolls up itself; the page and the
API say when the figures were rolled up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from inbox.models import User, utcnow
from inbox.models.reports import ReportState
from switchboard.runtime import Runtime
from tests.web.ui.conftest import inbound, login
from workers.reports import roll_up_reports
from workers.sweep import sweep

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def _volume(client: Any) -> str:
    html = client.get("/reports/?tz=UTC").get_data(as_text=True)
    return html.split('id="kpi-volume"', 1)[1].split("<strong>", 1)[1].split("</strong>", 1)[0]


def _refreshed_at(rt: Runtime) -> Any:
    with rt.db.session() as session:
        state = session.get(ReportState, 1)
        assert state is not None
        return state.refreshed_at


def _age(rt: Runtime, seconds: int) -> None:
    """The last roll-up happened `seconds` ago (no sweeper ran since)."""
    with rt.db.session() as session:
        session.execute(
            update(ReportState).values(refreshed_at=utcnow() - timedelta(seconds=seconds))
        )


@BOTH
def test_a_view_reads_the_sweepers_roll_up_and_rolls_up_itself_only_when_stale(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    inbound(rt, team_setup["a"], "환불 문의", customer="f1")
    login(client, "admin@example.test")
    assert _volume(client) == "1"  # no roll-up yet: the first view builds it
    rolled = _refreshed_at(rt)

    inbound(rt, team_setup["a"], "배송 문의", customer="f2")
    assert _volume(client) == "1"  # within REPORTS_STALE_SECONDS (90): read, not rolled up
    assert _refreshed_at(rt) == rolled
    assert client.get("/reports/export.csv?table=summary").text.count("\n") >= 1
    assert _refreshed_at(rt) == rolled  # nor by the CSV

    assert sweep()["reports_hours"] >= 1  # the sweeper rolls up
    assert _volume(client) == "2"

    inbound(rt, team_setup["b"], "주문 문의", customer="f3")
    _age(rt, 60)
    assert _volume(client) == "2"  # a minute old is still fresh enough
    _age(rt, 91)  # no sweeper for longer than the bound: the view rolls up itself
    assert _volume(client) == "3"
    assert utcnow() - _refreshed_at(rt) < timedelta(seconds=60)


@BOTH
def test_the_sweep_step_rolls_up_only_what_changed(rt: Runtime, team_setup: dict[str, Any]) -> None:
    inbound(rt, team_setup["a"], "환불 문의", customer="s1")
    assert roll_up_reports() >= 1  # the first run builds every hour
    with rt.db.session() as session:
        state = session.get(ReportState, 1)
        assert state is not None
        version = state.version
    inbound(rt, team_setup["a"], "환불 문의", customer="s2")
    assert roll_up_reports() == 1  # the hour of the new conversation
    with rt.db.session() as session:
        state = session.get(ReportState, 1)
        assert state is not None and state.version != version


@BOTH
def test_the_page_and_the_api_say_when_the_figures_were_rolled_up(
    client: Any, rt: Runtime, factory: Any, team_setup: dict[str, Any]
) -> None:
    inbound(rt, team_setup["a"], "환불 문의", customer="t1")
    with rt.db.session() as session:
        session.execute(
            update(User).where(User.id == team_setup["admin"].id).values(timezone="America/Lima")
        )
    roll_up_reports()
    _age(rt, 30)
    rolled = _refreshed_at(rt)
    token = factory.token(team_setup["admin"])
    body = client.get("/api/v1/reports", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["as_of"] == rolled.isoformat()  # the sweeper's roll-up, not a new one
    assert _refreshed_at(rt) == rolled
    login(client, "admin@example.test")
    html = client.get("/reports/?tz=UTC").get_data(as_text=True)
    local = rolled.astimezone(ZoneInfo("America/Lima")).strftime("%H:%M")  # the viewer's zone
    assert f'<time datetime="{rolled.isoformat()}">{local}</time>' in html
    assert "집계 시각" in html
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "as_of" in spec["components"]["schemas"]["Report"]["properties"]
