"""Agent-side FAQ suggestions: ranked articles for a question, and for a conversation."""

from __future__ import annotations

from tests.web.chat.support import Visitor, seed_faq, widget_account


def _agent(factory, account_id: int) -> dict[str, str]:
    agent = factory.user("agent", inboxes=[account_id])
    return {"Authorization": f"Bearer {factory.token(agent)}"}


def test_suggest_ranks_articles_for_a_colloquial_question(rt, client, factory):
    account = widget_account(factory)
    seed_faq(rt)
    headers = _agent(factory, account.id)
    body = client.get("/api/v1/faq/suggest?q=배송언제와요", headers=headers).get_json()
    assert body["locale"] == "ko"
    assert body["no_match"] is False
    top = body["data"][0]
    assert top["slug"] == "shipping-time"
    assert set(top) >= {"slug", "title", "answer", "score"}
    english = client.get(
        "/api/v1/faq/suggest", query_string={"q": "배송언제와요", "locale": "en"}, headers=headers
    ).get_json()
    assert english["data"][0]["slug"] == "shipping-time"
    assert english["data"][0]["locale"] == "en"
    nonsense = client.get(
        "/api/v1/faq/suggest", query_string={"q": "'; DROP TABLE users; --"}, headers=headers
    ).get_json()
    assert nonsense["no_match"] is True and nonsense["data"] == []
    assert client.get("/api/v1/faq/suggest?q=", headers=headers).status_code == 400
    assert client.get("/api/v1/faq/suggest?q=x").status_code == 401


def test_conversation_suggestions_use_the_latest_customer_message_and_its_language(
    rt, client, factory
):
    account = widget_account(factory, self_service=False)
    seed_faq(rt)
    visitor = Visitor(client)
    visitor.start()
    visitor.send("안녕하세요")
    visitor.send("How do I reset my password? The email never arrives.")
    conversation_id = visitor.poll()["messages"][0]["id"] and _conversation_id(rt)
    headers = _agent(factory, account.id)
    body = client.get(
        f"/api/v1/conversations/{conversation_id}/faq-suggestions", headers=headers
    ).get_json()
    assert body["locale"] == "en"
    assert body["query"].startswith("How do I reset my password")
    assert body["data"][0]["slug"] == "account-password-reset"
    other = factory.user("agent", inboxes=[])
    hidden = client.get(
        f"/api/v1/conversations/{conversation_id}/faq-suggestions",
        headers={"Authorization": f"Bearer {factory.token(other)}"},
    )
    assert hidden.status_code == 404


def test_openapi_documents_both_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/faq/suggest" in paths and "/conversations/{id}/faq-suggestions" in paths


def _conversation_id(rt) -> int:
    from sqlalchemy import select

    from inbox.models import Conversation

    with rt.db.session() as s:
        return s.scalars(select(Conversation.id)).one()


def test_the_inbox_composer_can_ask_with_the_agents_session(rt, client, factory):
    from tests.web.ui.conftest import login

    account = widget_account(factory, self_service=False)
    seed_faq(rt)
    factory.user("agent", email="mina@example.test", inboxes=[account.id])
    visitor = Visitor(client)
    visitor.start()
    visitor.send("비밀번호를 잊어버렸어요")
    conversation_id = _conversation_id(rt)
    url = f"/api/v1/conversations/{conversation_id}/faq-suggestions"
    assert client.get(url).status_code == 401
    login(client, "mina@example.test")
    body = client.get(url).get_json()
    assert body["locale"] == "ko"
    assert body["data"][0]["slug"] == "account-password-reset"
