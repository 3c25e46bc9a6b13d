"""Chat message identity is the visitor's session plus the widget's client_msg_id (issue 13 §2).

A visitor choosing another visitor's `client_msg_id` must neither read that message back nor
lose its own; the same session retrying still deduplicates.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from inbox.models import Message
from tests.web.chat.support import Visitor, widget_account


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_two_visitors_with_the_same_client_msg_id_each_keep_their_own_message(
    rt: Any, client: Any, factory: Any
) -> None:
    widget_account(factory, self_service=False)
    alice, mallory = Visitor(client), Visitor(client)
    alice.start(name="Alice")
    mallory.start(name="Mallory")
    first = alice.send("alice's private order 2026112400317", client_msg_id="xss-0")
    assert first.status_code == 200
    second = mallory.send("mallory's own words", client_msg_id="xss-0")
    assert second.status_code == 200, second.get_data(as_text=True)
    body = second.get_json()
    assert body["status"] == "stored"
    assert body["message"]["text"] == "mallory's own words"
    assert body["message"]["client_msg_id"] == "xss-0"
    assert "alice" not in second.get_data(as_text=True)
    assert [m["text"] for m in mallory.poll()["messages"]] == ["mallory's own words"]
    assert [m["text"] for m in alice.poll()["messages"]] == ["alice's private order 2026112400317"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_retry_by_the_same_session_is_deduplicated(rt: Any, client: Any, factory: Any) -> None:
    widget_account(factory, self_service=False)
    visitor = Visitor(client)
    visitor.start(name="Alice")
    first = visitor.send("hello", client_msg_id="c_retry-1").get_json()
    again = visitor.send("hello", client_msg_id="c_retry-1").get_json()
    assert again["status"] == "stored"
    assert again["message"]["id"] == first["message"]["id"]
    with rt.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 1
