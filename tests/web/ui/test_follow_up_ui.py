"""Resolution summary and follow-up from the thread's resolve form, the admin's category
rules page, and the same fields over the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from inbox import csat
from inbox.conversations import Change, apply_change, wake_snoozed
from inbox.models import Conversation
from inbox.models.reports import CsatSurvey
from switchboard.runtime import Runtime
from tests.web.ui.conftest import form_token, inbound, login

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@BOTH
def test_category_rule_makes_the_summary_required_in_the_resolve_form(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    conversation = inbound(rt, team_setup["a"], "환불해주세요", customer="s1")
    path = f"/inbox/c/{conversation.id}"
    login(client, "admin@example.test")
    token = form_token(client, "/admin/categories")
    client.post("/admin/categories", data={"csrf_token": token, "required": "refund-return"})
    assert 'value="refund-return" aria-label="반품·환불" checked' in client.get(
        "/admin/categories"
    ).get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token})
    login(client, "mina@example.test")
    token = form_token(client, path)
    client.post(f"{path}/update", data={"csrf_token": token, "category": "refund-return"})
    html = client.get(path).get_data(as_text=True)
    assert 'id="resolve-summary"' in html and "required>" in html.split('id="resolve-summary"')[1]
    refused = client.post(
        f"{path}/update",
        data={"csrf_token": token, "status": "resolved", "summary": ""},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "처리 내용(해결 요약)을 적어야 해결할 수 있습니다" in refused  # in Korean
    client.post(
        f"{path}/update",
        data={
            "csrf_token": token,
            "status": "resolved",
            "summary": "부분 환불 처리",
            "follow_up_days": "7",
            "follow_up_task": "환불 입금 확인",
        },
    )
    with rt.db.session() as session:
        row = session.get(Conversation, conversation.id)
        assert row is not None
        assert (row.status, row.resolution_summary) == ("snoozed", "부분 환불 처리")
        assert row.follow_up_task == "환불 입금 확인"
    html = client.get(path).get_data(as_text=True)
    assert 'id="conv-follow-up"' in html and "환불 입금 확인" in html
    bad = client.post(
        f"{path}/update",
        data={"csrf_token": token, "status": "resolved", "summary": "x", "follow_up_days": "a"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "일 단위 정수" in bad  # the Korean UI says so


@BOTH
def test_follow_up_over_the_api(
    client: Any, rt: Runtime, factory: Any, team_setup: dict[str, Any]
) -> None:
    conversation = inbound(rt, team_setup["a"], "배송 문의", customer="s2")
    token = factory.token(team_setup["agent"])
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/conversations/{conversation.id}"
    wrong = client.patch(url, json={"status": "resolved", "follow_up_days": "2"}, headers=headers)
    assert wrong.status_code == 400  # the edge checks the body against the OpenAPI schema
    early = client.patch(url, json={"status": "pending", "follow_up_days": 2}, headers=headers)
    assert early.status_code == 422 and "when resolving" in early.get_json()["detail"]
    done = client.patch(
        url,
        json={"status": "resolved", "follow_up_days": 2, "resolution_summary": "안내함"},
        headers=headers,
    )
    assert done.status_code == 200 and done.get_json()["status"] == "snoozed"


@BOTH
def test_admin_sets_csat_per_inbox(client: Any, rt: Runtime, team_setup: dict[str, Any]) -> None:
    from inbox import csat_schedule
    from inbox.models import ChannelAccount

    login(client, "mina@example.test")
    assert client.get("/admin/csat").status_code == 403
    client.post("/logout")
    login(client, "admin@example.test")
    token = form_token(client, "/admin/csat")
    account_id = team_setup["a"].id
    form = {
        "csrf_token": token,
        "enabled": "1",
        "delay_minutes": "15",
        "quiet_start": "21:00",
        "quiet_end": "09:00",
        "timezone": "Asia/Seoul",
    }
    client.post(f"/admin/csat/{account_id}", data=form)
    with rt.db.session() as session:
        account = session.get(ChannelAccount, account_id)
        assert account is not None
        config = csat_schedule.config_of(account)
        assert (config.enabled, config.delay_minutes, str(config.quiet_start)) == (
            True,
            15,
            "21:00:00",
        )
    refused = client.post(
        f"/admin/csat/{account_id}", data={**form, "timezone": "Mars/Base"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Mars/Base" in refused
    assert f'id="csat-{account_id}"' in refused


def test_csat_and_follow_up_lines_read_in_korean(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    """The thread's CSAT and follow-up lines are stored in English like every system event
    and shown in the agent's language (they were English in the Korean UI)."""
    conversation = inbound(rt, team_setup["a"], "환불 언제 되나요", customer="k1")
    now = datetime.now(UTC)
    with rt.db.session() as session:
        row = session.get(Conversation, conversation.id)
        assert row is not None
        apply_change(
            session,
            row,
            Change(
                status="resolved",
                resolution_summary="부분 환불 처리",
                follow_up_days=1,
                follow_up_task="입금 확인",
            ),
            actor=None,
        )
    with rt.db.session() as session:
        assert wake_snoozed(session, now + timedelta(days=2)) == 1
    with rt.db.session() as session:
        row = session.get(Conversation, conversation.id)
        assert row is not None
        row.status = "resolved"
        survey = CsatSurvey(conversation_id=row.id, status="sent", due_at=now, sent_at=now)
        session.add(survey)
        session.flush()
        csat.answer(session, row, survey, 4, now)
        csat.add_comment(session, row, survey, "친절했어요", now)
    login(client, "mina@example.test")
    html = client.get(f"/inbox/c/{conversation.id}").get_data(as_text=True)
    for line in (
        "처리 내용(해결 요약): 부분 환불 처리 · 시스템",
        "후속 조치 예약: 입금 확인 · 시스템",
        "후속 조치할 때입니다: 입금 확인",
        "고객 만족도 평가 4/5",
        "만족도 의견: 친절했어요",
    ):
        assert line in html, line
    assert "Customer rated" not in html and "CSAT comment" not in html
