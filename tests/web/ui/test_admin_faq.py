"""The admin FAQ editor (issue #8): edit saves a new version, restore copies an old one forward."""

from __future__ import annotations

from typing import Any

import pytest

from inbox.faq.service import (
    get_article,
    history,
    invalidate_cache,
    seed_default_articles,
    suggest,
)
from switchboard.runtime import Runtime
from tests.web.ui.conftest import form_token, login

SLUG = "refund-return"


@pytest.fixture
def seeded(rt: Runtime) -> None:
    invalidate_cache()
    with rt.db.session() as session:
        seed_default_articles(session)


@pytest.fixture
def admin(client: Any, factory: Any, seeded: None) -> str:
    factory.user("admin", email="admin@example.test", name="관리자")
    login(client, "admin@example.test")
    return form_token(client, f"/admin/faq/{SLUG}")


def _form(rt: Runtime, token: str, **changes: str) -> dict[str, str]:
    with rt.db.session() as session:
        article = get_article(session, SLUG)
    data = {"csrf_token": token, "category": article.category, "note": "test edit"}
    for locale, text in article.texts.items():
        data[f"title_{locale}"] = text.title
        data[f"answer_{locale}"] = text.answer
        data[f"keywords_{locale}"] = "\n".join(text.keywords)
    data.update(changes)
    return data


def test_list_shows_articles_and_nav_link(client: Any, admin: str) -> None:
    html = client.get("/admin/faq").get_data(as_text=True)
    assert SLUG in html and "order-status" in html and 'href="/admin/faq"' in html


def test_edit_creates_version_2_and_help_shows_it(client: Any, rt: Runtime, admin: str) -> None:
    new_title, new_answer = (
        "환불은 이렇게 받아요",
        "주문 번호를 채팅으로 보내 주세요. <b>바로</b> 도와드려요.",
    )
    response = client.post(
        f"/admin/faq/{SLUG}",
        data=_form(rt, admin, title_ko=new_title, answer_ko=new_answer, title_en="Refunds, fast"),
    )
    assert response.status_code == 302
    with rt.db.session() as session:
        versions = history(session, SLUG)
        assert [v.number for v in versions] == [1, 2]
        assert versions[-1].title_ko == new_title and versions[-1].editor_id is not None
        assert versions[-1].note == "test edit"
    client.post("/logout", data={"csrf_token": admin})
    public = client.get("/help").get_data(as_text=True)
    assert new_title in public and "&lt;b&gt;바로&lt;/b&gt;" in public
    assert "Refunds, fast" in client.get("/help?lang=en").get_data(as_text=True)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_restore_brings_back_version_1_as_version_3(client: Any, rt: Runtime, admin: str) -> None:
    with rt.db.session() as session:
        original = get_article(session, SLUG)
    client.post(f"/admin/faq/{SLUG}", data=_form(rt, admin, title_ko="임시 제목"))
    page = client.get(f"/admin/faq/{SLUG}").get_data(as_text=True)
    assert 'id="version-1"' in page and 'id="version-2"' in page
    response = client.post(f"/admin/faq/{SLUG}/restore/1", data={"csrf_token": admin})
    assert response.status_code == 302
    with rt.db.session() as session:
        versions = history(session, SLUG)
        assert [v.number for v in versions] == [1, 2, 3]
        assert versions[-1].note == "restored version 1"
        assert get_article(session, SLUG) == original
    public = client.get("/help").get_data(as_text=True)
    assert original.texts["ko"].title in public and "임시 제목" not in public


def test_non_admin_is_refused(client: Any, factory: Any, seeded: None) -> None:
    anonymous = client.get("/admin/faq")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert client.post(f"/admin/faq/{SLUG}/restore/1").status_code in (302, 400)
    factory.user("agent", email="mina@example.test", name="민아")
    login(client, "mina@example.test")
    assert client.get("/admin/faq").status_code == 403
    assert client.get(f"/admin/faq/{SLUG}").status_code == 403
    token = form_token(client, "/profile")
    assert client.post(f"/admin/faq/{SLUG}", data={"csrf_token": token}).status_code == 403


def test_post_without_csrf_is_refused(client: Any, rt: Runtime, admin: str) -> None:
    data = _form(rt, admin, title_ko="위조")
    del data["csrf_token"]
    assert client.post(f"/admin/faq/{SLUG}", data=data).status_code == 400
    assert client.post(f"/admin/faq/{SLUG}/restore/1", data={}).status_code == 400
    with rt.db.session() as session:
        assert [v.number for v in history(session, SLUG)] == [1]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_keywords_edited_in_the_editor_are_matched_at_once(
    client: Any, rt: Runtime, admin: str
) -> None:
    """Per-article synonyms are the article's keywords: an admin adds the shop's own word
    for something in the editor, and the next suggestion (widget, composer, API) knows it,
    without a restart (the index notices the new version)."""
    question = "꾸러미추적기 어디서 봐요"
    with rt.db.session() as session:
        assert [s.slug for s in suggest(session, question)] != [SLUG]
        keywords = get_article(session, SLUG).texts["ko"].keywords
    response = client.post(
        f"/admin/faq/{SLUG}",
        data=_form(rt, admin, keywords_ko="\n".join((*keywords, "꾸러미추적기"))),
    )
    assert response.status_code == 302
    with rt.db.session() as session:
        assert "꾸러미추적기" in get_article(session, SLUG).texts["ko"].keywords
        found = suggest(session, question)
    assert found and found[0].slug == SLUG
