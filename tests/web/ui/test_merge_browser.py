"""Merge two conversations of one contact in the browser, then split the merged-in part back
out, and undo both from the thread (headless Chromium, PostgreSQL, Korean and English)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from switchboard.runtime import Runtime
from tests.support.factory import Factory
from tests.web.ui.locales import LANGS, piece, speak
from tests.web.ui.test_browser import base_url, page, ready, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]
__all__ = ["base_url", "page"]


@pytest.fixture(params=LANGS)
def lang(request: pytest.FixtureRequest, rt: Runtime) -> str:
    """The language every user reads the UI in (set once the test has made its users)."""
    return str(request.param)


def another_thread_than(conversation_id: int) -> Callable[[str], bool]:
    """For `wait_for_url`: a thread page, not this conversation's. A glob like
    `**/inbox/c/*` already matches the page the click is made on, so the wait ended before
    the split's redirect and the test read the old thread (flaky under load)."""

    def matches(url: str) -> bool:
        path = urlsplit(url).path.rstrip("/")
        return path.startswith("/inbox/c/") and path != f"/inbox/c/{conversation_id}"

    return matches


def bodies(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("article.msg .body").all_inner_texts()]


def test_merge_then_split_back_then_undo(
    page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any], lang: str
) -> None:
    factory = Factory(rt)
    a = team_setup["a"]
    old = factory.inbound(a, "지난주 주문 문의예요", customer="c1", name="이서연", thread="t-old")
    new = factory.inbound(a, "같은 주문 건입니다", customer="c1", name="이서연", thread="t-new")
    speak(rt, lang)
    split_off = piece(lang, "Split off #%(n)s · %(who)s")
    merged = piece(lang, "Conversation #%(n)s merged into this one · %(who)s")
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, base_url, "mina@example.test")
    page.goto(f"{base_url}/inbox/c/{old.id}")
    ready(page)
    page.click(f".merge-form:has(input[value='{new.id}']) button")
    page.wait_for_url(f"**/inbox/c/{new.id}")
    ready(page)
    assert bodies(page) == ["지난주 주문 문의예요", "같은 주문 건입니다"]
    assert page.locator(".event >> text=#" + str(old.id)).count() >= 1

    # Split the newer thread's message back out.
    page.locator("article.msg", has_text="같은 주문 건입니다").locator("button.split").click()
    page.wait_for_url(another_thread_than(new.id))
    ready(page)
    split_url = page.url
    assert bodies(page) == ["같은 주문 건입니다"]
    assert f"/inbox/c/{new.id}" not in split_url

    # Undo the split from its event line: the message is back in the merged conversation.
    page.locator(".event", has_text=split_off).locator("button.undo").first.click()
    page.wait_for_url(f"**/inbox/c/{new.id}")
    ready(page)
    assert bodies(page) == ["지난주 주문 문의예요", "같은 주문 건입니다"]

    # Undo the merge: two conversations again.
    page.locator(".event", has_text=merged).locator("button.undo").first.click()
    page.wait_for_url(f"**/inbox/c/{old.id}")
    ready(page)
    assert bodies(page) == ["지난주 주문 문의예요"]
    page.goto(f"{base_url}/inbox/c/{new.id}")
    ready(page)
    assert bodies(page) == ["같은 주문 건입니다"]
