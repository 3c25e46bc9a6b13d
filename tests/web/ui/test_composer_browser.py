"""The composer in headless Chromium: unfilled variables shown and blocked before sending,
spaced inserts, and the channel's file limits checked before the upload."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from inbox.canned import save_canned
from inbox.models import Message
from switchboard.runtime import Runtime
from tests.support.servers import serve_wsgi
from tests.web.ui.conftest import inbound
from tests.web.ui.test_browser import TIMEOUT_MS, ready, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def base_url(app: Any) -> Iterator[str]:
    with serve_wsgi(app) as url:
        yield url


@pytest.fixture(params=[(1440, 900), (390, 844)], ids=["desktop", "phone"])
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    width, height = request.param
    context = browser.new_context(locale="ko-KR", viewport={"width": width, "height": height})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()


def _outbound(rt: Runtime, conversation_id: int) -> list[Message]:
    with rt.db.session() as s:
        rows = list(
            s.scalars(
                select(Message).where(
                    Message.conversation_id == conversation_id, Message.direction == "outbound"
                )
            )
        )
        for row in rows:
            _ = list(row.attachments)
        s.expunge_all()
        return rows


def test_unfilled_variables_are_named_and_block_sending_until_filled(
    page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    with rt.db.session() as session:
        save_canned(
            session,
            shortcut="출고",
            title="출고 안내",
            body="주문번호 {{order_number}} 오늘 출고됩니다.",
        )
    conv = inbound(rt, team_setup["a"], "배송 언제 와요?", customer="c1", name="이서연")
    sign_in(page, base_url, "mina@example.test")
    page.goto(f"{base_url}/inbox/c/{conv.id}")
    ready(page)
    composer = page.locator("#composer")
    composer.fill("안녕하세요")
    composer.evaluate("el => el.setSelectionRange(el.value.length, el.value.length)")
    page.select_option("#canned-select", "출고")
    # A space between what was there and the answer; the variable is selected, ready to type.
    assert composer.input_value() == "안녕하세요 주문번호 {{order_number}} 오늘 출고됩니다."
    warning = page.locator("#unfilled-vars")
    # (`hidden`, not is_visible(): the phone layout is issue 21's responsive part, elsewhere.)
    assert not warning.evaluate("el => el.hidden")
    assert "{{order_number}}" in warning.text_content()
    assert page.locator("#send-button").is_disabled()
    composer.press("Control+Enter")  # refused in the browser too: nothing is sent
    page.keyboard.type("2026112400317")
    assert composer.input_value() == "안녕하세요 주문번호 2026112400317 오늘 출고됩니다."
    assert warning.evaluate("el => el.hidden")
    assert page.locator("#send-button").is_enabled()
    assert _outbound(rt, conv.id) == []
    composer.press("Control+Enter")
    page.wait_for_url(f"**/inbox/c/{conv.id}**")
    ready(page)
    (sent,) = _outbound(rt, conv.id)
    assert sent.text == "안녕하세요 주문번호 2026112400317 오늘 출고됩니다."


def test_a_shortcut_inserted_mid_sentence_is_spaced_on_both_sides(
    page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    with rt.db.session() as session:
        save_canned(session, shortcut="감사", title="감사", body="감사합니다.")
    conv = inbound(rt, team_setup["a"], "문의", customer="c1")
    sign_in(page, base_url, "mina@example.test")
    page.goto(f"{base_url}/inbox/c/{conv.id}")
    ready(page)
    composer = page.locator("#composer")
    composer.fill("확인했습니다. /감사다음에 또 문의 주세요")
    composer.evaluate("el => el.setSelectionRange(11, 11)")  # right after "/감사"
    composer.press("Tab")
    assert composer.input_value() == "확인했습니다. 감사합니다. 다음에 또 문의 주세요"


def test_files_are_checked_against_the_channels_limits_before_sending(
    page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    conv = inbound(rt, team_setup["a"], "사진 보내주세요", customer="c1")  # a Facebook DM
    sign_in(page, base_url, "mina@example.test")
    page.goto(f"{base_url}/inbox/c/{conv.id}")
    ready(page)
    limits = page.locator("#composer-file-limits").text_content()
    assert "답장당 파일 최대 5개" in limits and "PDF" in limits and "25 MB" in limits
    files = page.locator("#composer-file-input")
    files.set_input_files(
        [{"name": "주문서.txt", "mimeType": "text/plain", "buffer": b"order list"}]
    )
    problems = page.locator("#file-problems")
    assert not problems.evaluate("el => el.hidden") and "주문서.txt" in problems.text_content()
    assert page.locator("#send-button").is_disabled()
    files.set_input_files([{"name": "송장.png", "mimeType": "image/png", "buffer": PNG}])
    assert problems.evaluate("el => el.hidden")
    # A file alone may be sent: the text box is no longer required. (Ctrl+Enter, not a click:
    # at 390 px the current layout lays the list over the button — the responsive part of
    # issue 21 is another change.)
    page.locator("#composer").press("Control+Enter")
    page.wait_for_url(f"**/inbox/c/{conv.id}**")
    ready(page)
    assert rt.jobs.drain()
    (sent,) = _outbound(rt, conv.id)
    assert [(a.filename, a.content_type, a.size) for a in sent.attachments] == [
        ("송장.png", "image/png", len(PNG))
    ]
