"""The FAQ that learns, in Chromium: an agent inserts an article, the admin reviews it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from inbox.faq.models import FaqEvidence
from inbox.faq.service import invalidate_cache, seed_default_articles
from switchboard.runtime import Runtime
from tests.support.servers import serve_wsgi
from tests.web.ui.conftest import inbound
from tests.web.ui.test_browser import ready, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]


@pytest.fixture
def base_url(app: Any) -> Iterator[str]:
    with serve_wsgi(app) as url:
        yield url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="ko-KR", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def test_inserted_answer_is_learned_and_the_admin_can_remove_it(
    page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    invalidate_cache()
    with rt.db.session() as session:
        seed_default_articles(session)
    question = "환급 받고 싶어요 상자가 찌그러져서 왔어요"
    conversation = inbound(rt, team_setup["a"], question, customer="c1", name="이서연")
    sign_in(page, base_url, "mina@example.test")
    page.goto(f"{base_url}/inbox/c/{conversation.id}")
    ready(page)
    page.click("#faq-suggestions summary")
    first = page.locator("#faq-suggestions .faq-list li").first
    first.wait_for()
    assert "환불" in first.inner_text()
    first.locator("button").click()  # Insert: the answer goes into the composer
    assert "환불" in page.input_value("#composer")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("article.msg-outbound")
    with rt.db.session() as session:
        row = session.scalars(select(FaqEvidence)).one()
        assert (row.article.slug, row.source, row.phrase) == ("refund-return", "agent", question)

    page.context.clear_cookies()  # team_setup's admin is 관리자
    sign_in(page, base_url, "admin@example.test")
    page.goto(f"{base_url}/admin/faq/refund-return#learned")
    learned = page.locator("#learned-phrasings tbody tr").first
    assert question in learned.inner_text()
    learned.locator("button").click()
    page.wait_for_selector("#learned-phrasings tbody tr.muted")
    assert "관리자" in page.locator("#learned-phrasings tbody tr").first.inner_text()
    with rt.db.session() as session:
        assert session.scalars(select(FaqEvidence)).one().removed_at is not None
