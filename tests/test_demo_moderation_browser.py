"""Issue 16 in the demo, in headless Chromium: a new Messenger customer shows their name, an
Instagram comment thread shows the post's caption, and an agent hides a comment with the
button on it; the Meta emulator's request log shows the exact call."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from sqlalchemy import select

from cli.demo import demo_app
from inbox.models import Conversation, Message, User
from inbox.users import set_password
from tests.support.demo import prepared_demo, wait_for_value
from tests.support.servers import serve_wsgi

pytestmark = pytest.mark.browser
PASSWORD = "demo agent password 16"
TIMEOUT_MS = 20_000


def test_name_caption_and_hiding_a_comment_in_the_demo(
    tmp_path: Any, monkeypatch: Any, browser: Any
) -> None:
    with prepared_demo(tmp_path, monkeypatch) as demo:
        port, rt = demo.port, demo.runtime
        with rt.db.session() as s:
            mina = s.scalars(select(User).where(User.email == "mina@seoulsupps.example")).one()
            set_password(s, mina, PASSWORD)
        with serve_wsgi(demo_app(rt), port=port) as base:
            emu = f"{base}/sandbox/meta/_emu"
            first_dm = {"name": "한지민", "text": "주문 확인 부탁드려요"}
            dm = requests.post(f"{emu}/customers/dm", json=first_dm, timeout=30).json()
            comment = requests.post(
                f"{emu}/customers/comment",
                json={"platform": "instagram", "text": "이거 광고 아닌가요? 링크 클릭하세요"},
                timeout=30,
            ).json()

            def conversation_of(external_id: str) -> int | None:
                rt.jobs.drain(1)
                with rt.db.session() as s:
                    found = s.scalar(
                        select(Message.conversation_id).where(Message.external_id == external_id)
                    )
                    if found is None:
                        return None
                    context = s.get(Conversation, found).context  # type: ignore[union-attr]
                    ready = "context_fetched_at" in context or "post_id" not in context
                    return int(found) if ready else None

            dm_thread = wait_for_value(lambda: conversation_of(dm["mid"]))
            comment_thread = wait_for_value(lambda: conversation_of(comment["comment_id"]))
            assert dm_thread and comment_thread, "the demo did not ingest the customer's messages"

            context = browser.new_context(locale="ko-KR", viewport={"width": 1400, "height": 900})
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.goto(f"{base}/login")
            page.fill("input[name=email]", "mina@seoulsupps.example")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/inbox/")

            page.goto(f"{base}/inbox/c/{dm_thread}")
            assert page.inner_text("#thread-head h1").strip() == "한지민"

            page.goto(f"{base}/inbox/c/{comment_thread}")
            caption = page.inner_text("[data-post-caption]")
            assert caption.strip() == "오메가3 프리미엄 🐟 #서울서플 #오메가3"
            assert page.get_attribute("[data-post-permalink]", "href").startswith(  # type: ignore[union-attr]
                "https://www.instagram.com/p/"
            )

            page.click("button[data-moderate=hide]")
            page.wait_for_url(f"{base}/inbox/c/{comment_thread}*")

            def marker() -> str:
                rt.jobs.drain(1)
                page.reload()
                found = page.query_selector("[data-moderation-marker]")
                return found.inner_text() if found is not None else ""

            text = wait_for_value(marker)
            assert "김미나" in text and "숨김" in text
            assert page.query_selector("article.moderated-hidden") is not None
            assert page.query_selector("button[data-moderate=unhide]") is not None
            context.close()

            calls = requests.get(
                f"{emu}/requests", params={"path": f"/{comment['comment_id']}"}, timeout=30
            ).json()
            assert [(c["method"], c["json"]) for c in calls] == [("POST", {"hide": True})]
