"""The composer's reply path: unfilled canned-response variables are refused, server side."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.fake import FakeConnector
from inbox.canned import unfilled
from inbox.models import Message, User
from inbox.users import update_user
from switchboard.runtime import Runtime
from tests.web.ui.conftest import form_token, inbound, login


def test_unfilled_names_each_variable_once_in_order() -> None:
    text = "{{contact_name}}님, 주문 {{ order_number }} · {{Order_No}} {{order_number}} {{1}}"
    assert unfilled(text) == ("contact_name", "order_number", "Order_No")
    assert unfilled("주문 2026112400317 확인했습니다 {not} {{ }}") == ()


def test_reply_with_an_unfilled_variable_is_refused_and_named(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    conv = inbound(rt, team_setup["a"], "배송 언제 와요?", customer="c1")
    login(client, "mina@example.test")
    path = f"/inbox/c/{conv.id}"
    token = form_token(client, path)
    text = "주문번호 {{order_number}} 오늘 출고됩니다, {{ contact_name }}님"
    response = client.post(
        f"{path}/reply", data={"csrf_token": token, "mode": "reply", "text": text}
    )
    assert response.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "보내지 않았습니다" in page
    assert "{{order_number}}, {{contact_name}}" in page
    with rt.db.session() as session:
        assert session.query(Message).filter_by(conversation_id=conv.id).count() == 1
    # A private note may hold braces: the customer never reads it.
    client.post(f"{path}/reply", data={"csrf_token": token, "mode": "note", "text": text})
    rt.jobs.drain()
    with rt.db.session() as session:
        kinds = [m.kind for m in session.query(Message).filter_by(conversation_id=conv.id)]
    assert kinds.count("note") == 1
    assert not FakeConnector.outbox


def test_the_english_ui_names_the_variables_in_english(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    conv = inbound(rt, team_setup["a"], "where is my order?", customer="c1")
    with rt.db.session() as session:
        user = session.get(User, team_setup["agent"].id)
        assert user is not None
        update_user(session, user, actor_id=None, locale="en", timezone="UTC")
    login(client, "mina@example.test")
    path = f"/inbox/c/{conv.id}"
    token = form_token(client, path)
    client.post(
        f"{path}/reply",
        data={"csrf_token": token, "mode": "reply", "text": "Order {{order_number}} ships"},
    )
    page = client.get(path).get_data(as_text=True)
    assert "Not sent: fill in {{order_number}} first" in page


@pytest.mark.parametrize("private", [False, True])
def test_api_refuses_unfilled_variables_on_replies_only(
    client: Any, rt: Runtime, factory: Any, private: bool
) -> None:
    account = factory.account("facebook", external_id="page-1")
    conv = factory.inbound(account, "주문 확인 부탁해요", customer="c1", name="이수진")
    token = factory.token(factory.user("agent", inboxes=[account.id]))
    response = client.post(
        f"/api/v1/conversations/{conv.id}/messages",
        json={"text": "주문 {{order_number}} 확인했습니다", "private": private},
        headers={"Authorization": f"Bearer {token}"},
    )
    if private:
        assert response.status_code == 201
        return
    assert response.status_code == 422
    body = response.get_json(force=True)
    assert body["unfilled_variables"] == ["order_number"]
    assert "{{order_number}}" in body["detail"]
