"""List rows: the customer's newest unanswered message (with how long it waits), or the newest
message once answered."""

from __future__ import annotations

import re
from typing import Any

from switchboard.runtime import Runtime
from tests.web.ui.conftest import form_token, inbound, login


def _row2(client: Any, conversation_id: int) -> str:
    html = client.get("/inbox/_list").get_data(as_text=True)
    row = re.search(rf'data-id="{conversation_id}">(.*?)</li>', html, re.S)
    assert row, "the conversation is not in the list"
    found = re.search(
        r'<span class="row2"[^>]*>(.*?)</span>\s*<span class="row3">', row.group(1), re.S
    )
    assert found
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))).strip()


def _post(client: Any, conversation_id: int, mode: str, text: str) -> None:
    path = f"/inbox/c/{conversation_id}"
    token = form_token(client, path)
    response = client.post(f"{path}/reply", data={"csrf_token": token, "mode": mode, "text": text})
    assert response.status_code == 302


def test_the_question_stays_in_the_row_until_it_is_answered(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    conv = inbound(rt, team_setup["a"], "주문 2026112400317 배송 언제 와요?", customer="c1")
    login(client, "mina@example.test")
    first = _row2(client, conv.id)
    assert "대기" in first and first.endswith("주문 2026112400317 배송 언제 와요?")

    _post(client, conv.id, "reply", "오늘 출고됩니다")
    assert rt.jobs.drain()
    answered = _row2(client, conv.id)
    assert answered == "나: 오늘 출고됩니다"  # answered: the newest message, no waiting time

    inbound(rt, team_setup["a"], "아직 안 왔어요", customer="c1")
    _post(client, conv.id, "note", "물류팀 확인 중")
    again = _row2(client, conv.id)
    assert "대기" in again and again.endswith("아직 안 왔어요")
    assert "물류팀" not in again
