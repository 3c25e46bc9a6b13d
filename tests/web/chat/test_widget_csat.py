"""The widget's CSAT rating card in headless Chromium under the app's strict CSP (issue 20):
the survey question arrives with a 1-5 card, the visitor rates and comments, the answer lands
on the conversation without reopening it, the card says thank you (after a reload too), and
another visitor cannot answer someone else's survey."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from inbox import csat_schedule
from inbox.models import ChannelAccount, Conversation
from inbox.models.reports import CsatSurvey
from tests.support.servers import serve_wsgi
from tests.web.chat.support import Visitor, widget_account
from tests.web.chat.test_widget_browser import (
    agent_token,
    api,
    only_conversation,
    open_widget,
    send,
)
from workers.csat import send_due_surveys

pytestmark = pytest.mark.browser
TIMEOUT = 30_000


@pytest.fixture
def server(app: Any) -> Iterator[str]:
    with serve_wsgi(app) as base:
        yield base


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="ko-KR")
    context.set_default_timeout(TIMEOUT)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda e: problems.append(str(e)))
    tab.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    tab.problems = problems
    yield tab
    context.close()


def _survey(rt: Any, conversation_id: int) -> CsatSurvey:
    with rt.db.session() as s:
        survey = s.scalars(
            select(CsatSurvey).where(CsatSurvey.conversation_id == conversation_id)
        ).one()
        s.expunge(survey)
        return survey


def test_rating_card_records_the_answer_once(rt, factory, server, page, client):
    account = widget_account(factory, self_service=False)
    with rt.db.session() as s:
        row = s.get(ChannelAccount, account.id)
        assert row is not None
        csat_schedule.set_config(row, csat_schedule.Config(enabled=True, delay_minutes=0))
    token = agent_token(factory, account.id)
    open_widget(page, server, name="박서연")
    send(page, "환불 처리됐는지 확인 부탁드려요")
    page.wait_for_selector(".sb-visitor[data-id]")
    conversation = only_conversation(rt)
    api(server, "PATCH", f"/api/v1/conversations/{conversation.id}", token, {"status": "resolved"})
    assert send_due_surveys(datetime.now(UTC) + timedelta(seconds=1)) == 1
    assert rt.jobs.drain()
    assert send_due_surveys(datetime.now(UTC) + timedelta(seconds=1)) == 0

    card = page.wait_for_selector(".sb-agent .sb-rate")
    assert card.query_selector(".sb-rate-title").text_content() == "상담에 만족하셨나요?"
    assert page.locator(".sb-rate-send").is_disabled()
    page.click(".sb-rate-score[data-score='4']")
    assert page.get_attribute(".sb-rate-score[data-score='4']", "aria-checked") == "true"
    page.fill(".sb-rate-comment", "빠르게 확인해 주셔서 좋았어요")
    page.click(".sb-rate-send")
    thanks = page.wait_for_selector(".sb-rate-thanks")
    assert thanks.text_content() == "평가해 주셔서 감사합니다 (4/5)."
    survey = _survey(rt, conversation.id)
    assert (survey.status, survey.rating, survey.comment) == (
        "answered",
        4,
        "빠르게 확인해 주셔서 좋았어요",
    )
    with rt.db.session() as s:
        row = s.get(Conversation, conversation.id)
        assert row is not None and row.status == "resolved" and row.reopen_count == 0

    page.reload()  # the card remembers: thanks, not a second form
    page.wait_for_selector("#switchboard-chat[data-ready='1']", state="attached")
    page.click(".sb-launcher")
    page.wait_for_selector(".sb-rate-thanks")
    assert page.locator(".sb-rate-score").count() == 0
    assert page.problems == []

    stranger = Visitor(client)  # another visitor's session cannot answer this survey
    stranger.start(name="남")
    refused = client.post(
        stranger.url("/csat"),
        json={"survey_id": survey.id, "rating": 1},
        headers=stranger.headers(),
    )
    assert refused.status_code == 404
    assert _survey(rt, conversation.id).rating == 4
