"""The FAQ that learns, through the web: agent inserts, the admin review, gaps, widget no-match."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from inbox.faq import evidence
from inbox.faq.models import FaqEvidence
from inbox.faq.service import invalidate_cache, seed_default_articles
from inbox.models import Conversation
from switchboard.runtime import Runtime
from tests.web.chat.support import Visitor, widget_account
from tests.web.ui.conftest import form_token, inbound, login


@pytest.fixture
def seeded(rt: Runtime) -> None:
    invalidate_cache()
    with rt.db.session() as session:
        seed_default_articles(session)


def _rows(rt: Runtime) -> list[tuple[str, str, str, int | None]]:
    with rt.db.session() as session:
        return [
            (e.article.slug, e.source, e.phrase, e.conversation_id)
            for e in session.scalars(select(FaqEvidence).order_by(FaqEvidence.id))
        ]


def test_a_reply_with_an_inserted_article_teaches_the_customers_words(
    client: Any, rt: Runtime, team_setup: dict[str, Any], seeded: None
) -> None:
    conv = inbound(rt, team_setup["a"], "택배가 일주일째 감감무소식이에요", customer="c1")
    login(client, "mina@example.test")
    path = f"/inbox/c/{conv.id}"
    html = client.get(path).get_data(as_text=True)
    assert 'name="faq_slug"' in html
    token = form_token(client, path)
    note = {"csrf_token": token, "mode": "note", "text": "확인 중", "faq_slug": "shipping-missing"}
    client.post(f"{path}/reply", data=note)
    assert _rows(rt) == []  # a private note teaches nothing
    reply = {**note, "mode": "reply", "text": "배송 지연 안내드립니다", "idempotency_key": "k1"}
    assert client.post(f"{path}/reply", data=reply).status_code == 302
    client.post(f"{path}/reply", data=reply)  # the same form again: one reply, one row
    assert _rows(rt) == [("shipping-missing", "agent", "택배가 일주일째 감감무소식이에요", conv.id)]


def test_admin_reviews_and_removes_a_learned_phrasing(
    client: Any, rt: Runtime, factory: Any, seeded: None
) -> None:
    with rt.db.session() as session:
        evidence.record(
            session, "refund-return", "돈 다시 받고 싶어요", locale="ko", source="visitor",
            conversation_id=None,
        )  # fmt: skip
    factory.user("admin", email="admin@example.test", name="관리자")
    login(client, "admin@example.test")
    page = client.get("/admin/faq/refund-return").get_data(as_text=True)
    assert "돈 다시 받고 싶어요" in page and "1.00" in page
    with rt.db.session() as session:
        row_id = session.scalars(select(FaqEvidence.id)).one()
    token = form_token(client, "/admin/faq/refund-return")
    wrong = client.post(
        f"/admin/faq/order-status/evidence/{row_id}/remove", data={"csrf_token": token}
    )
    assert wrong.status_code == 404  # the row belongs to another article
    done = client.post(
        f"/admin/faq/refund-return/evidence/{row_id}/remove", data={"csrf_token": token}
    )
    assert done.status_code == 302
    page = client.get("/admin/faq/refund-return").get_data(as_text=True)
    assert "관리자" in page.split("돈 다시 받고 싶어요", 1)[1]  # "removed by 관리자"
    with rt.db.session() as session:
        assert evidence.phrasings(session) == {}
    assert client.post(
        f"/admin/faq/refund-return/evidence/{row_id}/remove", data={}
    ).status_code in (400, 403)  # no CSRF token


def test_gaps_page_lists_grouped_questions_for_admins_only(
    client: Any, rt: Runtime, factory: Any, seeded: None
) -> None:
    account = widget_account(factory)
    for i, text in enumerate(["쿠폰 코드 어디서 입력해요", "쿠폰 코드 입력이 안 돼요"]):
        visitor = Visitor(client)
        visitor.start(name=f"방문자{i}")
        assert visitor.send(text).get_json()["self_service"] == "no_match"
    with rt.db.session() as session:
        outcomes = session.scalars(select(Conversation.self_service)).all()
    assert outcomes == ["no_match", "no_match"]
    factory.user("agent", email="agent@example.test", inboxes=[account.id])
    login(client, "agent@example.test")
    assert client.get("/admin/faq-gaps").status_code in (302, 403)
    factory.user("admin", email="admin@example.test")
    login(client, "admin@example.test")
    page = client.get("/admin/faq-gaps?days=7").get_data(as_text=True)
    assert page.count('class="gap-group"') == 1
    assert "쿠폰 코드 어디서 입력해요" in page and "쿠폰 코드 입력이 안 돼요" in page


def test_a_question_with_an_answer_is_not_a_gap(client: Any, factory: Any, seeded: None) -> None:
    widget_account(factory)
    visitor = Visitor(client)
    visitor.start(name="방문자")
    body = visitor.send("비밀번호를 잊어버렸어요").get_json()
    assert body["suggestions"][0]["slug"] == "account-password-reset"
    assert "self_service" not in body
